/* breathe-bench: the measuring half of the benchmark (bench/run drives it).
 *
 *   breathe-bench render SESSION [SECONDS]
 *       Renders SECONDS of SESSION (all of it when omitted) through the
 *       render core into memory, in the 256-frame buffers a live callback
 *       asks for, so no file encoding counts. Prints one line of
 *       tab-separated "name=value" fields: frames, seconds of audio, and the
 *       process's peak resident memory (VmHWM). The rendering happens inside
 *       bench_render_region(), which valgrind's callgrind is told to count
 *       alone (--toggle-collect), so loading the session does not count.
 *
 *   breathe-bench time RUNS COMMAND [ARGS...]
 *       Runs COMMAND RUNS times (output thrown away) and prints the median,
 *       lowest and highest wall time, the median CPU time (user + system)
 *       and the highest peak resident memory of the child (ru_maxrss).
 *       Exits 1 if any run failed.
 *
 * Nothing here decides whether a number is good: bench/run compares them. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "render/engine.h"
#include "format/session.h"
#include "render/timeline.h"

enum { CALLBACK_FRAMES = 256 };

/* Peak resident memory of this process in KiB, from /proc. */
static long peak_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

/* The only part callgrind counts. Kept out of line so it has a name. */
__attribute__((noinline)) int64_t bench_render_region(engine *e, float *buffer, int64_t frames);

int64_t bench_render_region(engine *e, float *buffer, int64_t frames)
{
    int64_t done = 0;
    volatile float sink = 0.0f;
    while (done < frames) {
        int64_t want = frames - done < CALLBACK_FRAMES ? frames - done : CALLBACK_FRAMES;
        size_t got = engine_render(e, buffer, (size_t)want);
        if (got == 0)
            break;
        sink += buffer[0];   /* keep the render from being optimised away */
        done += (int64_t)got;
    }
    (void)sink;
    return done;
}

static int command_render(const char *path, const char *seconds_text)
{
    const report_sink *report = REPORT_TO_STREAM(&(report_stream){ stderr, "breathe-bench" });
    session *s = NULL;
    int status = session_load(path, &s, report);
    if (status != 0)
        return status;
    timeline *t = NULL;
    status = timeline_build(s, &t, report);
    if (status != 0) {
        session_free(s);
        return status;
    }
    int rate = timeline_rate(t);
    int64_t total = timeline_length(t);
    int64_t frames = total;
    if (seconds_text) {
        char *end;
        double seconds = strtod(seconds_text, &end);
        if (*end != '\0' || seconds <= 0.0) {
            fprintf(stderr, "breathe-bench: bad SECONDS '%s'\n", seconds_text);
            return 2;
        }
        frames = (int64_t)(seconds * rate + 0.5);
        if (total != TIMELINE_FOREVER && frames > total)
            frames = total;
    } else if (total == TIMELINE_FOREVER) {
        fprintf(stderr, "breathe-bench: '%s' repeats forever; give SECONDS\n", path);
        return 2;
    }
    engine_options options = { .volume_db = 0.0, .start = 0, .length = frames };
    engine *e = engine_create(t, &options);
    if (!e) {
        fprintf(stderr, "breathe-bench: out of memory\n");
        return 1;
    }
    static float buffer[2 * CALLBACK_FRAMES];
    int64_t done = bench_render_region(e, buffer, frames);
    printf("frames=%lld\tseconds=%.3f\tpeak_rss_kib=%ld\n", (long long)done,
           (double)done / rate, peak_rss_kib());
    engine_free(e);
    timeline_free(t);
    session_free(s);
    return done == frames ? 0 : 1;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *values, int count)
{
    qsort(values, (size_t)count, sizeof values[0], compare_doubles);
    return count % 2 ? values[count / 2] : 0.5 * (values[count / 2 - 1] + values[count / 2]);
}

static int command_time(int runs, char **argv)
{
    double *wall = calloc((size_t)runs, sizeof *wall);
    double *cpu = calloc((size_t)runs, sizeof *cpu);
    if (!wall || !cpu)
        return 1;
    long max_rss = 0;
    int failed = 0;
    for (int r = 0; r < runs; r++) {
        double started = now_seconds();
        pid_t pid = fork();
        if (pid < 0) {
            perror("breathe-bench: fork");
            return 1;
        }
        if (pid == 0) {
            int null = open("/dev/null", O_RDWR);
            if (null >= 0) {
                dup2(null, STDIN_FILENO);
                dup2(null, STDOUT_FILENO);
            }
            execvp(argv[0], argv);
            fprintf(stderr, "breathe-bench: cannot run '%s': %s\n", argv[0], strerror(errno));
            _exit(127);
        }
        int status;
        struct rusage usage;
        if (wait4(pid, &status, 0, &usage) < 0) {
            perror("breathe-bench: wait");
            return 1;
        }
        wall[r] = now_seconds() - started;
        cpu[r] = (double)usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6
                 + (double)usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
        if (usage.ru_maxrss > max_rss)
            max_rss = usage.ru_maxrss;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            failed++;
    }
    double lowest = wall[0], highest = wall[0];
    for (int r = 1; r < runs; r++) {
        lowest = wall[r] < lowest ? wall[r] : lowest;
        highest = wall[r] > highest ? wall[r] : highest;
    }
    printf("runs=%d\tmedian_s=%.4f\tmin_s=%.4f\tmax_s=%.4f\tcpu_median_s=%.4f\t"
           "peak_rss_kib=%ld\tfailed=%d\n",
           runs, median(wall, runs), lowest, highest, median(cpu, runs), max_rss, failed);
    free(wall);
    free(cpu);
    return failed ? 1 : 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: breathe-bench render SESSION [SECONDS]\n"
                    "       breathe-bench time RUNS COMMAND [ARGS...]\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "render") == 0 && argc <= 4)
        return command_render(argv[2], argc == 4 ? argv[3] : NULL);
    if (argc >= 4 && strcmp(argv[1], "time") == 0) {
        int runs = atoi(argv[2]);
        if (runs < 1)
            return usage();
        return command_time(runs, argv + 3);
    }
    return usage();
}
