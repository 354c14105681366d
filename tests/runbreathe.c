/* runbreathe.c: the real breathe program run from a test (runbreathe.h). */
#include "runbreathe.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "testaudio.h"

const char *runbreathe_binary;
const char *runbreathe_wrapper;

int runbreathe_setup(void)
{
    runbreathe_binary = getenv("BREATHE_BINARY");
    runbreathe_wrapper = getenv("BREATHE_EXE_WRAPPER");
    if (runbreathe_wrapper && !*runbreathe_wrapper)
        runbreathe_wrapper = NULL;
    return runbreathe_binary ? 0 : -1;
}

/* True once the file at path holds `text`. */
static bool file_holds(const char *path, const char *text)
{
    char buffer[4096];
    FILE *file = fopen(path, "rb");
    if (!file)
        return false;
    size_t n = fread(buffer, 1, sizeof buffer - 1, file);
    fclose(file);
    buffer[n] = '\0';
    return strstr(buffer, text) != NULL;
}

void runbreathe(runbreathe_result *r, const char *wait_for, double signal_after,
                int signal_number, const char *const *args)
{
    char out_path[512], err_path[512];
    snprintf(out_path, sizeof out_path, "%s/stdout", testaudio_dir);
    snprintf(err_path, sizeof err_path, "%s/stderr", testaudio_dir);
    unlink(out_path);
    const char *argv[33];
    int n = 0;
    if (runbreathe_wrapper)
        argv[n++] = runbreathe_wrapper;
    argv[n++] = runbreathe_binary;
    for (int a = 0; args[a] && n < 32; a++)
        argv[n++] = args[a];
    argv[n] = NULL;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int in = open("/dev/null", O_RDONLY);
        dup2(o, 1);
        dup2(e, 2);
        dup2(in, 0);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    for (int waited = 0; wait_for && waited < 3000 && !file_holds(out_path, wait_for); waited++)
        nanosleep(&(struct timespec){ .tv_nsec = 20000000 }, NULL);
    if (signal_after > 0) {
        struct timespec pause = { (time_t)signal_after,
                                  (long)((signal_after - (time_t)signal_after) * 1e9) };
        nanosleep(&pause, NULL);
        kill(pid, signal_number);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    testaudio_read_into(out_path, r->out, sizeof r->out);
    testaudio_read_into(err_path, r->err, sizeof r->err);
}
