/* Unit tests for out_file.c: what lands on disk, and what never does. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "out/out.h"
#include "testaudio.h"
#include "testreport.h"

#define RATE 48000
#define OLD_CONTENTS "the previous render\n"

/* A source whose every sample is known: a sine on the left, a quieter
 * cosine on the right, `total` frames (or endless when total < 0). */
typedef struct {
    int64_t total;
    int64_t position;
    long pause_nanoseconds;   /* per 4096 frames rendered (at least a quarter of
                                 it per call), to make wall time pass */
} sine_source;

static float sine_value(int64_t frame, int channel)
{
    double phase = 2.0 * M_PI * 441.0 * (double)frame / RATE;
    return channel == 0 ? (float)(0.5 * sin(phase)) : (float)(0.25 * cos(phase));
}

static size_t sine_render(void *context, float *out, size_t frames)
{
    sine_source *source = context;
    size_t n = frames;
    if (source->total >= 0 && (int64_t)n > source->total - source->position)
        n = (size_t)(source->total - source->position);
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = sine_value(source->position + (int64_t)i, 0);
        out[2 * i + 1] = sine_value(source->position + (int64_t)i, 1);
    }
    source->position += (int64_t)n;
    if (source->pause_nanoseconds > 0) {
        /* As long for every 4096 frames, whatever the blocks asked for. */
        long long pause = (long long)source->pause_nanoseconds * (long long)(n > 0 ? n : 1) / 4096;
        if (pause < source->pause_nanoseconds / 4)
            pause = source->pause_nanoseconds / 4;
        struct timespec wait = { (time_t)(pause / 1000000000), (long)(pause % 1000000000) };
        nanosleep(&wait, NULL);
    }
    return n;
}

typedef struct {
    int64_t frames[4096];
    int calls;
    int stop_after;   /* return false on this call (1-based); 0: never */
} progress;

static bool record_progress(void *context, int64_t frames_done)
{
    progress *p = context;
    if (p->calls < 4096)
        p->frames[p->calls] = frames_done;
    p->calls++;
    return p->stop_after == 0 || p->calls < p->stop_after;
}

typedef struct {
    char *dir;
    char message[1024];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = testaudio_temp_dir();
    if (f->dir == NULL)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    testaudio_remove_dir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* Runs the whole open/run/close sequence with a format and any source;
 * messages go to f->message. */
static int render_source(fixture *f, const char *path, int rate, const out_format *format,
                         out_source src, progress *monitor, bool commit, int *run_status)
{
    FILE *err = fmemopen(f->message, sizeof f->message - 1, "w");
    assert_non_null(err);
    setvbuf(err, NULL, _IONBF, 0);
    memset(f->message, 0, sizeof f->message);
    out_params params = { .sample_rate = rate, .path = path };
    if (format != NULL)
        params.format = *format;
    out_stream *stream = NULL;
    const report_sink *report = REPORT_TO(err);
    int status = out_file_backend.open(&stream, &params, report);
    *run_status = -1;
    if (status == OUT_DONE) {
        *run_status = out_file_backend.run(stream, src, monitor != NULL ? record_progress : NULL,
                                           monitor, report);
        status = out_file_backend.close(stream, commit, report);
    } else {
        assert_null(stream);
    }
    fclose(err);
    return status;
}

static int render(fixture *f, const char *path, int rate, sine_source *source,
                  progress *monitor, bool commit, int *run_status)
{
    return render_source(f, path, rate, NULL, (out_source){ sine_render, source }, monitor,
                         commit, run_status);
}

static int render_format(fixture *f, const char *path, const out_format *format,
                         sine_source *source)
{
    int run_status;
    int status = render_source(f, path, RATE, format, (out_source){ sine_render, source }, NULL,
                               true, &run_status);
    return status == OUT_DONE ? run_status : status;
}

static void read_back(const char *path, float **samples, int64_t *frames, SF_INFO *info)
{
    memset(info, 0, sizeof *info);
    SNDFILE *file = sf_open(path, SFM_READ, info);
    assert_non_null(file);
    assert_int_equal(info->channels, 2);
    assert_int_equal(info->samplerate, RATE);
    int64_t capacity = info->frames + 1;
    *samples = malloc(sizeof(float) * 2 * (size_t)capacity);
    *frames = sf_readf_float(file, *samples, capacity);
    sf_close(file);
}

static void render_and_compare_as(fixture *f, const char *name, const out_format *format,
                                  int64_t total, double tolerance, int expected_format)
{
    char *path = testaudio_path(f->dir, name);
    sine_source source = { .total = total };
    assert_int_equal(render_format(f, path, format, &source), OUT_DONE);
    assert_string_equal(f->message, "");
    assert_int_equal(testaudio_count_entries(f->dir), 1);

    float *samples;
    int64_t frames;
    SF_INFO info;
    read_back(path, &samples, &frames, &info);
    assert_int_equal(info.format, expected_format);
    assert_int_equal(frames, total);
    double worst = 0.0, sum_read = 0.0, sum_formula = 0.0;
    for (int64_t i = 0; i < frames; i++)
        for (int c = 0; c < 2; c++) {
            double want = sine_value(i, c), got = samples[2 * i + c];
            if (fabs(got - want) > worst)
                worst = fabs(got - want);
            sum_read += got * got;
            sum_formula += want * want;
        }
    double db = 10.0 * log10(sum_read / sum_formula);
    print_message("%s: %lld frames, largest difference %.3g, level %+.3f dB\n", name,
                  (long long)frames, worst, db);
    if (tolerance >= 0.0)
        assert_true(worst <= tolerance);
    assert_true(fabs(db) < 0.2);
    free(samples);
    unlink(path);
    free(path);
}

static void render_and_compare(fixture *f, const char *name, int64_t total, double tolerance,
                               int expected_format)
{
    render_and_compare_as(f, name, NULL, total, tolerance, expected_format);
}

static void test_wav_exact(void **state)
{
    render_and_compare(*state, "out.wav", 100003, 0.0, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
}

static void test_wav_extension_any_case(void **state)
{
    render_and_compare(*state, "OUT.WaV", 5000, 0.0, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
}

static void test_flac_24_bit(void **state)
{
    render_and_compare(*state, "out.flac", 100003, 1.0 / (1 << 22),
                       SF_FORMAT_FLAC | SF_FORMAT_PCM_24);
}

static void test_ogg_vorbis(void **state)
{
    render_and_compare(*state, "out.ogg", 100003, -1.0, SF_FORMAT_OGG | SF_FORMAT_VORBIS);
    render_and_compare(*state, "out.oga", 4096 * 3, -1.0, SF_FORMAT_OGG | SF_FORMAT_VORBIS);
}

static void test_opus(void **state)
{
    render_and_compare(*state, "out.opus", 100003, -1.0, SF_FORMAT_OGG | SF_FORMAT_OPUS);

    fixture *f = *state;
    char *path = testaudio_path(f->dir, "at44100.opus");
    sine_source source = { .total = 1000 };
    int run_status;
    assert_int_equal(render(f, path, 44100, &source, NULL, true, &run_status), OUT_FAILED);
    print_message("%s", f->message);
    assert_non_null(strstr(f->message, "48000"));
    assert_non_null(strstr(f->message, "44100"));
    assert_int_equal(testaudio_count_entries(f->dir), 0);
    free(path);
}


/* --bits: 16 bits dithered (within a step and a half), 24 bits within half
 * a step, float exactly; FLAC 16 and 24. */
static void test_sample_formats(void **state)
{
    fixture *f = *state;
    render_and_compare_as(f, "out16.wav", &(out_format){ .samples = OUT_SAMPLES_16 }, 100003,
                          1.5 / 32768.0, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    render_and_compare_as(f, "out24.wav", &(out_format){ .samples = OUT_SAMPLES_24 }, 100003,
                          1.0 / (1 << 23), SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    render_and_compare_as(f, "out32.wav", &(out_format){ .samples = OUT_SAMPLES_FLOAT }, 5000,
                          0.0, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    render_and_compare_as(f, "out16.flac", &(out_format){ .samples = OUT_SAMPLES_16 }, 100003,
                          1.5 / 32768.0, SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
    /* --format chooses the container whatever the name. */
    render_and_compare_as(f, "named.bin", &(out_format){ .container = "flac" }, 5000,
                          1.0 / (1 << 22), SF_FORMAT_FLAC | SF_FORMAT_PCM_24);
}

static bool same_bytes(const char *a, const char *b)
{
    size_t size_a, size_b;
    char *x = testaudio_read_text(a, &size_a), *y = testaudio_read_text(b, &size_b);
    bool same = x != NULL && y != NULL && size_a == size_b && memcmp(x, y, size_a) == 0;
    free(x);
    free(y);
    return same;
}

/* The dither comes from a fixed seed: the same render, the same bytes. */
static void test_dither_repeatable(void **state)
{
    fixture *f = *state;
    char *a = testaudio_path(f->dir, "a.wav"), *b = testaudio_path(f->dir, "b.wav");
    out_format sixteen = { .samples = OUT_SAMPLES_16 };
    sine_source one = { .total = 30011 }, two = { .total = 30011 };
    assert_int_equal(render_format(f, a, &sixteen, &one), OUT_DONE);
    assert_int_equal(render_format(f, b, &sixteen, &two), OUT_DONE);
    assert_true(same_bytes(a, b));
    free(a);
    free(b);
}

/* A quiet tone: 1 kHz at 3 steps of 16 bits (-80.8 dBFS), 2 s. */
#define QUIET_HZ 1000.0
#define QUIET_STEPS 3.0
#define QUIET_FRAMES (2 * RATE)

static double quiet_value(int64_t frame)
{
    return QUIET_STEPS / 32768.0 * sin(2.0 * M_PI * QUIET_HZ * (double)frame / RATE);
}

static size_t quiet_render(void *context, float *out, size_t frames)
{
    int64_t *position = context;
    size_t n = frames;
    if ((int64_t)n > QUIET_FRAMES - *position)
        n = (size_t)(QUIET_FRAMES - *position);
    for (size_t i = 0; i < n; i++)
        out[2 * i] = out[2 * i + 1] = (float)quiet_value(*position + (int64_t)i);
    *position += (int64_t)n;
    return n;
}

/* The largest amplitude, in steps, of the error's harmonics 1 to 9 of the
 * tone: distortion that follows the signal shows there. */
static double largest_harmonic(const double *error, int64_t frames)
{
    double largest = 0.0;
    for (int k = 1; k <= 9; k++) {
        double re = 0.0, im = 0.0;
        for (int64_t n = 0; n < frames; n++) {
            double phase = 2.0 * M_PI * k * QUIET_HZ * (double)n / RATE;
            re += error[n] * cos(phase);
            im += error[n] * sin(phase);
        }
        double amplitude = 2.0 * sqrt(re * re + im * im) / (double)frames;
        if (amplitude > largest)
            largest = amplitude;
    }
    return largest;
}

/* TPDF dither measured: the error of a quiet tone at 16 bits is noise at
 * the level theory gives (a quarter step squared: 20 log10(0.5 / 32768) =
 * -96.3 dB below full scale) and carries none of the tone's harmonics,
 * where plain rounding puts most of its error into them. */
static void test_dither_measured(void **state)
{
    fixture *f = *state;
    char *path = testaudio_path(f->dir, "quiet.wav");
    int64_t position = 0;
    int run_status;
    assert_int_equal(render_source(f, path, RATE, &(out_format){ .samples = OUT_SAMPLES_16 },
                                   (out_source){ quiet_render, &position }, NULL, true,
                                   &run_status), OUT_DONE);
    assert_int_equal(run_status, OUT_DONE);
    float *samples;
    int64_t frames;
    int channels, rate;
    assert_int_equal(testaudio_read(path, &samples, &frames, &channels, &rate), 0);
    assert_int_equal(frames, QUIET_FRAMES);
    double *error = malloc(sizeof(double) * (size_t)frames);
    double *rounded = malloc(sizeof(double) * (size_t)frames);
    double sum = 0.0, squares = 0.0;
    for (int64_t n = 0; n < frames; n++) {
        double exact = quiet_value(n) * 32768.0;
        double got = (double)samples[2 * n] * 32768.0;
        assert_true(fabs(got - floor(got + 0.5)) < 1e-6);   /* whole steps */
        error[n] = got - exact;
        rounded[n] = floor(exact + 0.5) - exact;
        sum += error[n];
        squares += error[n] * error[n];
    }
    double rms_db = 20.0 * log10(sqrt(squares / (double)frames) / 32768.0);
    double mean = sum / (double)frames;
    double dithered = largest_harmonic(error, frames);
    double plain = largest_harmonic(rounded, frames);
    print_message("16-bit TPDF: error %.2f dBFS RMS (theory -96.33), mean %.4f steps, "
                  "largest harmonic %.4f steps (%.1f dBFS); plain rounding %.4f steps "
                  "(%.1f dBFS)\n", rms_db, mean, dithered,
                  20.0 * log10(dithered / 32768.0), plain, 20.0 * log10(plain / 32768.0));
    assert_true(fabs(rms_db - -96.33) < 0.3);
    assert_true(fabs(mean) < 0.01);
    /* Noise alone leaves about 0.5 * sqrt(pi / N) = 0.003 steps in a bin. */
    assert_true(dithered < 0.015);
    assert_true(plain > 0.1);
    free(error);
    free(rounded);
    free(samples);
    free(path);
}

static void test_mp3(void **state)
{
    fixture *f = *state;
    render_and_compare(f, "out.mp3", 100003, -1.0, SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III);
    /* A constant bitrate: the file is that size, give or take a frame. */
    char *path = testaudio_path(f->dir, "cbr.mp3");
    sine_source source = { .total = 10 * RATE };
    assert_int_equal(render_format(f, path, &(out_format){ .quality = "96k" }, &source),
                     OUT_DONE);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    print_message("96k for 10 s: %lld bytes\n", (long long)st.st_size);
    assert_true(llabs((long long)st.st_size - 96000 * 10 / 8) < 2000);
    free(path);
}

/* Checked before anything is opened: a one-line reason naming the choices. */
static void test_format_check(void **state)
{
    (void)state;
    char why[512];
    static const struct {
        const char *path;
        out_format format;
        const char *said;
    } cases[] = {
        { "a.mp4", { 0 }, ".wav, .flac, .ogg, .oga, .opus or .mp3" },
        { "a.wav", { .container = "aiff" }, "wav, flac, ogg, opus or mp3" },
        { "a.flac", { .samples = OUT_SAMPLES_FLOAT }, "flac cannot hold --bits 32f; use 16 or 24" },
        { "a.ogg", { .samples = OUT_SAMPLES_16 }, "--bits goes with wav (16, 24, 32f) and flac" },
        { "a.mp3", { .samples = OUT_SAMPLES_24 }, "--bits 24 has no use with mp3" },
        { "a.wav", { .quality = "128k" }, "--quality has no use with wav" },
        { "a.mp3", { .quality = "10" }, "0 (best) to 9" },
        { "a.mp3", { .quality = "330k" }, "from 32k to 320k" },
        { "a.mp3", { .quality = "100k" }, "not '100k'" },
        { "a.mp3", { .quality = "fast" }, "not 'fast'" },
        { "a.mp3", { .quality = "4294967424k" }, "not '4294967424k'" },
        { "a.mp3", { .quality = "128" }, "not '128'" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        why[0] = '\0';
        assert_int_equal(out_file_check(cases[i].path, &cases[i].format, why, sizeof why), 2);
        print_message("%s\n", why);
        assert_non_null(strstr(why, cases[i].said));
        assert_null(strchr(why, '\n'));
    }
    assert_int_equal(out_file_check("a.mp3", &(out_format){ .quality = "0" }, why, sizeof why), 0);
    assert_int_equal(out_file_check("a.mp3", &(out_format){ .quality = "320k" }, why,
                                    sizeof why), 0);
    assert_int_equal(out_file_check("a.wav", &(out_format){ .samples = OUT_SAMPLES_16 }, why,
                                    sizeof why), 0);
    assert_int_equal(out_file_check("x", &(out_format){ .container = "MP3" }, why, sizeof why),
                     0);
}


/* The chunks of a RIFF file, "fmt  18 PAD  2 data 8000 ...", and its RIFF
 * size checked against its length. */
static void wav_chunks(const char *path, char *out, size_t size)
{
    size_t length;
    unsigned char *d = (unsigned char *)testaudio_read_text(path, &length);
    assert_non_null(d);
    assert_memory_equal(d, "RIFF", 4);
    uint32_t riff = d[4] | d[5] << 8 | d[6] << 16 | (uint32_t)d[7] << 24;
    assert_int_equal(riff + 8, length);
    out[0] = '\0';
    for (size_t at = 12; at + 8 <= length;) {
        uint32_t n = d[at + 4] | d[at + 5] << 8 | d[at + 6] << 16 | (uint32_t)d[at + 7] << 24;
        snprintf(out + strlen(out), size - strlen(out), "%s%.4s %u", out[0] ? " " : "",
                 (const char *)d + at, n);
        if (memcmp(d + at, "fmt ", 4) == 0 && n == 18)   /* the extension's size: none */
            assert_int_equal(d[at + 24] | d[at + 25] << 8, 0);
        at += 8 + n + (n & 1);
    }
    free(d);
}

/* Float WAV has the 18-byte format chunk every non-PCM WAV should (sox
 * warns without it), the samples exact; a cue point with its label at
 * each marker, after the data. */
static void test_wav_header_and_cues(void **state)
{
    fixture *f = *state;
    char *plain = testaudio_path(f->dir, "plain.wav");
    sine_source source = { .total = 1000 };
    assert_int_equal(render_format(f, plain, NULL, &source), OUT_DONE);
    char chunks[512];
    wav_chunks(plain, chunks, sizeof chunks);
    print_message("float, no tags: %s\n", chunks);
    assert_true(strncmp(chunks, "fmt  18 ", 8) == 0);
    assert_non_null(strstr(chunks, "data 8000"));

    static const out_marker markers[] = {
        { 0, 400, "Begin" }, { 400, 999, "Calm breaths" }, { 999, 1000, "End" },
    };
    out_format format = {
        .tags = { .title = "A title", .date = "2023-11-14" },
        .markers = markers, .marker_count = 3,
    };
    char *cued = testaudio_path(f->dir, "cued.wav");
    sine_source again = { .total = 1000 };
    assert_int_equal(render_format(f, cued, &format, &again), OUT_DONE);
    wav_chunks(cued, chunks, sizeof chunks);
    print_message("float, tags and cues: %s\n", chunks);
    assert_true(strncmp(chunks, "fmt  18 ", 8) == 0);
    assert_non_null(strstr(chunks, "data 8000 cue  76 LIST 64"));
    float *samples;
    int64_t frames;
    SF_INFO info;
    read_back(cued, &samples, &frames, &info);
    assert_int_equal(frames, 1000);
    for (int64_t i = 0; i < frames; i++)
        assert_true(samples[2 * i] == sine_value(i, 0) && samples[2 * i + 1] == sine_value(i, 1));
    free(samples);
    size_t length;
    char *bytes = testaudio_read_text(cued, &length);
    const char *list = bytes + length - 72;   /* "LIST", its size, "adtl", then labels */
    assert_memory_equal(list + 8, "adtl", 4);
    assert_memory_equal(list + 12, "labl", 4);
    assert_memory_equal(list + 24, "Begin", 6);
    assert_memory_equal(list + 30 + 12, "Calm breaths", 13);
    free(bytes);

    format.samples = OUT_SAMPLES_16;
    char *sixteen = testaudio_path(f->dir, "cued16.wav");
    sine_source third = { .total = 1000 };
    assert_int_equal(render_format(f, sixteen, &format, &third), OUT_DONE);
    wav_chunks(sixteen, chunks, sizeof chunks);
    print_message("16-bit, tags and cues: %s\n", chunks);
    assert_true(strncmp(chunks, "fmt  16 ", 8) == 0);
    assert_non_null(strstr(chunks, "data 4000 cue  76 LIST 64"));
    free(plain);
    free(cued);
    free(sixteen);
}

static void test_progress(void **state)
{
    fixture *f = *state;
    char *path = testaudio_path(f->dir, "progress.wav");
    /* 100 blocks, each taking at least 5 ms: at least 0.5 s of wall time,
     * so several reports about 0.1 s apart, then the final one. */
    int64_t total = 4096 * 100 - 17;
    sine_source source = { .total = total, .pause_nanoseconds = 5000000 };
    progress monitor = { 0 };
    int run_status;
    assert_int_equal(render(f, path, RATE, &source, &monitor, true, &run_status), OUT_DONE);
    assert_int_equal(run_status, OUT_DONE);
    print_message("%d progress reports\n", monitor.calls);
    assert_true(monitor.calls >= 3);
    for (int i = 1; i < monitor.calls; i++)
        assert_true(monitor.frames[i] > monitor.frames[i - 1]);
    assert_int_equal(monitor.frames[monitor.calls - 1], total);
    free(path);
}

static void write_old_file(const char *path)
{
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs(OLD_CONTENTS, file);
    fclose(file);
}

static void assert_old_file(const char *path)
{
    char buffer[256] = "";
    FILE *file = fopen(path, "r");
    assert_non_null(file);
    size_t n = fread(buffer, 1, sizeof buffer - 1, file);
    fclose(file);
    buffer[n] = '\0';
    assert_string_equal(buffer, OLD_CONTENTS);
}

static void test_stop_keeps_old_file(void **state)
{
    fixture *f = *state;
    char *path = testaudio_path(f->dir, "keep.flac");
    write_old_file(path);
    sine_source source = { .total = -1, .pause_nanoseconds = 1000000 };
    progress monitor = { .stop_after = 1 };
    int run_status;
    assert_int_equal(render(f, path, RATE, &source, &monitor, false, &run_status), OUT_DONE);
    assert_int_equal(run_status, OUT_STOPPED);
    assert_int_equal(monitor.calls, 1);
    assert_old_file(path);
    assert_int_equal(testaudio_count_entries(f->dir), 1);
    free(path);
}

static void test_commit_replaces_old_file(void **state)
{
    fixture *f = *state;
    char *path = testaudio_path(f->dir, "replace.wav");
    write_old_file(path);
    chmod(path, 0640);
    sine_source source = { .total = 1234 };
    int run_status;
    assert_int_equal(render(f, path, RATE, &source, NULL, true, &run_status), OUT_DONE);
    float *samples;
    int64_t frames;
    SF_INFO info;
    read_back(path, &samples, &frames, &info);
    assert_int_equal(frames, 1234);
    free(samples);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    assert_int_equal(testaudio_count_entries(f->dir), 1);
    free(path);
}

static void test_write_failure_keeps_old_file(void **state)
{
    fixture *f = *state;
    char *path = testaudio_path(f->dir, "big.wav");
    write_old_file(path);
    /* A file size limit makes writes fail the way a full disk does. */
    struct rlimit saved, limit;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
    limit = saved;
    limit.rlim_cur = 200000;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &limit), 0);
    sine_source source = { .total = 48000 };
    int run_status;
    int status = render(f, path, RATE, &source, NULL, true, &run_status);
    setrlimit(RLIMIT_FSIZE, &saved);
    signal(SIGXFSZ, old_handler);
    print_message("%s", f->message);
    assert_int_equal(run_status, OUT_FAILED);
    assert_int_equal(status, OUT_FAILED);
    assert_non_null(strstr(f->message, "cannot write '"));
    assert_non_null(strstr(f->message, "File too large"));
    assert_old_file(path);
    assert_int_equal(testaudio_count_entries(f->dir), 1);
    free(path);
}

static void check_open_refused(fixture *f, const char *path, const char *expected_part)
{
    sine_source source = { .total = 100 };
    int run_status;
    assert_int_equal(render(f, path, RATE, &source, NULL, true, &run_status), OUT_FAILED);
    assert_int_equal(run_status, -1);
    print_message("%s", f->message);
    assert_non_null(strstr(f->message, expected_part));
    assert_int_equal(testaudio_count_entries(f->dir), 0);
}

static void test_open_errors(void **state)
{
    fixture *f = *state;
    char *unknown = testaudio_path(f->dir, "out.mp4");
    check_open_refused(f, unknown, ".wav");
    assert_false(out_file_format_known(unknown));
    free(unknown);

    check_open_refused(f, "/nonexistent-breathe-folder/out.wav", "No such file or directory");
    char *folder = testaudio_path(f->dir, "folder.wav");
    assert_int_equal(mkdir(folder, 0700), 0);
    sine_source source = { .total = 100 };
    int run_status;
    assert_int_equal(render(f, folder, RATE, &source, NULL, true, &run_status), OUT_FAILED);
    print_message("%s", f->message);
    assert_non_null(strstr(f->message, "Is a directory"));
    assert_int_equal(testaudio_count_entries(f->dir), 1);
    rmdir(folder);
    free(folder);
    char *no_extension = testaudio_path(f->dir, "wav");
    check_open_refused(f, no_extension, "cannot tell the output format from the name");
    free(no_extension);
}

static void test_format_known(void **state)
{
    assert_true(out_file_format_known("a.wav"));
    assert_true(out_file_format_known("dir.x/A.FLAC"));
    assert_true(out_file_format_known("a.ogg"));
    assert_true(out_file_format_known("a.oga"));
    assert_true(out_file_format_known("a.opus"));
    assert_true(out_file_format_known("a.mp3"));
    assert_false(out_file_format_known("a.mp4"));
    assert_false(out_file_format_known(".wav"));
    assert_false(out_file_format_known("wav"));
    assert_false(out_file_format_known("dir.wav/file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_wav_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wav_extension_any_case, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flac_24_bit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ogg_vorbis, setup, teardown),
        cmocka_unit_test_setup_teardown(test_opus, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sample_formats, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dither_repeatable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dither_measured, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mp3, setup, teardown),
        cmocka_unit_test(test_format_check),
        cmocka_unit_test_setup_teardown(test_wav_header_and_cues, setup, teardown),
        cmocka_unit_test_setup_teardown(test_progress, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_keeps_old_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_replaces_old_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_failure_keeps_old_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
        cmocka_unit_test(test_format_known),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
