/* The breathe binary as a user runs it: exit codes, messages, files read
 * back through libsndfile, and files that a failure must leave alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <stdbool.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sndfile.h>

#include "runbreathe.h"
#include "testaudio.h"

typedef runbreathe_result result;

static void run_with_signal(result *r, double signal_after, const char *const *args)
{
    runbreathe(r, NULL, signal_after, SIGINT, args);
}

#define RUN(r, ...) run_with_signal((r), 0, (const char *const[]){ __VA_ARGS__, NULL })

static char *in_dir(const char *name) { return testaudio_path(testaudio_dir, name); }

static char *write_file(const char *name, const char *text)
{
    char *path = testaudio_write_text(testaudio_dir, name, text);
    assert_non_null(path);
    return path;
}

static const char short_session[] =
    "format = 1;\n"
    "title = \"Short\";\n"
    "caution = \"Stop if dizzy.\";\n"
    "background = { noise = \"pink\"; level = -30.0; fade = 1.0; };\n"
    "steps = (\n"
    "  { type = \"bell\"; ring = 2; },\n"
    "  { type = \"breathe\"; label = \"Calm\"; pattern = \"2-3\"; cycles = 2; },\n"
    "  { type = \"timer\"; duration = 2; ticks = 1; }\n"
    ");\n";
#define SHORT_FRAMES (14 * 48000)

static int setup(void **state)
{
    (void)state;
    if (runbreathe_setup() != 0 || testaudio_dir_setup(state) != 0)
        return -1;
    /* The program reads the person's defaults and keeps their history:
     * here, fresh ones inside the test's folder. */
    char *config_home = in_dir("config"), *state_home = in_dir("state");
    char *data_home = in_dir("data");
    setenv("XDG_CONFIG_HOME", config_home, 1);
    setenv("XDG_STATE_HOME", state_home, 1);
    setenv("XDG_DATA_HOME", data_home, 1);
    free(config_home);
    free(state_home);
    free(data_home);
    return 0;
}

/* Writes the defaults file ($XDG_CONFIG_HOME/breathe/config); returns its path. */
static char *write_config(const char *text)
{
    char folder[600];
    snprintf(folder, sizeof folder, "%s/config", testaudio_dir);
    mkdir(folder, 0700);
    snprintf(folder, sizeof folder, "%s/config/breathe", testaudio_dir);
    mkdir(folder, 0700);
    return write_file("config/breathe/config", text);
}

static void remove_config(void)
{
    char *path = in_dir("config/breathe/config");
    unlink(path);
    free(path);
}

static void test_help_and_version(void **state)
{
    (void)state;
    result r;
    RUN(&r, "--help");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Usage: breathe"));
    assert_non_null(strstr(r.out, "--list-devices"));
    RUN(&r, "--version");
    assert_int_equal(r.status, 0);
    assert_true(strncmp(r.out, "breathe ", 8) == 0);
}

static void test_usage_errors_exit_2(void **state)
{
    (void)state;
    result r;
    RUN(&r, "--no-such-option");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "unknown option"));
    RUN(&r, "--volume", "loud", "x.cfg");
    assert_int_equal(r.status, 2);
    RUN(&r, "--latency", "0", "x.cfg");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--latency takes seconds from 0.01 to 2, not 0"));
    RUN(&r, "--latency", "2.5", "x.cfg");
    assert_int_equal(r.status, 2);
    RUN(&r, "--latency", "fast", "x.cfg");
    assert_int_equal(r.status, 2);
    RUN(&r, "--start", "ten", "x.cfg");
    assert_int_equal(r.status, 2);
    RUN(&r, "-o");
    assert_int_equal(r.status, 2);
    const char *argv0[] = { NULL };
    run_with_signal(&r, 0, argv0);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "no session given"));
    RUN(&r, "no-such-session-anywhere");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "no session named 'no-such-session-anywhere'"));
}

/* Two modes, or an option the chosen mode has no use for, are usage
 * errors naming both: nothing is silently dropped, and nothing is written. */
static void test_conflicting_options_are_usage_errors(void **state)
{
    (void)state;
    char *wav = in_dir("never.wav"), *svg = in_dir("never.svg"), *cfg = in_dir("never");
    static const struct {
        const char *args[6];
        const char *said;
    } cases[] = {
        { { "--check", "box-breathing", "-o", "@wav" }, "--check and --output cannot be used together" },
        { { "-o", "@wav", "--check", "box-breathing" }, "--output and --check cannot be used together" },
        { { "--list", "--stats" }, "--list and --stats cannot be used together" },
        { { "--plot", "@svg", "--new", "@cfg" }, "--plot and --new cannot be used together" },
        { { "--list-devices", "--list" }, "--list-devices and --list cannot be used together" },
        { { "--names", "box-breathing" }, "--names goes with --list or --list-devices" },
        { { "--check", "--start", "10", "box-breathing" }, "--start has no use with --check" },
        { { "-o", "@wav", "-d", "0", "box-breathing" }, "--device has no use with --output" },
        { { "-o", "@wav", "--latency", "0.5", "box-breathing" }, "--latency has no use with --output" },
        { { "--stats", "--volume", "3" }, "--volume has no use with --stats" },
        { { "--list", "--length", "10" }, "--length has no use with --list" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[7] = { NULL };
        for (int a = 0; a < 6 && cases[i].args[a]; a++) {
            const char *arg = cases[i].args[a];
            args[a] = strcmp(arg, "@wav") == 0 ? wav : strcmp(arg, "@svg") == 0 ? svg
                      : strcmp(arg, "@cfg") == 0 ? cfg : arg;
        }
        result r;
        run_with_signal(&r, 0, args);
        if (!strstr(r.err, cases[i].said))
            print_error("case %zu printed: %s\n", i, r.err);
        assert_int_equal(r.status, 2);
        assert_non_null(strstr(r.err, cases[i].said));
        assert_non_null(strstr(r.err, "Try 'breathe --help'."));
        assert_string_equal(r.out, "");
    }
    struct stat st;
    assert_int_not_equal(stat(wav, &st), 0);
    assert_int_not_equal(stat(svg, &st), 0);
    assert_int_not_equal(stat(cfg, &st), 0);
    free(wav);
    free(svg);
    free(cfg);
}

/* Relative XDG_DATA_HOME and XDG_DATA_DIRS entries are ignored, as the
 * XDG rules say: they are not searched for sessions. */
static void test_relative_xdg_folders_are_ignored(void **state)
{
    (void)state;
    char *data_home = strdup(getenv("XDG_DATA_HOME"));
    char *absolute = in_dir("data-dir");
    char dirs[1200];
    snprintf(dirs, sizeof dirs, "relative-data:%s", absolute);
    setenv("XDG_DATA_DIRS", dirs, 1);
    setenv("XDG_DATA_HOME", "relative-home", 1);
    result r;
    RUN(&r, "no-such-session-anywhere");
    setenv("XDG_DATA_HOME", data_home, 1);
    unsetenv("XDG_DATA_DIRS");
    assert_int_equal(r.status, 2);
    char expected[1300];
    snprintf(expected, sizeof expected, " %s/breathe/sessions", absolute);
    assert_non_null(strstr(r.err, expected));
    assert_null(strstr(r.err, "relative-data"));
    assert_null(strstr(r.err, "relative-home"));
    free(absolute);
    free(data_home);
}

static void test_check_prints_timeline(void **state)
{
    (void)state;
    char *path = write_file("short.cfg", short_session);
    result r;
    RUN(&r, "--check", path);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Short"));
    assert_non_null(strstr(r.out, "Caution: Stop if dizzy."));
    /* start, length, breaths a minute, label, step: 5 s of 2-3 after the 2 s bell. */
    assert_non_null(strstr(r.out, "per min  label"));
    char *calm = strstr(r.out, "0:02     0:10      12.0  Calm");
    assert_non_null(calm);
    assert_non_null(strstr(calm, "breathe 2-3, 2 cycles\n"));
    assert_non_null(strstr(r.out, "total: 0:14 (672000 frames at 48000 Hz)"));
    free(path);
}

static void test_check_reports_file_line_and_exit_2(void **state)
{
    (void)state;
    char *path = write_file("typo.cfg", "format = 1;\ntitle = \"x\";\n\nsteps = ( { type = \"bell\"; strikez = 2; } );\n");
    result r;
    RUN(&r, "--check", path);
    assert_int_equal(r.status, 2);
    char expected[600];
    snprintf(expected, sizeof expected, "%s:4: ", path);
    assert_true(strncmp(r.err, expected, strlen(expected)) == 0);
    assert_non_null(strstr(r.err, "strikes"));   /* did you mean */
    free(path);
}

static void test_render_wav_is_exact_and_repeatable(void **state)
{
    (void)state;
    char *path = write_file("short.cfg", short_session);
    char *a = in_dir("a.wav"), *b = in_dir("b.wav");
    result r;
    RUN(&r, "-o", a, path);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "wrote"));
    RUN(&r, "-q", "-o", b, path);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "");
    float *x, *y;
    int64_t fx, fy;
    int cx, cy, rx, ry;
    assert_int_equal(testaudio_read(a, &x, &fx, &cx, &rx), 0);
    assert_int_equal(testaudio_read(b, &y, &fy, &cy, &ry), 0);
    assert_int_equal(fx, SHORT_FRAMES);
    assert_int_equal(cx, 2);
    assert_int_equal(rx, 48000);
    assert_int_equal(fx, fy);
    assert_memory_equal(x, y, sizeof(float) * 2 * (size_t)fx);
    /* The files themselves are identical too, not only their samples, even
     * when written at another time (headers can carry a timestamp). */
    struct timespec later = { 1, 100000000 };
    nanosleep(&later, NULL);
    RUN(&r, "-q", "-o", b, path);
    assert_int_equal(r.status, 0);
    char command[1400];
    snprintf(command, sizeof command, "cmp -s '%s' '%s'", a, b);
    assert_int_equal(system(command), 0);
    float peak = 0.0f;
    for (int64_t i = 0; i < 2 * fx; i++)
        peak = fmaxf(peak, fabsf(x[i]));
    assert_true(peak > 0.01f && peak <= powf(10.0f, -1.0f / 20.0f));
    free(x);
    free(y);

    /* FLAC holds the same sound at 24 bits; Ogg the same length. */
    char *flac = in_dir("c.flac"), *ogg = in_dir("d.ogg");
    RUN(&r, "-q", "-o", flac, path);
    assert_int_equal(r.status, 0);
    RUN(&r, "-q", "-o", ogg, path);
    assert_int_equal(r.status, 0);
    assert_int_equal(testaudio_read(a, &x, &fx, &cx, &rx), 0);
    assert_int_equal(testaudio_read(flac, &y, &fy, &cy, &ry), 0);
    assert_int_equal(fy, fx);
    for (int64_t i = 0; i < 2 * fx; i++)
        assert_true(fabsf(x[i] - y[i]) < 1e-6f);
    free(y);
    assert_int_equal(testaudio_read(ogg, &y, &fy, &cy, &ry), 0);
    assert_int_equal(fy, fx);
    free(x);
    free(y);
    free(flac);
    free(ogg);
    free(a);
    free(b);
    free(path);
}


/* What a reader other than breathe (ffprobe) says of a file: "KEY=VALUE"
 * lines for the stream's rate, channels, sample format and duration, and
 * the container's tags. Empty when ffprobe cannot read it. */
static void probe(const char *path, char *out, size_t size)
{
    char command[1200];
    snprintf(command, sizeof command,
             "ffprobe -v error -show_entries stream=sample_rate,channels,codec_name,"
             "duration_ts:format=duration:format_tags:stream_tags -of default=nw=1 '%s' 2>&1",
             path);
    out[0] = '\0';
    FILE *p = popen(command, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    pclose(p);
}

static bool probe_says(const char *probed, const char *line)
{
    const char *at = strstr(probed, line);
    return at != NULL && (at == probed || at[-1] == '\n');
}

/* --format, --bits and --quality: each file read back by libsndfile and by
 * ffprobe; bad choices are one-line usage errors that touch nothing. */
static void test_render_formats_and_sample_formats(void **state)
{
    (void)state;
    char *path = write_file("short.cfg", short_session);
    static const struct {
        const char *name, *options[4], *codec;
        int sf_format;
    } cases[] = {
        { "s16.wav", { "--bits", "16" }, "codec_name=pcm_s16le", SF_FORMAT_WAV | SF_FORMAT_PCM_16 },
        { "s24.wav", { "--bits", "24" }, "codec_name=pcm_s24le", SF_FORMAT_WAV | SF_FORMAT_PCM_24 },
        { "f32.wav", { "--bits", "32f" }, "codec_name=pcm_f32le", SF_FORMAT_WAV | SF_FORMAT_FLOAT },
        { "s16.flac", { "--bits", "16" }, "codec_name=flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16 },
        { "v4.mp3", { NULL }, "codec_name=mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III },
        { "cbr.mp3", { "--quality", "128k" }, "codec_name=mp3",
          SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III },
        { "named.audio", { "--format", "mp3", "--quality", "2" }, "codec_name=mp3",
          SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III },
        { "vorbis.oga", { NULL }, "codec_name=vorbis", SF_FORMAT_OGG | SF_FORMAT_VORBIS },
        { "voice.opus", { NULL }, "codec_name=opus", SF_FORMAT_OGG | SF_FORMAT_OPUS },
        { "as.flac", { "--format", "flac", "--bits", "24" }, "codec_name=flac",
          SF_FORMAT_FLAC | SF_FORMAT_PCM_24 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = in_dir(cases[i].name);
        const char *args[10] = { "-q", "-o", out };
        int n = 3;
        for (int a = 0; a < 4 && cases[i].options[a]; a++)
            args[n++] = cases[i].options[a];
        args[n++] = path;
        result r;
        run_with_signal(&r, 0, args);
        if (r.status != 0)
            print_error("%s: %s\n", cases[i].name, r.err);
        assert_int_equal(r.status, 0);
        SF_INFO info = { 0 };
        SNDFILE *file = sf_open(out, SFM_READ, &info);
        assert_non_null(file);
        sf_close(file);
        assert_int_equal(info.format, cases[i].sf_format);
        assert_int_equal(info.samplerate, 48000);
        assert_int_equal(info.channels, 2);
        char probed[4096];
        probe(out, probed, sizeof probed);
        print_message("%s: %lld frames by libsndfile; ffprobe:\n%s", cases[i].name,
                      (long long)info.frames, probed);
        assert_true(probe_says(probed, cases[i].codec));
        assert_true(probe_says(probed, "sample_rate=48000"));
        assert_true(probe_says(probed, "channels=2"));
        const char *duration = strstr(probed, "\nduration=");
        assert_non_null(duration);
        /* MP3 pads to whole frames of 1152 samples. */
        assert_true(fabs(strtod(duration + 10, NULL) - SHORT_FRAMES / 48000.0) < 0.06);
        if ((cases[i].sf_format & SF_FORMAT_TYPEMASK) != SF_FORMAT_MPEG)
            assert_int_equal(info.frames, SHORT_FRAMES);
        free(out);
    }

    char *keep = write_file("keep.ogg", "keep");
    char *keep_mp3 = write_file("keep.mp3", "keep");
    static const struct {
        const char *args[5];
        const char *said;
    } bad[] = {
        { { "--bits", "8" }, "--bits takes 16, 24 or 32f, not 8" },
        { { "--bits", "16" }, "--bits goes with wav (16, 24, 32f) and flac (16, 24)" },
        { { "--quality", "3" }, "--quality has no use with ogg" },
        { { "--format", "aiff" }, "unknown format 'aiff'; use wav, flac, ogg, opus or mp3" },
        { { "--format", "mp3", "--quality", "500k" }, "not '500k'" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *args[10] = { "-q", "-o", keep };
        int n = 3;
        for (int a = 0; a < 5 && bad[i].args[a]; a++)
            args[n++] = bad[i].args[a];
        args[n++] = path;
        result r;
        run_with_signal(&r, 0, args);
        print_message("%s", r.err);
        assert_int_equal(r.status, 2);
        assert_non_null(strstr(r.err, bad[i].said));
        assert_int_equal((int)(strchr(r.err, '\n') - r.err) + 1, (int)strlen(r.err));
        char text[16];
        testaudio_read_into(keep, text, sizeof text);
        assert_string_equal(text, "keep");
    }
    result r;
    RUN(&r, "-q", "-o", keep_mp3, "--quality", "11", path);
    assert_int_equal(r.status, 2);
    char text[16];
    testaudio_read_into(keep_mp3, text, sizeof text);
    assert_string_equal(text, "keep");
    RUN(&r, "--bits", "16", path);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--bits goes with -o (--output)"));
    RUN(&r, "--check", "--quality", "2", path);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--quality has no use with --check"));
    free(keep);
    free(keep_mp3);
    free(path);
}

/* MP3 with a libsndfile that cannot encode it (tests/no_mpeg.c makes its
 * sf_format_check() refuse MPEG): one line naming the formats there are,
 * exit 2, the file untouched. Skipped under an exe wrapper, which the
 * preload would reach first. */
static void test_mp3_without_mpeg_support(void **state)
{
    (void)state;
    const char *preload = getenv("BREATHE_NO_MPEG_PRELOAD");
    if (runbreathe_wrapper || !preload) {
        skip();
        return;
    }
    char *path = write_file("short.cfg", short_session);
    char *keep = write_file("keep.mp3", "keep");
    /* Under the address sanitizer its runtime must otherwise come first. */
    const char *asan = getenv("ASAN_OPTIONS");
    char *saved_asan = asan ? strdup(asan) : NULL;
    char options[1024];
    snprintf(options, sizeof options, "%s%sverify_asan_link_order=0", asan ? asan : "",
             asan ? ":" : "");
    setenv("ASAN_OPTIONS", options, 1);
    setenv("LD_PRELOAD", preload, 1);
    static const char *const outputs[][4] = {
        { "-o", "KEEP" },
        { "-o", "-", "--format", "mp3" },
        { "-o", "KEEP", "--quality", "128k" },
    };
    for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++) {
        const char *args[8] = { "-q" };
        int n = 1;
        for (int a = 0; a < 4 && outputs[i][a]; a++)
            args[n++] = strcmp(outputs[i][a], "KEEP") == 0 ? keep : outputs[i][a];
        args[n++] = path;
        result r;
        run_with_signal(&r, 0, args);
        print_message("%s", r.err);
        assert_int_equal(r.status, 2);
        assert_non_null(strstr(r.err, "without MPEG"));
        assert_non_null(strstr(r.err, "use wav, flac, ogg or opus"));
        assert_int_equal((int)(strchr(r.err, '\n') - r.err) + 1, (int)strlen(r.err));
        assert_int_equal(r.out[0], '\0');
        char text[16];
        testaudio_read_into(keep, text, sizeof text);
        assert_string_equal(text, "keep");
    }
    unsetenv("LD_PRELOAD");
    if (saved_asan)
        setenv("ASAN_OPTIONS", saved_asan, 1);
    else
        unsetenv("ASAN_OPTIONS");
    free(saved_asan);
    free(keep);
    free(path);
}

/* Title, author, description, date and software as tags, read by ffprobe
 * from every container libsndfile can tag. */
static void test_render_tags(void **state)
{
    (void)state;
    char *path = write_file("tagged.cfg",
                            "format = 1;\ntitle = \"Evening calm\";\nauthor = \"A. Teacher\";\n"
                            "description = \"Slow breaths before sleep.\";\n"
                            "steps = ( { type = \"breathe\"; pattern = \"2-2\"; cycles = 1; } );\n");
    /* The date of a render is SOURCE_DATE_EPOCH's when set: 2023-11-14. */
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    result r;
    RUN(&r, "--version");
    char version[64];   /* "breathe VERSION" */
    snprintf(version, sizeof version, "%.*s", (int)strcspn(r.out, "\n"), r.out);
    static const struct {
        const char *name, *software, *date;
    } cases[] = {
        { "t.wav", "encoder", "date=2023-11-14" },
        { "t.flac", "software", "date=2023-11-14" },
        { "t.ogg", "SOFTWARE", "DATE=2023-11-14" },
        { "t.opus", "ENCODER", "DATE=2023-11-14" },
        { "t.mp3", NULL, "date=2023\n" },   /* ID3 keeps the year */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = in_dir(cases[i].name);
        RUN(&r, "-q", "-o", out, path);
        assert_int_equal(r.status, 0);
        char probed[4096];
        probe(out, probed, sizeof probed);
        print_message("%s:\n%s", cases[i].name, probed);
        for (char *c = probed; *c; c++)   /* Vorbis comments are in capitals */
            if (strncmp(c, "TAG:", 4) == 0)
                for (char *k = c + 4; *k && *k != '='; k++)
                    *k = (char)(*k >= 'A' && *k <= 'Z' ? *k - 'A' + 'a' : *k);
        assert_non_null(strstr(probed, "TAG:title=Evening calm\n"));
        assert_non_null(strstr(probed, "TAG:artist=A. Teacher\n"));
        assert_non_null(strstr(probed, "TAG:comment=Slow breaths before sleep.\n"));
        char want[128];
        snprintf(want, sizeof want, "TAG:%s", cases[i].date);
        for (char *k = want + 4; *k && *k != '='; k++)
            *k = (char)(*k >= 'A' && *k <= 'Z' ? *k - 'A' + 'a' : *k);
        assert_non_null(strstr(probed, want));
        if (cases[i].software) {
            snprintf(want, sizeof want, "TAG:%s=%s", cases[i].software, version);
            for (char *k = want + 4; *k && *k != '='; k++)
                *k = (char)(*k >= 'A' && *k <= 'Z' ? *k - 'A' + 'a' : *k);
            assert_non_null(strstr(probed, want));
        }
        free(out);
    }
    unsetenv("SOURCE_DATE_EPOCH");
    /* --check shows nothing new. */
    RUN(&r, "--check", path);
    assert_int_equal(r.status, 0);
    assert_null(strstr(r.out, version));
    free(path);
}


/* Runs a shell command line in the test's folder with $B set to breathe
 * (behind the wrapper of a cross build); its standard output and error
 * into out. Returns its exit status. */
static int shell(char *out, size_t size, const char *command)
{
    char line[4096];
    snprintf(line, sizeof line, "cd '%s' && B='%s%s%s' && %s 2>&1", testaudio_dir,
             runbreathe_wrapper ? runbreathe_wrapper : "", runbreathe_wrapper ? " " : "",
             runbreathe_binary, command);
    FILE *p = popen(line, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* -o - : the render on standard output, WAV (its length announced) or any
 * container --format names, read from the pipe by sox, ffmpeg and
 * ffprobe; a reader that closes the pipe ends it quietly with status 1,
 * and nothing is left behind. */
static void test_render_to_a_pipe(void **state)
{
    (void)state;
    char *path = write_file("short.cfg", short_session);
    char *said_path = in_dir("said"), *status_path = in_dir("status");
    char out[8192];
    assert_int_equal(shell(out, sizeof out, "$B -o - short.cfg 2>said | sox -t wav - -n stat"), 0);
    print_message("sox:\n%s", out);
    assert_non_null(strstr(out, "Length (seconds):     14.000000"));
    assert_null(strstr(out, "WARN"));   /* the length is in the header */
    char said[256];
    testaudio_read_into(said_path, said, sizeof said);
    assert_string_equal(said, "wrote standard output (0:14)\n");

    /* Tags and cue points come in the header, before the samples. */
    assert_int_equal(shell(out, sizeof out, "$B -q -o - short.cfg | ffprobe -v warning "
                                            "-show_chapters -show_entries format_tags "
                                            "-of csv=p=0 -"), 0);
    print_message("ffprobe:\n%s", out);
    assert_non_null(strstr(out, "1,1/48000,0,0.000000,96000,2.000000,bell\n"));
    assert_non_null(strstr(out, ",Calm\n"));
    assert_non_null(strstr(out, ",timer\n"));
    assert_non_null(strstr(out, "Short,"));
    /* Into a file, even one already written to: the same samples as -o. */
    char *file = in_dir("file.wav"), *redirected = in_dir("redirected.wav");
    result r;
    RUN(&r, "-q", "-o", file, path);
    assert_int_equal(r.status, 0);
    assert_int_equal(shell(out, sizeof out, "$B -q -o - short.cfg > redirected.wav && "
                                            "soxi redirected.wav >/dev/null"), 0);
    assert_string_equal(out, "");
    float *x, *y;
    int64_t fx, fy;
    int c, rate;
    assert_int_equal(testaudio_read(file, &x, &fx, &c, &rate), 0);
    assert_int_equal(testaudio_read(redirected, &y, &fy, &c, &rate), 0);
    assert_int_equal(fx, SHORT_FRAMES);
    assert_int_equal(fy, SHORT_FRAMES);
    assert_memory_equal(x, y, sizeof(float) * 2 * (size_t)fx);
    free(x);
    free(y);
    unlink(file);
    unlink(redirected);
    free(file);
    free(redirected);

    assert_int_equal(shell(out, sizeof out, "$B -q -o - --bits 16 short.cfg | "
                                            "ffmpeg -v error -f wav -i - -f s16le - | wc -c"), 0);
    assert_int_equal(atol(out), SHORT_FRAMES * 4L);
    assert_int_equal(shell(out, sizeof out, "$B -q -o - --bits 24 short.cfg | "
                                            "sox -t wav - -t raw - | wc -c"), 0);
    assert_int_equal(atol(out), SHORT_FRAMES * 6L);

    static const char *const containers[][2] = {
        { "flac", "codec_name=flac" }, { "ogg", "codec_name=vorbis" },
        { "opus", "codec_name=opus" }, { "mp3", "codec_name=mp3" },
    };
    for (size_t i = 0; i < sizeof containers / sizeof containers[0]; i++) {
        char command[256];
        snprintf(command, sizeof command, "$B -q -o - --format %s short.cfg | ffprobe -v error "
                 "-show_entries stream=codec_name,sample_rate,channels -of default=nw=1 -",
                 containers[i][0]);
        assert_int_equal(shell(out, sizeof out, command), 0);
        print_message("%s: %s", containers[i][0], out);
        assert_non_null(strstr(out, containers[i][1]));
        assert_non_null(strstr(out, "sample_rate=48000"));
        assert_non_null(strstr(out, "channels=2"));
    }

    int before = testaudio_count_entries(testaudio_dir);
    static const char *const closed[] = { "", "--format flac", "--format mp3" };
    for (size_t i = 0; i < sizeof closed / sizeof closed[0]; i++) {
        char command[256];
        snprintf(command, sizeof command, "($B -o - %s box-breathing 2>said; echo $? >status) | "
                 "head -c 1000 >/dev/null", closed[i]);
        assert_int_equal(shell(out, sizeof out, command), 0);
        char status[16];
        testaudio_read_into(status_path, status, sizeof status);
        testaudio_read_into(said_path, said, sizeof said);
        print_message("closed pipe %s: status %s, said '%s'\n", closed[i], status, said);
        assert_string_equal(status, "1\n");
        assert_string_equal(said, "");
        unlink(status_path);
        unlink(said_path);
    }
    assert_int_equal(testaudio_count_entries(testaudio_dir), before - 1);   /* "said" */
    free(said_path);
    free(status_path);
    free(path);
}


/* --labels: the steps as an Audacity label track (start, end, label, tab-
 * separated), for a file or a pipe alike; only with -o. */
static void test_labels_file(void **state)
{
    (void)state;
    char *path = write_file("short.cfg", short_session);
    char *wav = in_dir("labelled.wav"), *labels = in_dir("steps.txt");
    result r;
    RUN(&r, "-q", "-o", wav, "--labels", labels, path);
    assert_int_equal(r.status, 0);
    char text[1024];
    testaudio_read_into(labels, text, sizeof text);
    print_message("%s", text);
    double start[3], end[3];
    char label[3][64];
    const char *at = text;
    for (int i = 0; i < 3; i++) {
        int used = 0;
        assert_int_equal(sscanf(at, "%lf\t%lf\t%63[^\t\n]\n%n", &start[i], &end[i], label[i],
                                &used), 3);
        at += used;
    }
    assert_string_equal(at, "");
    assert_true(start[0] == 0.0);
    assert_true(end[0] == start[1] && end[1] == start[2]);
    assert_true(start[1] > 0.0 && start[2] > start[1]);
    assert_true(fabs(end[2] - SHORT_FRAMES / 48000.0) < 1e-6);
    assert_string_equal(label[1], "Calm");

    /* The same from a pipe, with --start: times from the file's start. */
    char *piped = in_dir("piped.txt");
    char command[1200];
    snprintf(command, sizeof command, "$B -q -o - --start 3 --labels '%s' short.cfg | wc -c",
             piped);
    char out[256];
    assert_int_equal(shell(out, sizeof out, command), 0);
    testaudio_read_into(piped, text, sizeof text);
    print_message("%s", text);
    double first_end;
    assert_int_equal(sscanf(text, "0.000000\t%lf\t", &first_end), 1);
    assert_true(fabs(first_end - (end[1] - 3.0)) < 1e-6);   /* "Calm", from 3 s on */

    RUN(&r, "--labels", labels, path);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--labels goes with -o (--output)"));

    /* A labels file that cannot be written is found out before the render:
     * the existing output file is left as it was. */
    char *kept = write_file("kept.wav", "an existing file\n");
    RUN(&r, "-q", "-o", kept, "--labels", "/nonexistent-folder/steps.txt", path);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "cannot write '/nonexistent-folder/steps.txt'"));
    char still[64] = "";
    testaudio_read_into(kept, still, sizeof still);
    assert_string_equal(still, "an existing file\n");
    free(kept);
    free(piped);
    free(wav);
    free(labels);
    free(path);
}


/* WAV files read without a word from soxi and ffprobe, and carry the steps
 * as cue points with their labels (ffprobe shows them as chapters). */
static void test_wav_cues_and_quiet_readers(void **state)
{
    (void)state;
    char *path = write_file("short.cfg", short_session);
    static const char *const bits[] = { "32f", "16", "24" };
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "cues%s.wav", bits[i]);
        char *wav = in_dir(name);
        result r;
        RUN(&r, "-q", "-o", wav, "--bits", bits[i], path);
        assert_int_equal(r.status, 0);
        char command[1200], out[4096];
        snprintf(command, sizeof command, "soxi '%s' >/dev/null && sox '%s' -n && "
                 "ffprobe -v warning -show_chapters -of csv=p=0 '%s'", wav, wav, wav);
        assert_int_equal(shell(out, sizeof out, command), 0);
        print_message("--bits %s:\n%s", bits[i], out);
        assert_string_equal(out, "1,1/48000,0,0.000000,96000,2.000000,bell\n"
                                 "2,1/48000,96000,2.000000,576000,12.000000,Calm\n"
                                 "3,1/48000,576000,12.000000,672000,14.000000,timer\n");
        free(wav);
    }
    free(path);
}

static void test_volume_scales_output(void **state)
{
    (void)state;
    char *path = write_file("tone.cfg",
                            "format = 1; title = \"t\";\n"
                            "steps = ( { type = \"breathe\"; pattern = \"2-2\"; cycles = 1; } );\n");
    char *a = in_dir("loud.wav"), *b = in_dir("soft.wav");
    result r;
    RUN(&r, "-q", "-o", a, path);
    assert_int_equal(r.status, 0);
    RUN(&r, "-q", "--volume", "-6", "-o", b, path);
    assert_int_equal(r.status, 0);
    float *x, *y;
    int64_t fx, fy;
    int c, rate;
    assert_int_equal(testaudio_read(a, &x, &fx, &c, &rate), 0);
    assert_int_equal(testaudio_read(b, &y, &fy, &c, &rate), 0);
    double gain = pow(10.0, -6.0 / 20.0);
    for (int64_t i = 0; i < 2 * fx; i += 97)
        assert_true(fabs(y[i] - x[i] * gain) < 1e-5);
    free(x);
    free(y);
    free(a);
    free(b);
    free(path);
}

static void test_failed_render_keeps_existing_file(void **state)
{
    (void)state;
    char *bad = write_file("bad.cfg", "format = 1;\ntitle = \"x\";\nsteps = ( { type = \"breathe\"; } );\n");
    char *good = write_file("short.cfg", short_session);
    char *target = write_file("precious.wav", "precious bytes");
    result r;
    RUN(&r, "-o", target, bad);
    assert_int_equal(r.status, 2);
    char text[64];
    testaudio_read_into(target, text, sizeof text);
    assert_string_equal(text, "precious bytes");

    /* An unknown format is a usage error that touches nothing. */
    char *odd = write_file("precious.xyz", "keep");
    RUN(&r, "-o", odd, good);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "use .wav, .flac, .ogg, .oga, .opus or .mp3"));
    assert_int_equal((int)(strchr(r.err, '\n') - r.err) + 1, (int)strlen(r.err));
    testaudio_read_into(odd, text, sizeof text);
    assert_string_equal(text, "keep");

    /* A folder that does not exist: a runtime failure, exit 1. */
    char *nowhere = in_dir("missing-folder/out.wav");
    RUN(&r, "-o", nowhere, good);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "cannot write"));
    free(nowhere);
    free(odd);
    free(target);
    free(good);
    free(bad);
}

static int count_entries(const char *folder)
{
    char command[600];
    snprintf(command, sizeof command, "ls -A '%s' | wc -l", folder);
    FILE *p = popen(command, "r");
    int n = -1;
    if (p) {
        if (fscanf(p, "%d", &n) != 1)
            n = -1;
        pclose(p);
    }
    return n;
}

static void test_interrupted_render_leaves_nothing(void **state)
{
    (void)state;
    char *sub = in_dir("interrupt");
    assert_int_equal(mkdir(sub, 0755), 0);
    char *path = write_file("forever.cfg",
                            "format = 1; title = \"f\";\n"
                            "background = { noise = \"brown\"; };\n"
                            "steps = ( { type = \"repeat\"; forever = true; steps = (\n"
                            "  { type = \"breathe\"; pattern = \"4-6\"; cycles = 3; } ); } );\n");
    char target[600];
    snprintf(target, sizeof target, "%s/long.flac", sub);
    result r;
    run_with_signal(&r, 0.5, (const char *const[]){ "-q", "-o", target, "--length", "20h",
                                                    path, NULL });
    assert_int_equal(r.status, 130);
    assert_int_equal(count_entries(sub), 0);
    free(path);
    free(sub);
}

static void test_forever_needs_length_to_render(void **state)
{
    (void)state;
    char *path = write_file("forever.cfg",
                            "format = 1; title = \"f\";\n"
                            "steps = ( { type = \"repeat\"; forever = true; steps = (\n"
                            "  { type = \"timer\"; duration = 5; } ); } );\n");
    char *out = in_dir("forever.wav");
    result r;
    RUN(&r, "-o", out, path);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--length"));
    RUN(&r, "-q", "-o", out, "--length", "12.5", path);
    assert_int_equal(r.status, 0);
    float *x;
    int64_t frames;
    int c, rate;
    assert_int_equal(testaudio_read(out, &x, &frames, &c, &rate), 0);
    assert_int_equal(frames, 600000);
    free(x);
    RUN(&r, "--check", path);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "runs until stopped"));
    free(out);
    free(path);
}

/* More sounds at once than the engine mixes: the render still succeeds,
 * and says how many were left out (150 strikes, 96 at once). */
static void test_too_many_sounds_are_reported(void **state)
{
    (void)state;
    char *path = write_file("crowd.cfg",
                            "format = 1; title = \"crowd\";\n"
                            "steps = ( { type = \"bell\"; strikes = 150; interval = 0.02;"
                            " ring = 6.0; level = -40.0; } );\n");
    char *out = in_dir("crowd.wav");
    result r;
    RUN(&r, "-q", "-o", out, path);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "54 sounds were left out: more than 96"));
    RUN(&r, "-q", "-o", out, "--length", "1", path);   /* 50 strikes: none left out */
    assert_int_equal(r.status, 0);
    assert_null(strstr(r.err, "left out"));
    unlink(out);
    free(out);
    free(path);
}

static void test_start_skips_into_the_session(void **state)
{
    (void)state;
    char *path = write_file("short.cfg", short_session);
    char *out = in_dir("tail.wav");
    result r;
    RUN(&r, "-q", "--start", "10", "-o", out, path);
    assert_int_equal(r.status, 0);
    float *x;
    int64_t frames;
    int c, rate;
    assert_int_equal(testaudio_read(out, &x, &frames, &c, &rate), 0);
    assert_int_equal(frames, SHORT_FRAMES - 10 * 48000);
    free(x);
    RUN(&r, "--start", "1m", "-o", out, path);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "past the end"));
    free(out);
    free(path);
}

static void test_missing_device_is_a_runtime_failure(void **state)
{
    (void)state;
    char *path = write_file("short.cfg", short_session);
    result r;
    RUN(&r, "-q", "-d", "no-such-device-anywhere", path);
    assert_int_equal(r.status, 1);
    assert_true(strstr(r.err, "no-such-device-anywhere") || strstr(r.err, "no audio output device"));
    free(path);
}

/* Every malformed session of tests/bad/ (first line "# expect: LINE: msg")
 * makes the program exit 2 with exactly that line on standard error. */
static void test_every_bad_session_exits_2_with_its_line(void **state)
{
    (void)state;
    DIR *bad = opendir("bad");
    assert_non_null(bad);
    struct dirent *entry;
    int checked = 0;
    while ((entry = readdir(bad)) != NULL) {
        size_t n = strlen(entry->d_name);
        if (n < 5 || strcmp(entry->d_name + n - 4, ".cfg") != 0)
            continue;
        char path[512], first[1024], expected[1600];
        snprintf(path, sizeof path, "bad/%s", entry->d_name);
        testaudio_read_into(path, first, sizeof first);
        first[strcspn(first, "\n")] = '\0';
        assert_true(strncmp(first, "# expect: ", 10) == 0);
        snprintf(expected, sizeof expected, "%s:%s\n", path, first + 10);
        result r;
        RUN(&r, "--check", path);
        if (r.status != 2)
            fail_msg("%s: exit status %d, not 2", path, r.status);
        size_t length = strlen(expected);
        bool prefix = length > 4 && strcmp(expected + length - 4, "...\n") == 0;
        /* The program also searches the installed audio folders: the list
         * of places looked in goes on past the session's own. */
        char *looked = strstr(expected, " (looked in ");
        if (looked && !prefix) {
            length = (size_t)(strchr(looked, ')') - expected) + 4;
            prefix = true;
        }
        if (prefix ? strncmp(r.err, expected, length - 4) != 0 : strcmp(r.err, expected) != 0)
            fail_msg("%s: printed\n%sinstead of\n%s", path, r.err, expected);
        checked++;
    }
    closedir(bad);
    assert_true(checked >= 35);
}

static void test_bundled_sessions_by_name(void **state)
{
    (void)state;
    result r;
    RUN(&r, "--check", "box-breathing");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "total:"));
    RUN(&r, "--list");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "box-breathing"));
    assert_non_null(strstr(r.out, "resonance-breathing"));
    /* The sessions a programme builds on are found by these names. */
    const char *programme_sessions[] = { "neck-strength-1", "neck-strength-2", "movement-break",
                                         "ergonomics-check", "sleep-wind-down", "about-neck-pain",
                                         "neck-range-of-motion" };
    size_t count = sizeof programme_sessions / sizeof *programme_sessions;
    for (size_t i = 0; i < count; i++) {
        if (!strstr(r.out, programme_sessions[i]))
            fail_msg("--list does not show %s:\n%s", programme_sessions[i], r.out);
    }
    for (size_t i = 0; i < count; i++) {
        RUN(&r, "--check", programme_sessions[i]);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.err, "");
    }
}

/* --list shows each session's description and author on a line under it,
 * cut to 80 columns when the output is not a terminal; --check shows them
 * whole; --list --names only the names. */
/* --list reads sessions without decoding their audio, yet gives the same
 * lengths as --check (cue files at other rates included), marks a session
 * whose audio is missing or is not audio, and has no limit on how many
 * sessions a folder holds. */
static void test_list_lengths_missing_audio_and_many_sessions(void **state)
{
    (void)state;
    char folder[600];
    const char *parts[] = { "data", "data/breathe", "data/breathe/sessions" };
    for (int i = 0; i < 3; i++) {
        snprintf(folder, sizeof folder, "%s/%s", testaudio_dir, parts[i]);
        mkdir(folder, 0700);
    }
    /* A 7.3 s cue at 22.05 kHz: 7.3 * 48000 frames at the session's rate. */
    char *cue = in_dir("data/breathe/sessions/long-cue.wav");
    testaudio_burst burst = { .rate = 22050, .start = 0, .length = 160965, .hz = 440.0,
                              .amplitude = 0.3 };
    assert_int_equal(testaudio_write_burst(cue, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 160965,
                                           &burst), 0);
    char *text = write_file("data/breathe/sessions/not-audio.wav", "just words\n");
    char *good = write_file("data/breathe/sessions/a-cued.cfg",
                            "title = \"Cued\";\n"
                            "steps = ( { type = \"cue\"; file = \"long-cue.wav\"; gap = 1; },\n"
                            "  { type = \"bell\"; ring = 1; } );\n");
    char *missing = write_file("data/breathe/sessions/b-missing.cfg",
                               "title = \"Missing\";\n"
                               "steps = ( { type = \"cue\"; file = \"no-such.wav\"; } );\n");
    char *bad = write_file("data/breathe/sessions/c-not-audio.cfg",
                           "title = \"Not audio\";\n"
                           "steps = ( { type = \"cue\"; file = \"not-audio.wav\"; } );\n");
    result r;
    RUN(&r, "--check", good);
    assert_int_equal(r.status, 0);
    const char *total = strstr(r.out, "total: ");
    assert_non_null(total);
    char length[32] = "";
    assert_int_equal(sscanf(total, "total: %31s", length), 1);
    RUN(&r, "--list");
    assert_int_equal(r.status, 0);
    char line[256];
    snprintf(line, sizeof line, "  %-28s %8s  Cued\n", "a-cued", length);
    if (!strstr(r.out, line))
        print_error("--list printed:\n%s\nwithout: %s", r.out, line);
    assert_non_null(strstr(r.out, line));
    snprintf(line, sizeof line, "  %-28s %8s  (does not load: try breathe --check %s)\n",
             "b-missing", "?", missing);
    assert_non_null(strstr(r.out, line));
    snprintf(line, sizeof line, "  %-28s %8s  (does not load: try breathe --check %s)\n",
             "c-not-audio", "?", bad);
    assert_non_null(strstr(r.out, line));

    /* 600 more sessions in the folder: every one is listed. */
    enum { MANY = 600 };
    for (int i = 0; i < MANY; i++) {
        char name[64];
        snprintf(name, sizeof name, "data/breathe/sessions/many-%03d.cfg", i);
        free(write_file(name, "title = \"Many\";\nsteps = ( { type = \"bell\"; ring = 1; } );\n"));
    }
    RUN(&r, "--list", "--names");
    assert_int_equal(r.status, 0);
    int listed = 0;
    for (const char *p = r.out; (p = strstr(p, "many-")); p++)
        listed++;
    assert_int_equal(listed, MANY);
    assert_non_null(strstr(r.out, "many-599\n"));
    for (int i = 0; i < MANY; i++) {
        char name[64];
        snprintf(name, sizeof name, "data/breathe/sessions/many-%03d.cfg", i);
        char *path = in_dir(name);
        unlink(path);
        free(path);
    }
    unlink(good);
    unlink(missing);
    unlink(bad);
    unlink(text);
    unlink(cue);
    free(good);
    free(missing);
    free(bad);
    free(text);
    free(cue);
}

static void test_list_and_check_show_description_and_author(void **state)
{
    (void)state;
    char folder[600];
    snprintf(folder, sizeof folder, "%s/data", testaudio_dir);
    mkdir(folder, 0700);
    snprintf(folder, sizeof folder, "%s/data/breathe", testaudio_dir);
    mkdir(folder, 0700);
    snprintf(folder, sizeof folder, "%s/data/breathe/sessions", testaudio_dir);
    mkdir(folder, 0700);
    char *described = write_file("data/breathe/sessions/aa-described.cfg",
                                 "title = \"Described\";\n"
                                 "description = \"Slow breaths.\";\n"
                                 "author = \"Sam Doe\";\n"
                                 "steps = ( { type = \"bell\"; ring = 1; } );\n");
    char *wordy = write_file("data/breathe/sessions/ab-wordy.cfg",
                             "title = \"Wordy\";\n"
                             "description = \"One two three four five six seven eight nine ten "
                             "eleven twelve thirteen fourteen fifteen sixteen.\";\n"
                             "author = \"Ann\";\n"
                             "steps = ( { type = \"bell\"; ring = 1; } );\n");
    char *bare = write_file("data/breathe/sessions/ac-bare.cfg",
                            "title = \"Bare\";\nauthor = \"Kim\";\n"
                            "steps = ( { type = \"bell\"; ring = 1; } );\n");
    result r;
    RUN(&r, "--list");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "  Described\n    Slow breaths. (by Sam Doe)\n  ab-wordy "));
    /* Cut to 79 columns, the author kept. */
    const char *cut = strstr(r.out, "\n    One two three four five six seven eight nine ten ");
    assert_non_null(cut);
    cut++;
    const char *end = strchr(cut, '\n');
    assert_non_null(end);
    assert_int_equal(end - cut, 79);
    static const char tail[] = "... (by Ann)";
    assert_true(strncmp(end - strlen(tail), tail, strlen(tail)) == 0);
    assert_non_null(strstr(r.out, "  Bare\n    by Kim\n"));
    RUN(&r, "--list", "--names");
    assert_int_equal(r.status, 0);
    static const char names[] = "aa-described\nab-wordy\nac-bare\n";
    assert_true(strncmp(r.out, names, strlen(names)) == 0);
    RUN(&r, "--check", described);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, ": Described\n  Slow breaths.\n  by Sam Doe\n"));
    unlink(described);
    unlink(wordy);
    unlink(bare);
    free(described);
    free(wordy);
    free(bare);
}

/* The defaults file: device and volume for live playback, quiet and a
 * session for everything; options override it; a problem in it exits 2. */
static void test_user_defaults(void **state)
{
    (void)state;
    char *path = write_file("tone.cfg",
                            "format = 1; title = \"t\";\n"
                            "steps = ( { type = \"breathe\"; pattern = \"2-2\"; cycles = 1; } );\n");
    char *plain = in_dir("plain.wav"), *with = in_dir("with-config.wav");
    result r;
    RUN(&r, "-q", "-o", plain, path);
    assert_int_equal(r.status, 0);

    /* A render is the same whoever makes it: the kept volume is for playing. */
    char *config = write_config("volume = -12.0;\nquiet = true;\n");
    RUN(&r, "-o", with, path);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "");   /* quiet = true */
    char command[1400];
    snprintf(command, sizeof command, "cmp -s '%s' '%s'", plain, with);
    assert_int_equal(system(command), 0);

    /* The kept device is used for playing, and -d overrides it. */
    free(write_config("device = \"kept-device-nowhere\";\n"));
    RUN(&r, "-q", path);
    assert_int_equal(r.status, 1);
    assert_true(strstr(r.err, "kept-device-nowhere") || strstr(r.err, "no audio output device"));
    char note[1400];
    snprintf(note, sizeof note, "breathe: the device 'kept-device-nowhere' is set in %s; give -d "
             "to choose another\n", config);
    assert_non_null(strstr(r.err, note));
    RUN(&r, "-q", "-d", "given-device-nowhere", path);
    assert_int_equal(r.status, 1);
    assert_null(strstr(r.err, "kept-device-nowhere"));

    /* With a kept session, no session on the command line plays that one. */
    char text[1200];
    snprintf(text, sizeof text, "session = \"%s\";\n", path);
    free(write_config(text));
    RUN(&r, "-q", "-o", with, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(system(command), 0);

    /* A problem: FILE:LINE: message, exit 2, and nothing played or written. */
    free(write_config("volume = -6.0;\n\nvolum = -3.0;\n"));
    unlink(with);
    RUN(&r, "-q", "-o", with, path);
    assert_int_equal(r.status, 2);
    char expected[1200];
    snprintf(expected, sizeof expected,
             "%s:3: unknown setting 'volum'; the settings are device, volume, latency, quiet, "
             "session, history, hr_device, listen, web_token and web_hosts\n", config);
    assert_string_equal(r.err, expected);
    assert_int_equal(access(with, F_OK), -1);
    /* --help, --check and --list do not depend on it. */
    RUN(&r, "--help");
    assert_int_equal(r.status, 0);
    RUN(&r, "--check", path);
    assert_int_equal(r.status, 0);
    remove_config();
    free(config);
    free(plain);
    free(with);
    free(path);
}

/* ALSA_CONFIG_PATH as it was before use_null_audio_device() (the valgrind
 * setup sets it), to put back. */
static char *kept_alsa_config;

static void restore_audio_devices(void)
{
    if (kept_alsa_config)
        setenv("ALSA_CONFIG_PATH", kept_alsa_config, 1);
    else
        unsetenv("ALSA_CONFIG_PATH");
    free(kept_alsa_config);
    kept_alsa_config = NULL;
}

/* Live playback on ALSA's null device (the configuration valgrind runs the
 * tests with): sound goes nowhere, faster than real time. False, and the
 * test is skipped, when PortAudio finds no device even so. Undone by
 * restore_audio_devices(). The null device leaves its latency unset
 * (valgrind sees it uninitialised), so the tests choose one. */
static bool use_null_audio_device(void)
{
    const char *source = getenv("BREATHE_SOURCE_DIR");
    assert_non_null(source);
    const char *kept = getenv("ALSA_CONFIG_PATH");
    kept_alsa_config = kept ? strdup(kept) : NULL;
    char config[4096];
    snprintf(config, sizeof config, "%s/tests/valgrind-alsa.conf", source);
    setenv("ALSA_CONFIG_PATH", config, 1);
    result r;
    RUN(&r, "--list-devices", "--names");
    if (r.status != 0 || r.out[0] == '\0') {
        restore_audio_devices();
        return false;
    }
    return true;
}

/* A session's caution is printed before it plays, even with -q or
 * quiet = true; the title is not. A render prints neither. */
static void test_caution_is_printed_even_when_quiet(void **state)
{
    (void)state;
    if (!use_null_audio_device())
        skip();
    char *path = write_file("short.cfg", short_session);
    free(write_config("history = false;\nlatency = 0.1;\n"));
    result r;
    RUN(&r, path);
    assert_int_equal(r.status, 0);
    assert_true(strncmp(r.out, "Short\nCaution: Stop if dizzy.\n", 30) == 0);
    RUN(&r, "-q", path);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "Caution: Stop if dizzy.\n");
    free(write_config("history = false;\nlatency = 0.1;\nquiet = true;\n"));
    RUN(&r, path);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "Caution: Stop if dizzy.\n");
    char *wav = in_dir("caution.wav");
    RUN(&r, "-o", wav, path);
    assert_int_equal(r.status, 0);
    assert_null(strstr(r.out, "Caution"));
    /* An empty caution is none: nothing is printed. */
    char *blank = write_file("blank.cfg",
                             "title = \"Blank\"; caution = \" \";\n"
                             "steps = ( { type = \"bell\"; ring = 1; } );\n");
    RUN(&r, blank);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "");
    RUN(&r, "--check", blank);
    assert_null(strstr(r.out, "Caution"));
    remove_config();
    restore_audio_devices();
    unlink(wav);
    free(blank);
    free(wav);
    free(path);
}

/* SIGHUP (the terminal gone) and SIGQUIT (Ctrl-\) stop a live session as
 * SIGTERM does: a fade, the history line of a stopped session, status 130. */
static void test_hangup_stops_like_sigterm(void **state)
{
    (void)state;
    if (!use_null_audio_device())
        skip();
    char *path = write_file("forever.cfg",
                            "format = 1; title = \"f\";\n"
                            "steps = ( { type = \"repeat\"; forever = true; steps = (\n"
                            "  { type = \"breathe\"; pattern = \"4-6\"; cycles = 3; } ); } );\n");
    char *state_home = in_dir("hangup-state");
    char *history = in_dir("hangup-state/breathe/history");
    const char *kept = getenv("XDG_STATE_HOME");
    char *kept_copy = kept ? strdup(kept) : NULL;
    setenv("XDG_STATE_HOME", state_home, 1);
    static const int signals[] = { SIGHUP, SIGQUIT, SIGTERM };
    enum { SIGNALS = sizeof signals / sizeof signals[0] };
    result r[SIGNALS];
    /* The title is printed just before the signals are caught. */
    for (size_t i = 0; i < SIGNALS; i++)
        runbreathe(&r[i], "f\n", 0.5, signals[i],
                 (const char *const[]){ "--latency", "0.1", path, NULL });
    if (kept_copy)
        setenv("XDG_STATE_HOME", kept_copy, 1);
    restore_audio_devices();
    char text[4096];
    testaudio_read_into(history, text, sizeof text);
    char *line = text;
    for (size_t i = 0; i < SIGNALS; i++) {
        if (r[i].status != 130)
            fail_msg("signal %d: status %d, not 130\n%s", signals[i], r[i].status, r[i].err);
        /* One line each: when, then "stopped", no planned length. */
        char *outcome = strchr(line, '\t');
        assert_non_null(outcome);
        assert_true(strncmp(outcome, "\tstopped\t-\t", strlen("\tstopped\t-\t")) == 0);
        line = strchr(line, '\n');
        assert_non_null(line);
        line++;
    }
    free(kept_copy);
    free(history);
    free(state_home);
    free(path);
}

/* Only playing and rendering read the defaults file: --plot, --new, --stats,
 * --safety and --check never play its session, and a mistake in it does
 * not stop them. */
static void test_modes_that_never_play_ignore_the_defaults(void **state)
{
    (void)state;
    char *path = write_file("short.cfg", short_session);
    char *svg = in_dir("never.svg");
    char text[1200];
    snprintf(text, sizeof text, "session = \"%s\";\ndevice = \"kept-device-nowhere\";\n",
             path);
    char *config = write_config(text);
    result r;
    RUN(&r, "--plot", svg);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--plot needs a session"));
    assert_null(strstr(r.err, "kept-device-nowhere"));
    assert_int_equal(access(svg, F_OK), -1);
    /* No session and a name breathe cannot write: that is what is said. */
    char *odd = in_dir("out.xyz");
    RUN(&r, "-o", odd);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "cannot tell the output format from the name"));
    assert_int_equal(access(odd, F_OK), -1);
    remove_config();
    RUN(&r, "-o", odd);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "cannot tell the output format from the name"));

    free(write_config("volum = -3.0;\n"));
    RUN(&r, "-q", "--plot", svg, path);
    assert_int_equal(r.status, 0);
    assert_int_equal(access(svg, F_OK), 0);
    char *fresh = in_dir("fresh");
    RUN(&r, "-q", "--new", fresh);
    assert_int_equal(r.status, 0);
    RUN(&r, "--stats");
    assert_int_equal(r.status, 0);
    RUN(&r, "--safety");
    assert_int_equal(r.status, 0);
    RUN(&r, "--check", path);
    assert_int_equal(r.status, 0);
    /* Playing and rendering do read it. */
    RUN(&r, "-q", path);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "unknown setting 'volum'"));
    remove_config();
    char *fresh_file = in_dir("fresh.cfg");
    unlink(fresh_file);
    unlink(svg);
    free(fresh_file);
    free(fresh);
    free(odd);
    free(config);
    free(svg);
    free(path);
}

/* --stats on a history prepared in the test's state folder: three days in
 * a row ending today, and a damaged line that is reported, not fatal, and
 * left in place. Renders and failed plays are not recorded. */
static void test_stats_from_the_history(void **state)
{
    (void)state;
    char *history = in_dir("state/breathe/history");
    result r;
    RUN(&r, "--stats");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "No sessions recorded yet"));
    char expected[1200];
    snprintf(expected, sizeof expected, "History: %s\n", history);
    assert_non_null(strstr(r.out, expected));
    assert_int_equal(access(history, F_OK), -1);

    char *path = write_file("short.cfg", short_session);
    char *wav = in_dir("render.wav");
    RUN(&r, "-q", "-o", wav, path);
    assert_int_equal(r.status, 0);
    RUN(&r, "-q", "-d", "no-such-device-anywhere", path);
    assert_int_equal(r.status, 1);
    assert_int_equal(access(history, F_OK), -1);

    /* Noon UTC today, yesterday and the day before, read in UTC. */
    setenv("TZ", "UTC0", 1);
    time_t now = time(NULL);
    char text[2048] = "";
    size_t used = 0;
    for (int back = 2; back >= 0; back--) {
        time_t day = now - back * 86400;
        struct tm t;
        gmtime_r(&day, &t);
        used += (size_t)snprintf(text + used, sizeof text - used,
                                 "%04d-%02d-%02dT12:00:00+00:00\tcompleted\t300\t300\tbox-breathing\n",
                                 t.tm_year + 1900, t.tm_mon + 1, t.tm_mday);
        if (back == 1)
            used += (size_t)snprintf(text + used, sizeof text - used, "not a record\n");
    }
    char folder[600];
    snprintf(folder, sizeof folder, "%s/state", testaudio_dir);
    mkdir(folder, 0700);
    snprintf(folder, sizeof folder, "%s/state/breathe", testaudio_dir);
    mkdir(folder, 0700);
    free(write_file("state/breathe/history", text));
    RUN(&r, "--stats");
    unsetenv("TZ");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "In total:    3 sessions, 15 min, since "));
    assert_non_null(strstr(r.out, "Streak:      3 days (longest 3 days)\n"));
    assert_non_null(strstr(r.out, "\nLast 14 days:\n"));
    snprintf(expected, sizeof expected, "%s:3: warning: skipped: it does not start with a time",
             history);
    assert_non_null(strstr(r.err, expected));
    char after[2048];
    testaudio_read_into(history, after, sizeof after);
    assert_string_equal(after, text);
    free(wav);
    free(path);
    free(history);
}

static void test_check_warns_and_still_succeeds(void **state)
{
    (void)state;
    char *path = write_file("holds.cfg",
                            "format = 1;\ntitle = \"Holds\";\n"
                            "steps = (\n"
                            "  { type = \"breathe\"; label = \"Long holds\"; pattern = \"4-21-8\"; cycles = 1; }\n"
                            ");\n");
    result r;
    RUN(&r, "--check", path);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "breathe 4-21-8, 1 cycle\n"));
    assert_non_null(strstr(r.out, "total: 0:33"));
    char expected[700];
    snprintf(expected, sizeof expected, "%s:4: warning: a hold of 21 s is longer than 20 s", path);
    assert_true(strncmp(r.err, expected, strlen(expected)) == 0);
    /* 33 s a breath is 1.8 a minute: the second warning, same line. */
    snprintf(expected, sizeof expected, "%s:4: warning: 1.8 breaths a minute", path);
    assert_non_null(strstr(r.err, expected));
    free(path);
}

static void test_new_writes_a_session_that_checks_clean(void **state)
{
    (void)state;
    char *name = in_dir("evening");
    char *path = in_dir("evening.cfg");
    result r;
    RUN(&r, "--new", name);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "wrote "));
    RUN(&r, "--check", path);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    assert_non_null(strstr(r.out, ": evening\n"));
    /* Never over an existing file: it stays as it was. */
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    fputs("# my edits\n", f);
    fclose(f);
    RUN(&r, "--new", path);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "already exists"));
    char text[8192];
    f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    assert_non_null(strstr(text, "# my edits\n"));
    RUN(&r, "--new", path, "extra");
    assert_int_equal(r.status, 2);
    unlink(path);
    free(path);
    free(name);

    /* A name with quotes and backslashes: the title setting escapes them,
     * the comment at the top shows the name as it is. */
    char *odd = in_dir("we\"ird\\name.cfg");
    RUN(&r, "-q", "--new", odd);
    assert_int_equal(r.status, 0);
    testaudio_read_into(odd, text, sizeof text);
    static const char top[] = "# we\"ird\\name: a breathing session";
    assert_true(strncmp(text, top, strlen(top)) == 0);
    assert_non_null(strstr(text, "\ntitle = \"we\\\"ird\\\\name\";\n"));
    RUN(&r, "--check", odd);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, ": we\"ird\\name\n"));
    unlink(odd);
    free(odd);
}

static void test_plot_writes_an_svg(void **state)
{
    (void)state;
    char *session_path = write_file("plotted.cfg", short_session);
    char *svg = in_dir("plotted.svg");
    result r;
    RUN(&r, "--plot", svg, session_path);
    assert_int_equal(r.status, 0);
    char text[4096];
    FILE *f = fopen(svg, "r");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    assert_true(strncmp(text, "<?xml", 5) == 0);
    assert_non_null(strstr(text, "<svg"));
    assert_non_null(strstr(text, ">Short</text>"));
    /* Past the end: a usage error, the picture left alone. */
    RUN(&r, "--plot", svg, "--start", "1m", session_path);
    assert_int_equal(r.status, 2);
    struct stat before;
    assert_int_equal(stat(svg, &before), 0);
    assert_true(before.st_size > 1000);
    /* A folder that does not exist: a runtime failure. */
    char *nowhere = in_dir("missing-folder/plotted.svg");
    RUN(&r, "--plot", nowhere, session_path);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "cannot write"));
    unlink(svg);
    free(nowhere);
    free(svg);
    free(session_path);
}

/* Every complete session in the authoring guide (a fenced block starting
 * "format = 1;") passes --check without a warning. */
static void test_guide_examples_check_clean(void **state)
{
    (void)state;
    const char *source = getenv("BREATHE_SOURCE_DIR");
    assert_non_null(source);
    char guide[4096];
    snprintf(guide, sizeof guide, "%s/docs/session-format.md", source);
    FILE *f = fopen(guide, "r");
    assert_non_null(f);
    char line[1024], block[16384];
    size_t used = 0;
    bool inside = false;
    int checked = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "```", 3) == 0) {
            if (inside && strncmp(block, "format = 1;", 11) == 0) {
                char name[64];
                snprintf(name, sizeof name, "guide-%d.cfg", checked + 1);
                char *path = write_file(name, block);
                result r;
                RUN(&r, "--check", path);
                if (r.status != 0 || r.err[0])
                    fail_msg("example %d of the guide: status %d\n%s", checked + 1, r.status,
                             r.err);
                unlink(path);
                free(path);
                checked++;
            }
            inside = !inside;
            used = 0;
            block[0] = '\0';
            continue;
        }
        if (inside && used + strlen(line) < sizeof block)
            used += (size_t)snprintf(block + used, sizeof block - used, "%s", line);
    }
    fclose(f);
    /* The top-level example and the five of the cookbook. */
    assert_true(checked >= 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_and_version),
        cmocka_unit_test(test_usage_errors_exit_2),
        cmocka_unit_test(test_conflicting_options_are_usage_errors),
        cmocka_unit_test(test_relative_xdg_folders_are_ignored),
        cmocka_unit_test(test_check_prints_timeline),
        cmocka_unit_test(test_check_reports_file_line_and_exit_2),
        cmocka_unit_test(test_check_warns_and_still_succeeds),
        cmocka_unit_test(test_new_writes_a_session_that_checks_clean),
        cmocka_unit_test(test_plot_writes_an_svg),
        cmocka_unit_test(test_guide_examples_check_clean),
        cmocka_unit_test(test_render_wav_is_exact_and_repeatable),
        cmocka_unit_test(test_render_formats_and_sample_formats),
        cmocka_unit_test(test_render_tags),
        cmocka_unit_test(test_render_to_a_pipe),
        cmocka_unit_test(test_labels_file),
        cmocka_unit_test(test_wav_cues_and_quiet_readers),
        cmocka_unit_test(test_volume_scales_output),
        cmocka_unit_test(test_failed_render_keeps_existing_file),
        cmocka_unit_test(test_interrupted_render_leaves_nothing),
        cmocka_unit_test(test_forever_needs_length_to_render),
        cmocka_unit_test(test_too_many_sounds_are_reported),
        cmocka_unit_test(test_start_skips_into_the_session),
        cmocka_unit_test(test_missing_device_is_a_runtime_failure),
        cmocka_unit_test(test_every_bad_session_exits_2_with_its_line),
        cmocka_unit_test(test_bundled_sessions_by_name),
        cmocka_unit_test(test_list_and_check_show_description_and_author),
        cmocka_unit_test(test_list_lengths_missing_audio_and_many_sessions),
        cmocka_unit_test(test_user_defaults),
        cmocka_unit_test(test_modes_that_never_play_ignore_the_defaults),
        cmocka_unit_test(test_caution_is_printed_even_when_quiet),
        cmocka_unit_test(test_hangup_stops_like_sigterm),
        cmocka_unit_test(test_stats_from_the_history),
        cmocka_unit_test(test_mp3_without_mpeg_support),
    };
    return cmocka_run_group_tests(tests, setup, testaudio_dir_teardown);
}
