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
 *   breathe-bench pairs N [--fresh PATH]... COMMAND-A... -- COMMAND-B...
 *       Runs A, B, A, B... N times each, interleaved so both see the same
 *       load, and prints the medians of A's and B's wall, user and system
 *       times and the medians of the per-pair ratios A/B (wall, CPU, user,
 *       system), one line of "name=value" fields. Exits 1 if a run failed.
 *       Each --fresh PATH is removed before every run, outside the time
 *       measured, so that both commands write new files rather than one
 *       replacing its last output (which costs the kernel differently: see
 *       docs/performance.md, "Replacing a file").
 *
 *   breathe-bench floor FORMAT PATH FRAMES
 *       The floor of a format: FRAMES of silence (48 kHz stereo) written
 *       through libsndfile to PATH in blocks of 65536 frames, with the
 *       container, sample format and quality breathe uses for FORMAT (wav:
 *       float; wav16: 16-bit; flac: 24-bit, level 1; ogg: Vorbis quality
 *       0.6; opus; mp3: LAME V4) and libsndfile's defaults otherwise. For
 *       16-bit WAV this is the I/O alone; float WAV adds libsndfile's scan of
 *       every sample for its PEAK chunk (on by default, off in breathe), and
 *       wav-io is float WAV without it, the I/O alone; for the others the
 *       encoder as well, on input that costs it least.
 *
 *   breathe-bench encode FORMAT IN OUT
 *       The encoder alone: reads the audio file IN (breathe's own float WAV
 *       of a render) and writes it to OUT as floor does, in the same blocks.
 *
 * Nothing here decides whether a number is good: bench/run compares them. */
#include <errno.h>
#include <stdbool.h>
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

#include <sndfile.h>

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

typedef struct {
    double wall, user, system;
    long max_rss;
    bool ok;
} run_cost;

/* Runs argv once (output thrown away) and measures it. */
static run_cost run_once(char **argv)
{
    run_cost cost = { 0 };
    double started = now_seconds();
    pid_t pid = fork();
    if (pid < 0)
        return cost;
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
    if (wait4(pid, &status, 0, &usage) < 0)
        return cost;
    cost.wall = now_seconds() - started;
    cost.user = (double)usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6;
    cost.system = (double)usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
    cost.max_rss = usage.ru_maxrss;
    cost.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    return cost;
}

static double ratio(double a, double b)
{
    return b > 0.0 ? a / b : 0.0;
}

/* Removes each of the paths (a NULL-terminated list); one that is not
 * there is what was wanted. */
static void remove_all(char **paths)
{
    for (char **path = paths; *path; path++)
        if (unlink(*path) != 0 && errno != ENOENT)
            fprintf(stderr, "breathe-bench: cannot remove %s: %s\n", *path, strerror(errno));
}

static int command_pairs(int runs, char **argv)
{
    enum { MAX_FRESH = 8 };
    char *fresh[MAX_FRESH + 1] = { NULL };
    int fresh_count = 0;
    while (argv[0] && strcmp(argv[0], "--fresh") == 0) {
        if (!argv[1] || fresh_count == MAX_FRESH)
            return 2;
        fresh[fresh_count++] = argv[1];
        argv += 2;
    }
    char **b = NULL;
    for (char **arg = argv; *arg; arg++)
        if (strcmp(*arg, "--") == 0) {
            *arg = NULL;
            b = arg + 1;
            break;
        }
    if (!b || !*b || !*argv)
        return 2;
    enum { A_WALL, A_USER, A_SYS, B_WALL, B_USER, B_SYS, R_WALL, R_CPU, R_USER, R_SYS, COLUMNS };
    double *v[COLUMNS];
    for (int c = 0; c < COLUMNS; c++)
        if (!(v[c] = calloc((size_t)runs, sizeof(double))))
            return 1;
    int failed = 0;
    long rss_a = 0, rss_b = 0;
    for (int r = 0; r < runs; r++) {
        remove_all(fresh);
        run_cost a = run_once(argv);
        remove_all(fresh);
        run_cost o = run_once(b);
        failed += !a.ok + !o.ok;
        rss_a = a.max_rss > rss_a ? a.max_rss : rss_a;
        rss_b = o.max_rss > rss_b ? o.max_rss : rss_b;
        v[A_WALL][r] = a.wall, v[A_USER][r] = a.user, v[A_SYS][r] = a.system;
        v[B_WALL][r] = o.wall, v[B_USER][r] = o.user, v[B_SYS][r] = o.system;
        v[R_WALL][r] = ratio(a.wall, o.wall);
        v[R_CPU][r] = ratio(a.user + a.system, o.user + o.system);
        v[R_USER][r] = ratio(a.user, o.user);
        v[R_SYS][r] = ratio(a.system, o.system);
    }
    static const char *const names[COLUMNS] = {
        "a_wall_s", "a_user_s", "a_sys_s", "b_wall_s", "b_user_s", "b_sys_s",
        "ratio_wall", "ratio_cpu", "ratio_user", "ratio_sys" };
    printf("runs=%d", runs);
    for (int c = 0; c < COLUMNS; c++) {
        printf("\t%s=%.4f", names[c], median(v[c], runs));
        free(v[c]);
    }
    printf("\ta_peak_rss_kib=%ld\tb_peak_rss_kib=%ld\tfailed=%d\n", rss_a, rss_b, failed);
    return failed ? 1 : 0;
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

enum { WRITE_BLOCK_FRAMES = 65536 };

/* The container, sample format and quality breathe writes each format with
 * (src/out/out_file.c). Otherwise libsndfile's defaults, as the floor was
 * first defined: for float WAV that includes scanning every sample for the
 * PEAK chunk, about a third of a second of CPU an hour, which breathe turns
 * off. "wav-io" turns it off too: float WAV's bytes written and nothing else. */
typedef struct {
    const char *name;
    int format;
    double compression;   /* SFC_SET_COMPRESSION_LEVEL, or < 0 */
    double vbr_quality;   /* SFC_SET_VBR_ENCODING_QUALITY, or < 0 */
    bool no_peak;         /* SFC_SET_ADD_PEAK_CHUNK off */
} bench_format;

static const bench_format bench_formats[] = {
    { "wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, -1, -1, false },
    { "wav-io", SF_FORMAT_WAV | SF_FORMAT_FLOAT, -1, -1, true },
    { "wav16", SF_FORMAT_WAV | SF_FORMAT_PCM_16, -1, -1, false },
    { "flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 0.125, -1, false },
    { "ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, -1, 0.6, false },
    { "opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, -1, -1, false },
    { "mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 0.4, -1, false },
};

static SNDFILE *open_output(const char *name, const char *path, int rate, int channels)
{
    const bench_format *f = NULL;
    for (size_t i = 0; i < sizeof bench_formats / sizeof bench_formats[0]; i++)
        if (strcmp(name, bench_formats[i].name) == 0)
            f = &bench_formats[i];
    if (!f) {
        fprintf(stderr, "breathe-bench: unknown format '%s' (wav, wav-io, wav16, flac, ogg, opus, mp3)\n",
                name);
        return NULL;
    }
    SF_INFO info = { .samplerate = rate, .channels = channels, .format = f->format };
    SNDFILE *file = sf_open(path, SFM_WRITE, &info);
    if (!file) {
        fprintf(stderr, "breathe-bench: cannot write '%s': %s\n", path, sf_strerror(NULL));
        return NULL;
    }
    if (f->no_peak)
        sf_command(file, SFC_SET_ADD_PEAK_CHUNK, NULL, SF_FALSE);
    double level = f->compression;
    if (level >= 0.0)
        sf_command(file, SFC_SET_COMPRESSION_LEVEL, &level, sizeof level);
    double quality = f->vbr_quality;
    if (quality >= 0.0)
        sf_command(file, SFC_SET_VBR_ENCODING_QUALITY, &quality, sizeof quality);
    if ((f->format & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG) {
        int mode = SF_BITRATE_MODE_VARIABLE;
        sf_command(file, SFC_SET_BITRATE_MODE, &mode, sizeof mode);
    }
    return file;
}

static int command_floor(const char *format, const char *path, const char *frames_text)
{
    long long frames = atoll(frames_text);
    SNDFILE *file = open_output(format, path, 48000, 2);
    if (!file || frames <= 0)
        return file ? 2 : 1;
    static float block[2 * WRITE_BLOCK_FRAMES];
    int status = 0;
    for (long long done = 0; done < frames && status == 0;) {
        sf_count_t want = frames - done < WRITE_BLOCK_FRAMES ? frames - done : WRITE_BLOCK_FRAMES;
        if (sf_writef_float(file, block, want) != want)
            status = 1;
        done += want;
    }
    return sf_close(file) != 0 ? 1 : status;
}

static int command_encode(const char *format, const char *in_path, const char *out_path)
{
    SF_INFO in_info = { 0 };
    SNDFILE *in = sf_open(in_path, SFM_READ, &in_info);
    if (!in || in_info.channels < 1 || in_info.channels > 2) {
        fprintf(stderr, "breathe-bench: cannot read '%s' (mono or stereo)\n", in_path);
        return 1;
    }
    SNDFILE *out = open_output(format, out_path, in_info.samplerate, in_info.channels);
    if (!out) {
        sf_close(in);
        return 1;
    }
    static float block[2 * WRITE_BLOCK_FRAMES];
    int status = 0;
    sf_count_t got;
    while (status == 0 && (got = sf_readf_float(in, block, WRITE_BLOCK_FRAMES)) > 0)
        if (sf_writef_float(out, block, got) != got)
            status = 1;
    sf_close(in);
    return sf_close(out) != 0 ? 1 : status;
}

static int usage(void)
{
    fprintf(stderr, "usage: breathe-bench render SESSION [SECONDS]\n"
                    "       breathe-bench time RUNS COMMAND [ARGS...]\n"
                    "       breathe-bench pairs N [--fresh PATH]... COMMAND-A... -- COMMAND-B...\n"
                    "       breathe-bench floor FORMAT PATH FRAMES\n"
                    "       breathe-bench encode FORMAT IN OUT\n");
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
    if (argc >= 6 && strcmp(argv[1], "pairs") == 0) {
        int runs = atoi(argv[2]);
        return runs < 1 ? usage() : command_pairs(runs, argv + 3);
    }
    if (argc == 5 && strcmp(argv[1], "floor") == 0)
        return command_floor(argv[2], argv[3], argv[4]);
    if (argc == 5 && strcmp(argv[1], "encode") == 0)
        return command_encode(argv[2], argv[3], argv[4]);
    return usage();
}
