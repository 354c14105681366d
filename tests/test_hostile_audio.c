/* Hostile audio files named as cues: odd lengths, channel counts, rates and
 * encodings, non-finite samples, damaged and enormous files, and things that
 * are not files at all. Each must give a clear error or play safely: a
 * decoded length that follows from the file, and a render that stays finite
 * and under full scale. Nothing may hang or hold the whole of a huge file in
 * memory. */
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "format/clip.h"
#include "render/engine.h"
#include "format/session.h"
#include "testaudio.h"
#include "render/timeline.h"
#include "testreport.h"

#define FLOAT_WAV (SF_FORMAT_WAV | SF_FORMAT_FLOAT)
#define OUTPUT_RATE 48000
/* The engine's limiter keeps peaks under -1 dBFS. */
#define PEAK_LIMIT 0.8913f

static double sine_sample(int64_t frame, int channel, void *context)
{
    int rate = *(const int *)context;
    return 0.5 * sin(2.0 * M_PI * 440.0 * (double)frame / rate);
}

static audio_clip *load_ok(const char *path, int rate)
{
    audio_clip *clip = NULL;
    char why[256] = "";
    int status = audio_clip_load(path, rate, &clip, why, sizeof why);
    if (status != 0)
        print_error("%s: %s\n", path, why);
    assert_int_equal(status, 0);
    assert_non_null(clip);
    return clip;
}

static void assert_clean(const audio_clip *clip)
{
    for (int64_t i = 0; i < 2 * clip->frames; i++) {
        assert_true(isfinite(clip->samples[i]));
        assert_true(fabsf(clip->samples[i]) <= 1.0f);
    }
}

static void check_refused(const char *path, const char *expected_part)
{
    audio_clip *clip = NULL;
    char why[256] = "";
    assert_int_not_equal(audio_clip_load(path, OUTPUT_RATE, &clip, why, sizeof why), 0);
    assert_null(clip);
    print_message("refused %s: %s\n", strrchr(path, '/') + 1, why);
    assert_non_null(strstr(why, expected_part));
}

/* A sine of amplitude 0.5 keeps its RMS level within `tolerance_db` after
 * decoding (and conversion), measured away from the edge fades. */
static void assert_sine_level(const audio_clip *clip, double tolerance_db)
{
    int64_t margin = clip->frames / 10;
    double rms = testaudio_rms(clip->samples, 2, 0, margin, clip->frames - margin);
    assert_true(fabs(20.0 * log10(rms / (0.5 / sqrt(2.0)))) < tolerance_db);
}

/* ---- lengths ---- */

static void test_empty_file_refused(void **state)
{
    char *path = testaudio_path(testaudio_dir, "empty.wav");
    int rate = OUTPUT_RATE;
    assert_int_equal(testaudio_write(path, FLOAT_WAV, rate, 1, 0, sine_sample, &rate), 0);
    check_refused(path, "contains no audio");
    free(path);
}

/* One frame at rate r becomes round(48000 / r) frames: one or more from
 * 48 kHz and below; none at all from 384 kHz, which is refused. */
static void test_one_frame_files(void **state)
{
    static const int rates[] = { 8000, 44100, 48000, 96000, 384000 };
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "one-frame-%d.wav", rates[i]);
        char *path = testaudio_path(testaudio_dir, name);
        int rate = rates[i];
        assert_int_equal(testaudio_write(path, FLOAT_WAV, rate, 2, 1, sine_sample, &rate), 0);
        int64_t expected = llround((double)OUTPUT_RATE / rate);
        if (expected == 0) {
            check_refused(path, "too short");
        } else {
            audio_clip *clip = load_ok(path, OUTPUT_RATE);
            assert_int_equal(clip->source_frames, 1);
            assert_int_equal(clip->frames, expected);
            assert_clean(clip);
            audio_clip_free(clip);
        }
        free(path);
    }
}

/* A FLAC file whose STREAMINFO gives `header_frames` as its length (0: not
 * known) while it holds a second of sine at 44.1 kHz. */
#define FLAC_RATE 44100
static char *write_flac_claiming(const char *name, int64_t header_frames)
{
    char *path = testaudio_path(testaudio_dir, name);
    int rate = FLAC_RATE;
    assert_int_equal(testaudio_write(path, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, rate, 1, rate,
                                     sine_sample, &rate), 0);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    /* "fLaC", then STREAMINFO's 4-byte block header; the 36-bit sample count
     * takes the low nibble of the data's byte 13 and bytes 14 to 17. */
    unsigned char head[26];
    assert_int_equal(fread(head, 1, sizeof head, f), sizeof head);
    assert_memory_equal(head, "fLaC", 4);
    assert_int_equal(head[4] & 0x7f, 0);
    unsigned char *count = head + 8 + 13;
    count[0] = (unsigned char)((count[0] & 0xf0) | ((header_frames >> 32) & 0x0f));
    for (int i = 1; i <= 4; i++)
        count[i] = (unsigned char)(header_frames >> (8 * (4 - i)));
    assert_int_equal(fseek(f, 0, SEEK_SET), 0);
    assert_int_equal(fwrite(head, 1, sizeof head, f), sizeof head);
    assert_int_equal(fclose(f), 0);
    return path;
}

static audio_clip *open_ok(const char *path, int rate, int64_t preload_max)
{
    audio_clip *clip = NULL;
    char why[256] = "";
    int status = audio_clip_open(path, rate, preload_max, &clip, why, sizeof why);
    if (status != 0)
        print_error("%s: %s\n", path, why);
    assert_int_equal(status, 0);
    assert_non_null(clip);
    return clip;
}

/* Every frame a streamed clip reads, from the start; the caller frees it. */
static float *read_streamed(const audio_clip *clip, int rate)
{
    float *samples = malloc(sizeof(float) * 2 * (size_t)clip->frames);
    assert_non_null(samples);
    audio_clip_reader *reader = NULL;
    char why[256] = "";
    assert_int_equal(audio_clip_reader_open(clip, rate, 0, &reader, why, sizeof why), 0);
    int64_t done = 0;
    while (done < clip->frames) {
        int64_t got = audio_clip_reader_read(reader, samples + 2 * done, 1000);
        assert_true(got > 0);
        done += got;
    }
    assert_int_equal(done, clip->frames);
    assert_int_equal(audio_clip_reader_read(reader, samples, 1000), 0);
    audio_clip_reader_close(reader);
    return samples;
}

/* A file that holds more than its header says is as long as the header
 * says, held in memory or streamed alike, so the timeline, --check and
 * playback agree, and a file judged short enough to preload stays within
 * what was judged. One whose header cannot tell is as long as it decodes. */
static void test_header_length_is_the_clip_length(void **state)
{
    static const struct { const char *name; int64_t header, expected; } cases[] = {
        { "under-stated.flac", FLAC_RATE / 2, FLAC_RATE / 2 },
        { "unknown-length.flac", 0, FLAC_RATE },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *path = write_flac_claiming(cases[i].name, cases[i].header);
        audio_clip *held = open_ok(path, FLAC_RATE, FLAC_RATE * 10);
        audio_clip *streamed = open_ok(path, FLAC_RATE, 1);
        assert_false(held->streamed);
        assert_true(streamed->streamed);
        assert_int_equal(held->frames, cases[i].expected);
        assert_int_equal(held->source_frames, cases[i].expected);
        assert_int_equal(streamed->frames, cases[i].expected);
        float *read = read_streamed(streamed, FLAC_RATE);
        assert_memory_equal(read, held->samples, sizeof(float) * 2 * (size_t)held->frames);
        free(read);
        audio_clip_free(held);
        audio_clip_free(streamed);
        /* At another rate the lengths follow the same way. */
        held = open_ok(path, OUTPUT_RATE, OUTPUT_RATE * 10);
        streamed = open_ok(path, OUTPUT_RATE, 1);
        int64_t converted = llround((double)cases[i].expected * OUTPUT_RATE / FLAC_RATE);
        assert_int_equal(held->frames, converted);
        assert_int_equal(streamed->frames, converted);
        read = read_streamed(streamed, OUTPUT_RATE);
        free(read);
        audio_clip_free(held);
        audio_clip_free(streamed);
        free(path);
    }
}

/* ---- channels, rates, encodings ---- */

static double channel_constant(int64_t frame, int channel, void *context)
{
    return 0.05 * (channel + 1);   /* 0.05, 0.10 ... 0.40 */
}

static void test_eight_channels_mixed_down(void **state)
{
    char *path = testaudio_path(testaudio_dir, "eight.wav");
    assert_int_equal(testaudio_write(path, FLOAT_WAV, OUTPUT_RATE, 8, 4800, channel_constant,
                                     NULL), 0);
    audio_clip *clip = load_ok(path, OUTPUT_RATE);
    assert_int_equal(clip->source_channels, 8);
    assert_int_equal(clip->frames, 4800);
    double mean = 0.05 * (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8) / 8.0;
    assert_float_equal(clip->samples[2 * 2400], mean, 1e-6);
    assert_float_equal(clip->samples[2 * 2400 + 1], mean, 1e-6);
    audio_clip_free(clip);
    free(path);
}

/* Half a second at each extreme rate: the converted length is exactly
 * round(frames * 48000 / rate) and the level survives conversion. */
static void test_extreme_rates(void **state)
{
    static const int rates[] = { 8000, 384000 };
    for (size_t i = 0; i < 2; i++) {
        char name[64];
        snprintf(name, sizeof name, "rate-%d.wav", rates[i]);
        char *path = testaudio_path(testaudio_dir, name);
        int rate = rates[i];
        int64_t frames = rate / 2 + 3;
        assert_int_equal(testaudio_write(path, FLOAT_WAV, rate, 1, frames, sine_sample, &rate), 0);
        audio_clip *clip = load_ok(path, OUTPUT_RATE);
        assert_int_equal(clip->source_rate, rate);
        assert_int_equal(clip->frames, llround((double)frames * OUTPUT_RATE / rate));
        assert_sine_level(clip, 0.5);
        assert_clean(clip);
        audio_clip_free(clip);
        free(path);
    }
}

static void test_eight_bit_files(void **state)
{
    static const int formats[] = { SF_FORMAT_WAV | SF_FORMAT_PCM_U8,
                                   SF_FORMAT_AIFF | SF_FORMAT_PCM_S8 };
    for (size_t i = 0; i < 2; i++) {
        char *path = testaudio_path(testaudio_dir, i == 0 ? "eight-bit.wav" : "eight-bit.aiff");
        int rate = 22050;
        assert_int_equal(testaudio_write(path, formats[i], rate, 1, rate, sine_sample, &rate), 0);
        audio_clip *clip = load_ok(path, OUTPUT_RATE);
        assert_int_equal(clip->frames, OUTPUT_RATE);
        assert_sine_level(clip, 0.5);
        audio_clip_free(clip);
        free(path);
    }
}

/* ---- non-finite samples never reach the mix ---- */

static double poison_sample(int64_t frame, int channel, void *context)
{
    switch (frame % 5) {
    case 0: return NAN;
    case 1: return INFINITY;
    case 2: return -INFINITY;
    case 3: return 1e30;
    default: return 0.5 * sin((double)frame);
    }
}

static float render_peak(const char *session_path)
{
    session *s = NULL;
    timeline *t = NULL;
    assert_int_equal(session_load(session_path, &s, REPORT_TO_STDERR), 0);
    assert_int_equal(timeline_build(s, &t, REPORT_TO_STDERR), 0);
    engine_options options = { .volume_db = 0.0, .start = 0, .length = TIMELINE_FOREVER };
    engine *e = engine_create(t, &options);
    assert_non_null(e);
    enum { CHUNK = 4096 };
    static float out[CHUNK * 2];
    float peak = 0.0f;
    int64_t total = 0;
    size_t got;
    while ((got = engine_render(e, out, CHUNK)) > 0) {
        for (size_t i = 0; i < 2 * got; i++) {
            assert_true(isfinite(out[i]));
            peak = fmaxf(peak, fabsf(out[i]));
        }
        total += (int64_t)got;
    }
    assert_int_equal(total, timeline_length(t));
    engine_free(e);
    timeline_free(t);
    session_free(s);
    return peak;
}

/* Float and double files full of NaN, infinities and huge values, as a cue
 * step at +40 dB, as the background file and as voice cues, at the file's
 * own rate and converted: the whole render is finite and under the limit. */
static void test_non_finite_files_render_safely(void **state)
{
    static const struct { const char *name; int format; int rate; } files[] = {
        { "poison-float.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 48000 },
        { "poison-double.wav", SF_FORMAT_WAV | SF_FORMAT_DOUBLE, 44100 },
        { "poison-float.aiff", SF_FORMAT_AIFF | SF_FORMAT_FLOAT, 8000 },
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *audio = testaudio_path(testaudio_dir, files[i].name);
        assert_int_equal(testaudio_write(audio, files[i].format, files[i].rate, 2,
                                         files[i].rate / 2, poison_sample, NULL), 0);
        char text[2048];
        snprintf(text, sizeof text,
                 "title = \"Poison\";\n"
                 "volume = 40.0;\n"
                 "background = { file = \"%s\"; level = 40.0; fade = 0.1; };\n"
                 "voice = { inhale = \"%s\"; exhale = \"%s\"; level = 40.0; };\n"
                 "steps = (\n"
                 "  { type = \"cue\"; file = \"%s\"; level = 40.0; cue = \"%s\"; },\n"
                 "  { type = \"breathe\"; pattern = \"1-1\"; cycles = 2; }\n"
                 ");\n",
                 files[i].name, files[i].name, files[i].name, files[i].name, files[i].name);
        char *session_path = testaudio_write_text(testaudio_dir, "poison.cfg", text);
        assert_non_null(session_path);
        float peak = render_peak(session_path);
        print_message("%s: peak %.4f\n", files[i].name, (double)peak);
        assert_true(peak > 0.1f);          /* the finite part is heard */
        assert_true(peak <= PEAK_LIMIT);
        unlink(session_path);
        free(session_path);
        free(audio);
    }
}

/* ---- damaged files ---- */

static void truncate_to(const char *path, double fraction, off_t *old_size, off_t *new_size)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    *old_size = st.st_size;
    *new_size = (off_t)((double)st.st_size * fraction);
    assert_int_equal(truncate(path, *new_size), 0);
}

/* A WAV cut short keeps what it holds: every whole frame left in the file. */
static void test_truncated_wav_keeps_what_is_there(void **state)
{
    char *path = testaudio_path(testaudio_dir, "cut.wav");
    int rate = OUTPUT_RATE;
    assert_int_equal(testaudio_write(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, rate, 2, rate,
                                     sine_sample, &rate), 0);
    off_t old_size, new_size;
    truncate_to(path, 0.5, &old_size, &new_size);
    int64_t header = old_size - (int64_t)rate * 4;
    audio_clip *clip = load_ok(path, OUTPUT_RATE);
    assert_int_equal(clip->frames, (new_size - header) / 4);
    assert_sine_level(clip, 0.5);
    audio_clip_free(clip);
    free(path);
}

/* Compressed files cut anywhere, even inside their headers: a clear error,
 * or what could be decoded, clean. */
static void test_truncated_compressed_files(void **state)
{
    static const struct { const char *name; int format; } files[] = {
        { "cut.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16 },
        { "cut.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS },
        { "cut.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_24 },
    };
    static const double fractions[] = { 0.7, 0.3, 0.02 };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        for (size_t j = 0; j < sizeof fractions / sizeof fractions[0]; j++) {
            char *path = testaudio_path(testaudio_dir, files[i].name);
            int rate = 44100;
            assert_int_equal(testaudio_write(path, files[i].format, rate, 1, rate, sine_sample,
                                             &rate), 0);
            off_t old_size, new_size;
            truncate_to(path, fractions[j], &old_size, &new_size);
            audio_clip *clip = NULL;
            char why[256] = "";
            if (audio_clip_load(path, OUTPUT_RATE, &clip, why, sizeof why) == 0) {
                print_message("%s at %.0f%%: %lld frames\n", files[i].name,
                              100.0 * fractions[j], (long long)clip->frames);
                assert_true(clip->frames >= 1 && clip->frames <= OUTPUT_RATE);
                assert_clean(clip);
                audio_clip_free(clip);
            } else {
                print_message("%s at %.0f%%: %s\n", files[i].name, 100.0 * fractions[j], why);
                assert_true(why[0] != '\0' && strchr(why, '\n') == NULL);
            }
            unlink(path);
            free(path);
        }
    }
}

/* A file cut short streams to the length its header promised: what it
 * holds, then silence, and never frames from elsewhere in the file, read in
 * small pieces as the player does, with and without rate conversion. */
static void test_truncated_files_stream_silence_after_their_end(void **state)
{
    static const struct { const char *name; int format; } files[] = {
        { "cut.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16 },
        { "cut.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_24 },
        { "cut.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16 },
    };
    static const int rates[] = { 44100, OUTPUT_RATE };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        for (size_t k = 0; k < sizeof rates / sizeof rates[0]; k++) {
            char *path = testaudio_path(testaudio_dir, files[i].name);
            int rate = 44100;
            assert_int_equal(testaudio_write(path, files[i].format, rate, 1, 3 * rate,
                                             sine_sample, &rate), 0);
            off_t old_size, new_size;
            truncate_to(path, 0.5, &old_size, &new_size);
            audio_clip *streamed = NULL;
            char why[256] = "";
            if (audio_clip_open(path, rates[k], 1, &streamed, why, sizeof why) != 0) {
                print_message("%s: %s\n", files[i].name, why);
                unlink(path);
                free(path);
                continue;
            }
            float *read = read_streamed(streamed, rates[k]);
            /* Where sound stops: the last frame above -60 dBFS. */
            int64_t last = -1;
            for (int64_t f = 0; f < streamed->frames; f++)
                if (fabsf(read[2 * f]) > 0.001f)
                    last = f;
            print_message("%s at %d Hz: %lld frames promised, sound until %lld\n",
                          files[i].name, rates[k], (long long)streamed->frames,
                          (long long)last);
            int64_t written = 3 * (int64_t)rates[k];
            assert_true(last > written / 3);
            assert_true(last < written * 2 / 3);
            for (int64_t f = 0; f < 2 * streamed->frames; f++)
                assert_true(isfinite(read[f]));
            free(read);
            audio_clip_free(streamed);
            unlink(path);
            free(path);
        }
    }
}

/* ---- things that are not audio files ---- */

static void write_cue_session(const char *session_path, const char *cue)
{
    FILE *f = fopen(session_path, "w");
    assert_non_null(f);
    fprintf(f, "title = \"Odd cue\";\nsteps = (\n  { type = \"cue\"; file = \"%s\"; }\n);\n", cue);
    fclose(f);
}

/* A FIFO (which nobody writes to: opening it to read would wait forever)
 * and a character device named as cues are refused at once, with the
 * session's line; a folder is not taken for an audio file at all. An alarm
 * turns a hang into a failure. */
static void test_not_files_refused_without_hanging(void **state)
{
    char *folder = testaudio_path(testaudio_dir, "folder.wav");
    char *fifo = testaudio_path(testaudio_dir, "fifo.wav");
    assert_int_equal(mkdir(folder, 0700), 0);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    static const struct { const char *cue; const char *reason; } cases[] = {
        { "folder.wav", NULL },
        { "fifo.wav", "is not a regular file" },
        { "/dev/zero", "is not a regular file" },
    };
    char *session_path = testaudio_path(testaudio_dir, "odd.cfg");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_cue_session(session_path, cases[i].cue);
        char message[1024] = "";
        FILE *err = fmemopen(message, sizeof message, "w");
        session *s = NULL;
        alarm(10);
        assert_int_equal(session_load(session_path, &s, REPORT_TO(err)), 2);
        alarm(0);
        fclose(err);
        print_message("%s", message);
        assert_null(s);
        char expected[1200];
        if (cases[i].reason != NULL) {
            snprintf(expected, sizeof expected, "%s:3: cannot use audio file '%s': %s\n",
                     session_path, cases[i].cue, cases[i].reason);
            assert_string_equal(message, expected);
        } else {
            snprintf(expected, sizeof expected, "%s:3: cannot find audio file '%s' (looked in ",
                     session_path, cases[i].cue);
            assert_memory_equal(message, expected, strlen(expected));
        }
    }
    unlink(session_path);
    free(session_path);
    unlink(fifo);
    rmdir(folder);
    free(fifo);
    free(folder);
}

static int open_descriptors(void)
{
    DIR *dir = opendir("/proc/self/fd");
    assert_non_null(dir);
    int count = 0;
    while (readdir(dir) != NULL)
        count++;
    closedir(dir);
    return count;
}

/* Files are checked on the descriptor that is then decoded; whatever the
 * outcome, no descriptor stays open once the clip or reader is gone. */
static void test_no_descriptor_left_open(void **state)
{
    char *fifo = testaudio_path(testaudio_dir, "fifo.wav");
    char *text = testaudio_write_text(testaudio_dir, "text.wav", "not audio\n");
    char *good = testaudio_path(testaudio_dir, "good.wav");
    char *missing = testaudio_path(testaudio_dir, "missing.wav");
    int rate = OUTPUT_RATE;
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(testaudio_write(good, FLOAT_WAV, rate, 1, rate, sine_sample, &rate), 0);
    int before = open_descriptors();
    const char *refused[] = { fifo, text, missing, testaudio_dir, "/dev/zero" };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        audio_clip *clip = NULL;
        char why[256] = "";
        alarm(10);
        assert_int_not_equal(audio_clip_open(refused[i], OUTPUT_RATE, 0, &clip, why,
                                             sizeof why), 0);
        alarm(0);
        assert_null(clip);
    }
    audio_clip *held = open_ok(good, OUTPUT_RATE, OUTPUT_RATE);
    audio_clip *streamed = open_ok(good, OUTPUT_RATE, 1);
    free(read_streamed(streamed, OUTPUT_RATE));
    audio_clip_free(held);
    audio_clip_free(streamed);
    assert_int_equal(open_descriptors(), before);
    unlink(fifo);
    free(fifo);
    free(text);
    free(good);
    free(missing);
}

/* ---- a 2 GB file ---- */

/* Loads the session and renders a second at its start and a second 90
 * minutes in; returns 0, or the step that failed. */
static int load_and_play(const char *session_path)
{
    session *s = NULL;
    timeline *t = NULL;
    if (session_load(session_path, &s, REPORT_TO_STDERR) != 0)
        return 1;
    if (timeline_build(s, &t, REPORT_TO_STDERR) != 0)
        return 2;
    static float out[OUTPUT_RATE * 2];
    int status = 0;
    const int64_t starts[] = { 0, (int64_t)90 * 60 * OUTPUT_RATE };
    for (size_t i = 0; i < 2 && status == 0; i++) {
        engine_options options = { .volume_db = 0.0, .start = starts[i], .length = OUTPUT_RATE };
        engine *e = engine_create(t, &options);
        if (e == NULL || engine_render(e, out, OUTPUT_RATE) != OUTPUT_RATE)
            status = 3;
        for (size_t j = 0; status == 0 && j < 2 * OUTPUT_RATE; j++)
            if (!isfinite(out[j]) || fabsf(out[j]) > PEAK_LIMIT)
                status = 4;
        engine_free(e);
    }
    timeline_free(t);
    session_free(s);
    return status;
}

/* A 2 GB 32-bit float stereo WAV at 48 kHz: 268 million frames, 93 minutes,
 * written in a moment as a header and a sparse body of silence, used as a
 * session's background. In a child process, loading the session and playing
 * a second at its start and one near its end must raise the peak resident
 * size by far less than the file's size (the file is streamed). */
#define MEMORY_GROWTH_LIMIT_KB (64 * 1024)
static void test_two_gigabyte_background(void **state)
{
    char *path = testaudio_path(testaudio_dir, "huge.wav");
    uint64_t data = 2ull * 1024 * 1024 * 1024 - 64;
    /* IEEE float (format 3), stereo, 32 bits. */
    assert_int_equal(testaudio_write_sparse_wav(path, 3, 2, OUTPUT_RATE, 32, data), 0);
    const char *session_text = "title = \"Huge background\";\n"
                               "background = { file = \"huge.wav\"; level = -20.0; };\n"
                               "steps = ( { type = \"timer\"; duration = \"2h\"; } );\n";
    char *session_path = testaudio_write_text(testaudio_dir, "huge.cfg", session_text);
    assert_non_null(session_path);

    int pipe_fds[2];
    assert_int_equal(pipe(pipe_fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(120);
        long start_kb = testaudio_status_kb("VmRSS");
        int status = load_and_play(session_path);
        long growth = testaudio_status_kb("VmHWM") - start_kb;
        ssize_t ignored = write(pipe_fds[1], &growth, sizeof growth);
        (void)ignored;
        /* Valgrind checks the child for leaks as well. */
        free(session_path);
        free(path);
        _exit(status);
    }
    close(pipe_fds[1]);
    long growth_kb = -1;
    ssize_t got = read(pipe_fds[0], &growth_kb, sizeof growth_kb);
    close(pipe_fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    print_message("2 GB background: exit %d, peak resident size rose by %ld kB\n",
                  WIFEXITED(status) ? WEXITSTATUS(status) : -1, growth_kb);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(got, (ssize_t)sizeof growth_kb);
    assert_true(growth_kb >= 0 && growth_kb < MEMORY_GROWTH_LIMIT_KB);
    unlink(session_path);
    unlink(path);
    free(session_path);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_file_refused),
        cmocka_unit_test(test_one_frame_files),
        cmocka_unit_test(test_header_length_is_the_clip_length),
        cmocka_unit_test(test_eight_channels_mixed_down),
        cmocka_unit_test(test_extreme_rates),
        cmocka_unit_test(test_eight_bit_files),
        cmocka_unit_test(test_non_finite_files_render_safely),
        cmocka_unit_test(test_truncated_wav_keeps_what_is_there),
        cmocka_unit_test(test_truncated_compressed_files),
        cmocka_unit_test(test_truncated_files_stream_silence_after_their_end),
        cmocka_unit_test(test_not_files_refused_without_hanging),
        cmocka_unit_test(test_no_descriptor_left_open),
        cmocka_unit_test(test_two_gigabyte_background),
    };
    return cmocka_run_group_tests(tests, testaudio_dir_setup, testaudio_dir_teardown);
}
