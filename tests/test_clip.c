/* Unit tests for clip.c: decoding, rate conversion, channel handling and
 * the errors a session author sees for files that cannot be cues. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/clip.h"
#include "testaudio.h"

#define FLOAT_WAV (SF_FORMAT_WAV | SF_FORMAT_FLOAT)
#define BURST_HZ 1000.0
#define BURST_AMPLITUDE 0.5
/* Far above the resampler's pre-ringing, far below the burst. */
#define ONSET_THRESHOLD 0.05

static int64_t first_above(const float *samples, int64_t frames, int channel, double threshold)
{
    for (int64_t i = 0; i < frames; i++)
        if (fabs(samples[2 * i + channel]) > threshold)
            return i;
    return -1;
}

/* A 0.6 s file at source_rate with a 1 kHz burst starting at a third of
 * it, loaded at output_rate. Checks length, onset, alignment and level. */
static void check_conversion(const char *dir, int source_rate, int output_rate)
{
    char name[64];
    snprintf(name, sizeof name, "burst-%d.wav", source_rate);
    char *path = testaudio_path(dir, name);
    int64_t n = (int64_t)(0.6 * source_rate) + 7;
    testaudio_burst burst = {
        .rate = source_rate,
        .start = n / 3 + 1,
        .length = (int64_t)(0.2 * source_rate),
        .hz = BURST_HZ,
        .amplitude = BURST_AMPLITUDE,
    };
    assert_int_equal(testaudio_write_burst(path, FLOAT_WAV, 1, n, &burst), 0);

    audio_clip *clip = NULL;
    char why[256];
    assert_int_equal(audio_clip_load(path, output_rate, &clip, why, sizeof why), 0);
    assert_non_null(clip);
    assert_int_equal(clip->frames, llround((double)n * output_rate / source_rate));
    assert_int_equal(clip->source_rate, source_rate);
    assert_int_equal(clip->source_frames, n);
    assert_int_equal(clip->source_channels, 1);
    assert_string_equal(clip->path, path);

    /* Onset: the burst starts at source frame `start`, so at output frame
     * start * output_rate / source_rate; the first sample above the
     * threshold is where the formula, sampled at the output rate, first
     * exceeds it. */
    int64_t expected_start = llround((double)burst.start * output_rate / source_rate);
    int64_t expected_onset = -1;
    for (int64_t k = 0; k < clip->frames && expected_onset < 0; k++)
        if (fabs(testaudio_burst_at(&burst, (double)k / output_rate)) > ONSET_THRESHOLD)
            expected_onset = k;
    int64_t onset = first_above(clip->samples, clip->frames, 0, ONSET_THRESHOLD);
    print_message("%6d -> %6d Hz: burst starts at frame %lld, onset %lld (formula %lld, "
                  "error %+lld)\n",
                  source_rate, output_rate, (long long)expected_start, (long long)onset,
                  (long long)expected_onset, (long long)(onset - expected_onset));
    assert_true(expected_onset >= expected_start);
    assert_true(llabs(onset - expected_onset) <= 3);

    /* Alignment inside the burst: every frame matches the formula at the
     * output time, which a shift of a single frame would break (a 1 kHz
     * sine moves by up to 0.065 * amplitude per frame at 48 kHz). */
    double worst = 0.0;
    int64_t from = expected_start + output_rate / 100;
    int64_t to = llround((double)(burst.start + burst.length) * output_rate / source_rate)
                 - output_rate / 100;
    for (int64_t k = from; k < to; k++) {
        double want = testaudio_burst_at(&burst, (double)k / output_rate);
        double error = fabs(clip->samples[2 * k] - want);
        if (error > worst)
            worst = error;
    }
    print_message("                   largest difference from the formula: %.2e\n", worst);
    assert_true(worst < 0.01 * BURST_AMPLITUDE);

    /* Level within 0.5 dB, both channels the same (mono source). */
    double rms = testaudio_rms(clip->samples, 2, 0, from, to);
    double db = 20.0 * log10(rms / (BURST_AMPLITUDE / sqrt(2.0)));
    assert_true(fabs(db) < 0.5);
    for (int64_t k = 0; k < clip->frames; k++)
        assert_true(clip->samples[2 * k] == clip->samples[2 * k + 1]);

    audio_clip_free(clip);
    free(path);
}

static void test_rates_to_48000(void **state)
{
    static const int rates[] = { 8000, 22050, 44100, 48000, 96000, 192000 };
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++)
        check_conversion(*state, rates[i], 48000);
}

static void test_rates_to_44100(void **state)
{
    static const int rates[] = { 8000, 48000, 96000 };
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++)
        check_conversion(*state, rates[i], 44100);
}

static double stereo_sample(int64_t frame, int channel, void *context)
{
    return channel == 0 ? 0.5 * sin(2.0 * M_PI * 440.0 * (double)frame / 44100.0) : 0.0;
}

static void test_stereo_kept_apart(void **state)
{
    char *path = testaudio_path(*state, "stereo.wav");
    assert_int_equal(testaudio_write(path, FLOAT_WAV, 44100, 2, 44100, stereo_sample, NULL), 0);
    audio_clip *clip = NULL;
    char why[256];
    assert_int_equal(audio_clip_load(path, 48000, &clip, why, sizeof why), 0);
    assert_int_equal(clip->source_channels, 2);
    double left = testaudio_rms(clip->samples, 2, 0, 0, clip->frames);
    double right = testaudio_rms(clip->samples, 2, 1, 0, clip->frames);
    assert_true(left > 0.3);
    assert_true(right < 1e-6);
    audio_clip_free(clip);
    free(path);
}

static double quad_sample(int64_t frame, int channel, void *context)
{
    return 0.1 * (channel + 1);
}

static void test_four_channels_mixed_down(void **state)
{
    char *path = testaudio_path(*state, "quad.wav");
    assert_int_equal(testaudio_write(path, FLOAT_WAV, 48000, 4, 4800, quad_sample, NULL), 0);
    audio_clip *clip = NULL;
    char why[256];
    assert_int_equal(audio_clip_load(path, 48000, &clip, why, sizeof why), 0);
    assert_int_equal(clip->source_channels, 4);
    assert_int_equal(clip->frames, 4800);
    /* (0.1 + 0.2 + 0.3 + 0.4) / 4 on both sides, away from the edge fades. */
    for (int64_t k = 200; k < 4600; k++) {
        assert_float_equal(clip->samples[2 * k], 0.25, 1e-6);
        assert_float_equal(clip->samples[2 * k + 1], 0.25, 1e-6);
    }
    audio_clip_free(clip);
    free(path);
}

static double hostile_sample(int64_t frame, int channel, void *context)
{
    switch (frame % 8) {
    case 1: return NAN;
    case 2: return INFINITY;
    case 3: return -INFINITY;
    case 4: return 5.0;
    case 5: return -5.0;
    default: return 0.25;
    }
}

static void test_non_finite_and_loud_samples(void **state)
{
    char *path = testaudio_path(*state, "hostile.wav");
    assert_int_equal(testaudio_write(path, FLOAT_WAV, 48000, 2, 48000, hostile_sample, NULL), 0);
    /* The file really holds the bad values. */
    float *raw;
    int64_t raw_frames;
    int channels, rate;
    assert_int_equal(testaudio_read(path, &raw, &raw_frames, &channels, &rate), 0);
    assert_true(isnan(raw[2 * 1]) && isinf(raw[2 * 2]) && raw[2 * 4] == 5.0f);
    free(raw);

    static const int rates[] = { 48000, 44100 };
    for (size_t r = 0; r < 2; r++) {
        audio_clip *clip = NULL;
        char why[256];
        assert_int_equal(audio_clip_load(path, rates[r], &clip, why, sizeof why), 0);
        for (int64_t i = 0; i < 2 * clip->frames; i++) {
            assert_true(isfinite(clip->samples[i]));
            assert_true(clip->samples[i] >= -1.0f && clip->samples[i] <= 1.0f);
        }
        if (rates[r] == 48000) {
            assert_float_equal(clip->samples[2 * 1004], 1.0, 0.0);   /* 5.0 clamped */
            assert_float_equal(clip->samples[2 * 1005], -1.0, 0.0);  /* -5.0 clamped */
            assert_float_equal(clip->samples[2 * 1001], 0.0, 0.0);   /* NaN */
        }
        audio_clip_free(clip);
    }
    free(path);
}

static double tone_sample(int64_t frame, int channel, void *context)
{
    return 0.5 * sin(2.0 * M_PI * 440.0 * (double)frame / 44100.0);
}

static void check_compressed(const char *dir, const char *name, int format)
{
    char *path = testaudio_path(dir, name);
    assert_int_equal(testaudio_write(path, format, 44100, 1, 44100, tone_sample, NULL), 0);
    audio_clip *clip = NULL;
    char why[256] = "";
    int status = audio_clip_load(path, 48000, &clip, why, sizeof why);
    if (status != 0)
        print_error("%s: %s\n", name, why);
    assert_int_equal(status, 0);
    assert_int_equal(clip->source_frames, 44100);
    assert_int_equal(clip->frames, 48000);
    double rms = testaudio_rms(clip->samples, 2, 0, 4800, 43200);
    assert_true(fabs(20.0 * log10(rms / (0.5 / sqrt(2.0)))) < 0.5);
    audio_clip_free(clip);
    free(path);
}

static void test_flac_and_vorbis(void **state)
{
    check_compressed(*state, "tone.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
    check_compressed(*state, "tone.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS);
}

static double dc_sample(int64_t frame, int channel, void *context)
{
    return 0.5;
}

static void test_edges_faded(void **state)
{
    char *path = testaudio_path(*state, "dc.wav");
    assert_int_equal(testaudio_write(path, FLOAT_WAV, 48000, 1, 9600, dc_sample, NULL), 0);
    static const int rates[] = { 48000, 44100, 8000 };
    for (size_t r = 0; r < 3; r++) {
        audio_clip *clip = NULL;
        char why[256];
        assert_int_equal(audio_clip_load(path, rates[r], &clip, why, sizeof why), 0);
        int64_t last = clip->frames - 1;
        for (int c = 0; c < 2; c++) {
            assert_true(fabs(clip->samples[c]) < 1e-6);
            assert_true(fabs(clip->samples[2 * last + c]) < 1e-6);
            /* Rising, not jumping: the second sample is still small. */
            assert_true(fabs(clip->samples[2 + c]) < 0.05);
            assert_true(fabs(clip->samples[2 * (last - 1) + c]) < 0.05);
        }
        /* The middle is untouched. */
        assert_float_equal(clip->samples[2 * (clip->frames / 2)], 0.5, 1e-3);
        audio_clip_free(clip);
    }
    free(path);
}

static void check_refused(const char *path, const char *expected_part)
{
    audio_clip *clip = (audio_clip *)&clip;
    char why[256] = "untouched";
    assert_int_not_equal(audio_clip_load(path, 48000, &clip, why, sizeof why), 0);
    assert_null(clip);
    assert_true(why[0] != '\0');
    assert_true(strcmp(why, "untouched") != 0);
    assert_null(strchr(why, '\n'));
    print_message("refused %s: %s\n", strrchr(path, '/') + 1, why);
    if (expected_part != NULL)
        assert_non_null(strstr(why, expected_part));
}

static void test_errors(void **state)
{
    const char *dir = *state;
    char *missing = testaudio_path(dir, "missing.wav");
    check_refused(missing, NULL);
    free(missing);

    char *folder = testaudio_path(dir, "folder.wav");
    assert_int_equal(mkdir(folder, 0700), 0);
    check_refused(folder, "directory");
    free(folder);

    char *fifo = testaudio_path(dir, "fifo.wav");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    check_refused(fifo, "not a regular file");
    free(fifo);

    char *text = testaudio_write_text(dir, "notes.wav", "These are notes, not sound.\n");
    assert_non_null(text);
    check_refused(text, "not an audio file");
    free(text);

    char *empty = testaudio_path(dir, "empty.wav");
    assert_int_equal(testaudio_write(empty, FLOAT_WAV, 48000, 1, 0, dc_sample, NULL), 0);
    check_refused(empty, "contains no audio");
    free(empty);
}

/* A valid 8 kHz 8-bit mono WAV of 3 hours and 1 second, written as a
 * header plus a sparse body: the length is refused before any decoding. */
static void test_too_long(void **state)
{
    char *path = testaudio_path(*state, "long.wav");
    uint32_t data = (3 * 3600 + 1) * 8000;
    /* Integer PCM (format 1), mono, 8 bits. */
    assert_int_equal(testaudio_write_sparse_wav(path, 1, 1, 8000, 8, data), 0);
    check_refused(path, "longer than 3 hours");
    free(path);
}

/* Files opened deferred and decoded together, on several threads, hold
 * exactly what each decoded alone holds; an undecoded clip frees cleanly. */
static void test_deferred_decoding_matches(void **state)
{
    const char *dir = *state;
    enum { FILES = 7 };
    static const int formats[FILES] = {
        FLOAT_WAV, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, SF_FORMAT_OGG | SF_FORMAT_VORBIS,
        SF_FORMAT_WAV | SF_FORMAT_PCM_16, FLOAT_WAV, SF_FORMAT_OGG | SF_FORMAT_VORBIS,
        SF_FORMAT_FLAC | SF_FORMAT_PCM_24,
    };
    static const int rates[FILES] = { 48000, 44100, 48000, 22050, 96000, 32000, 48000 };
    static const char *names[FILES] = { "d0.wav", "d1.flac", "d2.ogg", "d3.wav", "d4.wav",
                                        "d5.ogg", "d6.flac" };
    audio_clip *deferred[FILES], *alone[FILES];
    char why[256];
    for (int i = 0; i < FILES; i++) {
        char *path = testaudio_path(dir, names[i]);
        /* Lengths from 0.2 to 1.4 s, so the longest-first order differs
         * from the order given. */
        int64_t frames = rates[i] / 5 * (1 + (i * 3) % FILES);
        testaudio_burst burst = { rates[i], frames / 4, frames / 2, 300.0 + 100.0 * i, 0.4 };
        assert_int_equal(testaudio_write_burst(path, formats[i], 1 + i % 2, frames, &burst), 0);
        assert_int_equal(audio_clip_open_deferred(path, 48000, 48000 * 5, &deferred[i], why,
                                                  sizeof why), 0);
        assert_non_null(deferred[i]->pending);
        assert_null(deferred[i]->samples);
        assert_false(deferred[i]->streamed);
        assert_int_equal(audio_clip_load(path, 48000, &alone[i], why, sizeof why), 0);
        free(path);
    }
    size_t failed = 99;
    assert_int_equal(audio_clip_finish_all(deferred, FILES, &failed, why, sizeof why), 0);
    assert_int_equal(failed, 99);
    for (int i = 0; i < FILES; i++) {
        assert_null(deferred[i]->pending);
        assert_int_equal(deferred[i]->frames, alone[i]->frames);
        assert_int_equal(deferred[i]->source_frames, alone[i]->source_frames);
        assert_memory_equal(deferred[i]->samples, alone[i]->samples,
                            sizeof(float) * 2 * (size_t)alone[i]->frames);
        /* Finishing again changes nothing. */
        assert_int_equal(audio_clip_finish(deferred[i], why, sizeof why), 0);
        audio_clip_free(deferred[i]);
        audio_clip_free(alone[i]);
    }
    /* Opened, never decoded: freeing closes the file. */
    char *path = testaudio_path(dir, names[2]);
    audio_clip *clip;
    assert_int_equal(audio_clip_open_deferred(path, 48000, 48000 * 5, &clip, why, sizeof why),
                     0);
    audio_clip_free(clip);
    free(path);
}

static void test_free_null(void **state)
{
    audio_clip_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TESTAUDIO_TEST_IN_DIR(test_rates_to_48000),
        TESTAUDIO_TEST_IN_DIR(test_rates_to_44100),
        TESTAUDIO_TEST_IN_DIR(test_stereo_kept_apart),
        TESTAUDIO_TEST_IN_DIR(test_four_channels_mixed_down),
        TESTAUDIO_TEST_IN_DIR(test_non_finite_and_loud_samples),
        TESTAUDIO_TEST_IN_DIR(test_flac_and_vorbis),
        TESTAUDIO_TEST_IN_DIR(test_edges_faded),
        TESTAUDIO_TEST_IN_DIR(test_errors),
        TESTAUDIO_TEST_IN_DIR(test_too_long),
        TESTAUDIO_TEST_IN_DIR(test_deferred_decoding_matches),
        cmocka_unit_test(test_free_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
