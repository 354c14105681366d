/* peak_rss: runs a command and reports the most memory it held.
 *
 *   peak_rss REPORT COMMAND [ARGUMENT...]
 *
 * Writes two numbers in KiB to the file REPORT:
 *  - the command's peak resident set size, ru_maxrss from wait4(), as the
 *    kernel measured it: everything resident, shared library code included;
 *  - the largest anonymous resident memory (RssAnon in /proc/PID/status:
 *    heap, stacks, buffers; what the program itself allocated), sampled
 *    every 2 ms while it runs.
 * Exits with the command's exit status (128 + N when killed by signal N). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SAMPLE_NANOSECONDS 2000000L

static long anonymous_kib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *status = fopen(path, "r");
    long kib = -1;
    if (status == NULL)
        return -1;
    while (fgets(line, sizeof line, status) != NULL)
        if (sscanf(line, "RssAnon: %ld", &kib) == 1)
            break;
    fclose(status);
    return kib;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: peak_rss REPORT COMMAND [ARGUMENT...]\n");
        return 2;
    }
    pid_t child = fork();
    if (child < 0) {
        perror("peak_rss: fork");
        return 2;
    }
    if (child == 0) {
        execvp(argv[2], argv + 2);
        fprintf(stderr, "peak_rss: %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    int status = 0;
    struct rusage usage;
    long anonymous = 0;
    for (;;) {
        pid_t done = wait4(child, &status, WNOHANG, &usage);
        if (done == child)
            break;
        if (done < 0 && errno != EINTR) {
            perror("peak_rss: wait4");
            return 2;
        }
        long kib = anonymous_kib(child);
        if (kib > anonymous)
            anonymous = kib;
        struct timespec pause = { 0, SAMPLE_NANOSECONDS };
        nanosleep(&pause, NULL);
    }
    FILE *report = fopen(argv[1], "w");
    if (report == NULL) {
        fprintf(stderr, "peak_rss: %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    fprintf(report, "%ld %ld\n", usage.ru_maxrss, anonymous);
    fclose(report);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
