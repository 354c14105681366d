/* Faults while rendering, through the real program (BREATHE_BINARY): the
 * disk filling up, the output folder removed mid-render, a read-only
 * folder, a streamed cue deleted or emptied before it plays. Each must end with the documented runtime failure (exit status
 * 1), a message naming the file and the reason, no partial file where the
 * output should be, no temporary file left behind, and an existing file of
 * that name untouched.
 *
 * The disk-full and read-only cases mount a small tmpfs and so need root;
 * without it they are skipped (and the whole program exits 77 if nothing
 * could run). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testaudio.h"

static const char *binary;
static int skipped;

/* A minute of pink noise: 23 MB as a float WAV, and hard to compress. */
static const char noise_session[] =
    "title = \"Noise\";\n"
    "background = { noise = \"pink\"; level = -6.0; fade = 1.0; };\n"
    "steps = ( { type = \"timer\"; duration = 60; bell_end = false; } );\n";

static const char existing_text[] = "an earlier render that must survive\n";

typedef struct {
    int status;
    char err[4096];
} result;

static int setup(void **state)
{
    binary = getenv("BREATHE_BINARY");
    return binary == NULL ? -1 : testaudio_dir_setup(state);
}

static char *write_file(const char *folder, const char *name, const char *text)
{
    char *path = testaudio_write_text(folder, name, text);
    assert_non_null(path);
    return path;
}

static pid_t start(const char *output, const char *session_path, const char *err_path)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int in = open("/dev/null", O_RDONLY);
        dup2(e, 2);
        dup2(in, 0);
        dup2(in, 1);
        /* In a cross build the binary runs through qemu (BREATHE_EXE_WRAPPER). */
        const char *wrapper = getenv("BREATHE_EXE_WRAPPER");
        if (wrapper && *wrapper)
            execl(wrapper, wrapper, binary, "-q", "-o", output, session_path, (char *)NULL);
        else
            execl(binary, binary, "-q", "-o", output, session_path, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static void finish(pid_t pid, const char *err_path, result *r)
{
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    testaudio_read_into(err_path, r->err, sizeof r->err);
    unlink(err_path);
    print_message("exit %d: %s", r->status, r->err);
}

static void render(const char *output, const char *session_path, result *r)
{
    char *err_path = testaudio_path(testaudio_dir, "stderr");
    finish(start(output, session_path, err_path), err_path, r);
    free(err_path);
}

static int count_entries(const char *folder)
{
    DIR *d = opendir(folder);
    if (d == NULL)
        return -1;
    int n = 0;
    struct dirent *entry;
    while ((entry = readdir(d)) != NULL)
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void assert_file_holds(const char *path, const char *text)
{
    char buffer[256];
    assert_int_equal(testaudio_read_into(path, buffer, sizeof buffer), 0);
    assert_string_equal(buffer, text);
}

/* The failure every case must end in: exit 1, one message naming the
 * output and the reason. */
static void assert_runtime_failure(const result *r, const char *output, const char *reason)
{
    assert_int_equal(r->status, 1);
    char expected[1024];
    snprintf(expected, sizeof expected, "breathe: cannot write '%s': %s\n", output, reason);
    assert_string_equal(r->err, expected);
}

/* A fresh tmpfs of `kilobytes` at a new folder; false (and a skip) when it
 * cannot be mounted. */
static bool mount_small_disk(const char *folder, int kilobytes, bool read_only)
{
    char options[64];
    snprintf(options, sizeof options, "size=%dk,mode=0755", kilobytes);
    if (geteuid() != 0 || mount("tmpfs", folder, "tmpfs", 0, options) != 0) {
        print_message("skipped: cannot mount a tmpfs here (%s)\n",
                      geteuid() != 0 ? "not root" : strerror(errno));
        skipped++;
        return false;
    }
    if (read_only) {
        free(write_file(folder, "out.wav", existing_text));
        /* Source and type are ignored on a remount, but valgrind wants them. */
        if (mount("tmpfs", folder, "tmpfs", MS_REMOUNT | MS_RDONLY, NULL) != 0) {
            print_message("skipped: cannot remount read-only (%s)\n", strerror(errno));
            umount(folder);
            skipped++;
            return false;
        }
    }
    return true;
}

static void test_disk_full(void **state)
{
    char *session_path = write_file(testaudio_dir, "noise.cfg", noise_session);
    char *disk = testaudio_path(testaudio_dir, "disk");
    assert_int_equal(mkdir(disk, 0700), 0);
    if (!mount_small_disk(disk, 1024, false)) {
        rmdir(disk);
        free(disk);
        free(session_path);
        skip();
    }
    static const char *const names[] = { "out.wav", "out.flac" };
    for (size_t i = 0; i < 2; i++) {
        char *output = write_file(disk, names[i], existing_text);
        result r;
        render(output, session_path, &r);
        assert_runtime_failure(&r, output, "No space left on device");
        assert_file_holds(output, existing_text);
        assert_int_equal(count_entries(disk), 1);   /* no temporary file left */
        unlink(output);

        /* With no earlier file, nothing at all is left. */
        render(output, session_path, &r);
        assert_runtime_failure(&r, output, "No space left on device");
        assert_int_equal(count_entries(disk), 0);
        free(output);
    }
    assert_int_equal(umount(disk), 0);
    rmdir(disk);
    free(disk);
    free(session_path);
}

static void test_read_only_folder(void **state)
{
    char *session_path = write_file(testaudio_dir, "noise.cfg", noise_session);
    char *disk = testaudio_path(testaudio_dir, "read-only");
    assert_int_equal(mkdir(disk, 0700), 0);
    if (!mount_small_disk(disk, 1024, true)) {
        rmdir(disk);
        free(disk);
        free(session_path);
        skip();
    }
    char *existing = testaudio_path(disk, "out.wav");
    char *fresh = testaudio_path(disk, "new.flac");
    result r;
    render(existing, session_path, &r);
    assert_runtime_failure(&r, existing, "Read-only file system");
    assert_file_holds(existing, existing_text);
    render(fresh, session_path, &r);
    assert_runtime_failure(&r, fresh, "Read-only file system");
    assert_int_equal(count_entries(disk), 1);
    assert_int_equal(umount(disk), 0);
    rmdir(disk);
    free(fresh);
    free(existing);
    free(disk);
    free(session_path);
}

/* The render is frozen as soon as its temporary file exists, the folder is
 * removed, and the render resumes: writing goes on into the unlinked file,
 * and the final rename fails. */
static void test_output_folder_removed(void **state)
{
    char *session_path = write_file(testaudio_dir, "noise.cfg", noise_session);
    char *folder = testaudio_path(testaudio_dir, "gone");
    assert_int_equal(mkdir(folder, 0700), 0);
    char *output = testaudio_path(folder, "out.flac");
    char *err_path = testaudio_path(testaudio_dir, "stderr");
    pid_t pid = start(output, session_path, err_path);

    bool seen = false;
    for (int i = 0; i < 20000 && !seen; i++) {
        seen = count_entries(folder) > 0;
        if (!seen) {
            struct timespec pause = { 0, 1000000 };
            nanosleep(&pause, NULL);
        }
    }
    kill(pid, SIGSTOP);
    assert_true(seen);
    DIR *d = opendir(folder);
    assert_non_null(d);
    struct dirent *entry;
    while ((entry = readdir(d)) != NULL) {
        if (entry->d_name[0] == '.' && strncmp(entry->d_name, ".out.flac.", 10) == 0) {
            char *temp = testaudio_path(folder, entry->d_name);
            assert_int_equal(unlink(temp), 0);
            free(temp);
        }
    }
    closedir(d);
    assert_int_equal(rmdir(folder), 0);
    kill(pid, SIGCONT);

    result r;
    finish(pid, err_path, &r);
    assert_runtime_failure(&r, output, "No such file or directory");
    struct stat st;
    assert_int_not_equal(stat(folder, &st), 0);   /* nothing was recreated */
    free(err_path);
    free(output);
    free(folder);
    free(session_path);
}

/* A cue long enough to be streamed (over 15 s), due two minutes in. */
static const char streamed_cue_session[] =
    "title = \"Streamed cue\";\n"
    "steps = (\n"
    "  { type = \"timer\"; duration = 120; bell_end = false; },\n"
    "  { type = \"cue\"; file = \"talk.wav\"; }\n"
    ");\n";

/* Renders the session over an earlier out.wav, frozen as soon as its
 * temporary file exists (the session and its cue have been checked by then)
 * while `spoil` is done to the cue; returns what the program said. */
static void render_with_spoiled_cue(const char *cue, void (*spoil)(const char *cue),
                                    const char *session_path, const char *folder, result *r)
{
    char *output = write_file(folder, "out.wav", existing_text);
    char *err_path = testaudio_path(testaudio_dir, "stderr");
    pid_t pid = start(output, session_path, err_path);
    bool seen = false;
    for (int i = 0; i < 20000 && !seen; i++) {
        seen = count_entries(folder) > 1;
        if (!seen) {
            struct timespec pause = { 0, 1000000 };
            nanosleep(&pause, NULL);
        }
    }
    kill(pid, SIGSTOP);
    assert_true(seen);
    spoil(cue);
    kill(pid, SIGCONT);
    finish(pid, err_path, r);
    assert_file_holds(output, existing_text);
    assert_int_equal(count_entries(folder), 1);   /* no temporary file left */
    free(err_path);
    free(output);
}

static void delete_cue(const char *cue)
{
    assert_int_equal(unlink(cue), 0);
}

static void empty_cue(const char *cue)
{
    assert_int_equal(truncate(cue, 0), 0);
}

/* A streamed file that cannot be read when its turn comes would leave
 * silence in the render, so the render fails (exit 1) and names the file. */
static void test_streamed_cue_lost_before_it_plays(void **state)
{
    char *session_path = write_file(testaudio_dir, "streamed.cfg", streamed_cue_session);
    char *folder = testaudio_path(testaudio_dir, "renders");
    assert_int_equal(mkdir(folder, 0700), 0);
    static const struct { void (*spoil)(const char *cue); const char *reason; } cases[] = {
        { delete_cue, "No such file or directory" },
        { empty_cue, "not an audio file libsndfile can read" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *cue = testaudio_write_music(testaudio_dir, "talk.wav", 48000, 1, 20.0);
        assert_non_null(cue);
        result r;
        render_with_spoiled_cue(cue, cases[i].spoil, session_path, folder, &r);
        assert_int_equal(r.status, 1);
        char expected[1024];
        snprintf(expected, sizeof expected,
                 "breathe: 1 audio file could not be read while playing (%s: %s", cue,
                 cases[i].reason);
        assert_memory_equal(r.err, expected, strlen(expected));
        assert_non_null(strstr(r.err, "\n"));
        assert_string_equal(strstr(r.err, "\n"), "\n");   /* one line, nothing else */
        unlink(cue);
        free(cue);
    }
    char *output = testaudio_path(folder, "out.wav");
    unlink(output);
    free(output);
    rmdir(folder);
    free(folder);
    free(session_path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_read_only_folder),
        cmocka_unit_test(test_output_folder_removed),
        cmocka_unit_test(test_streamed_cue_lost_before_it_plays),
    };
    int failed = cmocka_run_group_tests(tests, setup, testaudio_dir_teardown);
    if (failed == 0 && skipped == 2 && geteuid() != 0)
        return 77;
    return failed;
}
