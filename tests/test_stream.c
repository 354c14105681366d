/* Streaming long files: a streamed clip reads the same frames as the file
 * decoded whole, from any position, through the stream pool's rings, offline
 * and with its reader thread; a late reader costs silence on time, not a
 * shift; a deleted file plays silence or keeps playing, never crashes.
 * (Whole sessions with streamed files: test_stream_session.c.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <sndfile.h>

#include "render/stream.h"
#include "testaudio.h"

#define RATE 48000

static char *write_music(const char *name, int rate, int channels, double seconds)
{
    char *path = testaudio_write_music(testaudio_dir, name, rate, channels, seconds);
    assert_non_null(path);
    return path;
}

static audio_clip *open_clip(const char *path, int64_t preload_max)
{
    audio_clip *clip = NULL;
    char why[256];
    assert_int_equal(audio_clip_open(path, RATE, preload_max, &clip, why, sizeof why), 0);
    assert_non_null(clip);
    return clip;
}

/* Frames [from, from + frames) of a streamed clip, read in pieces of `piece`. */
static float *read_range(const audio_clip *clip, int64_t from, int64_t frames, int64_t piece)
{
    audio_clip_reader *reader = NULL;
    char why[256];
    assert_int_equal(audio_clip_reader_open(clip, RATE, from, &reader, why, sizeof why), 0);
    float *out = malloc(sizeof(float) * 2 * (size_t)frames);
    assert_non_null(out);
    for (int64_t done = 0; done < frames;) {
        int64_t n = frames - done < piece ? frames - done : piece;
        assert_int_equal(audio_clip_reader_read(reader, out + 2 * done, n), n);
        done += n;
    }
    audio_clip_reader_close(reader);
    return out;
}

static int64_t count_different(const float *a, const float *b, int64_t frames)
{
    int64_t n = 0;
    for (int64_t i = 0; i < 2 * frames; i++)
        n += a[i] != b[i];
    return n;
}

static double largest_difference(const float *a, const float *b, int64_t frames)
{
    double most = 0.0;
    for (int64_t i = 0; i < 2 * frames; i++)
        most = fmax(most, fabs((double)a[i] - b[i]));
    return most;
}

/* ---- the reader ---- */

/* At the session's rate a streamed file is the decoded file, frame for
 * frame, edge fades included, from the start or from anywhere. */
static void test_streamed_equals_decoded_same_rate(void **state)
{
    (void)state;
    const char *names[] = { "same.wav", "same.flac" };
    for (int f = 0; f < 2; f++) {
        char *path = write_music(names[f], RATE, f == 0 ? 2 : 1, 6.0);
        audio_clip *whole = open_clip(path, INT64_MAX);
        audio_clip *streamed = open_clip(path, RATE);
        assert_false(whole->streamed);
        assert_true(streamed->streamed);
        assert_null(streamed->samples);
        assert_int_equal(streamed->frames, 6 * RATE);
        assert_int_equal(whole->frames, streamed->frames);
        float *all = read_range(streamed, 0, streamed->frames, 1000);
        assert_int_equal(count_different(all, whole->samples, whole->frames), 0);
        /* The edge fades: the very first and last frames are silent. */
        assert_true(all[0] == 0.0f && all[2 * (whole->frames - 1)] == 0.0f);
        free(all);
        const int64_t starts[] = { 1, 4799, 12345, 200000, 6 * RATE - 700 };
        for (int s = 0; s < 5; s++) {
            int64_t n = streamed->frames - starts[s] < 5000 ? streamed->frames - starts[s] : 5000;
            float *part = read_range(streamed, starts[s], n, 333);
            assert_int_equal(count_different(part, whole->samples + 2 * starts[s], n), 0);
            free(part);
        }
        audio_clip_free(whole);
        audio_clip_free(streamed);
        free(path);
    }
}

/* Converted from another rate, a streamed file keeps the decoded file's
 * length and timing; segments restart the converter, so the samples agree
 * to well below audibility rather than bit for bit. What a frame holds does
 * not depend on where reading started. */
static void test_streamed_converts_rate(void **state)
{
    (void)state;
    const int rates[] = { 44100, 22050, 96000 };
    for (int r = 0; r < 3; r++) {
        char name[32];
        snprintf(name, sizeof name, "rate%d.wav", rates[r]);
        char *path = write_music(name, rates[r], 2, 5.0);
        audio_clip *whole = open_clip(path, INT64_MAX);
        audio_clip *streamed = open_clip(path, RATE);
        assert_true(streamed->streamed);
        assert_int_equal(streamed->frames, llround(5.0 * rates[r] * RATE / rates[r]));
        assert_int_equal(streamed->frames, whole->frames);
        float *all = read_range(streamed, 0, streamed->frames, 4096);
        /* -80 dB against a signal peaking near 0.9. */
        double most = largest_difference(all, whole->samples, whole->frames);
        assert_true(most < 1e-4);
        /* The first segment edge is at 4 s. */
        const int64_t starts[] = { 3, 191999, 192000, 200000, 5 * RATE - 100 };
        for (int s = 0; s < 5; s++) {
            int64_t n = streamed->frames - starts[s] < 9000 ? streamed->frames - starts[s] : 9000;
            float *part = read_range(streamed, starts[s], n, 777);
            assert_int_equal(count_different(part, all + 2 * starts[s], n), 0);
            free(part);
        }
        free(all);
        audio_clip_free(whole);
        audio_clip_free(streamed);
        free(path);
    }
}

/* ---- the pool ---- */

static void read_pieces(stream_slot *slot, float *out, int64_t frames, int piece)
{
    for (int64_t done = 0; done < frames;) {
        int n = frames - done < piece ? (int)(frames - done) : piece;
        stream_read(slot, out + 2 * done, n);
        done += n;
    }
}

/* Offline the pool hands out the clip's frames in order, and a loop goes
 * back to its start at its end. */
static void test_pool_offline_and_loop(void **state)
{
    (void)state;
    char *path = write_music("loop.wav", RATE, 2, 3.0);
    audio_clip *streamed = open_clip(path, 0);
    float *all = read_range(streamed, 0, streamed->frames, 4096);
    stream_pool *pool = stream_pool_create(RATE, false, 0.0);
    assert_non_null(pool);

    stream_slot *slot = stream_claim(pool, streamed, 1000, 0, 0);
    assert_non_null(slot);
    int64_t n = streamed->frames - 1000;
    float *got = malloc(sizeof(float) * 2 * (size_t)n);
    read_pieces(slot, got, n, 32);
    assert_int_equal(count_different(got, all + 2 * 1000, n), 0);
    stream_release(slot);
    free(got);

    /* Loop [10000, 100000) from 90000: 10000 frames to the end, then again. */
    slot = stream_claim(pool, streamed, 90000, 10000, 100000);
    got = malloc(sizeof(float) * 2 * 200000);
    read_pieces(slot, got, 200000, 29);
    assert_int_equal(count_different(got, all + 2 * 90000, 10000), 0);
    for (int64_t k = 10000; k < 200000; k++) {
        int64_t at = 10000 + (k - 10000) % 90000;
        assert_true(got[2 * k] == all[2 * at] && got[2 * k + 1] == all[2 * at + 1]);
    }
    stream_release(slot);

    /* Every slot can be taken; one more is counted as a missed sound. */
    stream_slot *slots[STREAM_SLOTS];
    for (int i = 0; i < STREAM_SLOTS; i++)
        assert_non_null(slots[i] = stream_claim(pool, streamed, 0, 0, 0));
    assert_null(stream_claim(pool, streamed, 0, 0, 0));
    for (int i = 0; i < STREAM_SLOTS; i++)
        stream_release(slots[i]);
    stream_report report;
    stream_pool_report(pool, &report);
    assert_int_equal(report.missed_sounds, 1);
    assert_int_equal(report.missing_frames, 0);
    assert_int_equal(report.failures, 0);

    stream_pool_free(pool);
    free(got);
    free(all);
    audio_clip_free(streamed);
    free(path);
}

static void sleep_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
}

/* Live, frames that are not there when due are silence, counted, and then
 * skipped: the sound goes on at the frame it would have reached. */
static void test_pool_live_late_reader_stays_on_time(void **state)
{
    (void)state;
    char *path = write_music("late.wav", RATE, 2, 2.0);
    audio_clip *streamed = open_clip(path, 0);
    float *all = read_range(streamed, 0, streamed->frames, 4096);
    stream_pool *pool = stream_pool_create(RATE, true, 0.0);
    stream_slot *slot = stream_claim(pool, streamed, 0, 0, 0);
    float got[2 * 1000];
    /* No reader yet: 1000 frames of silence, counted. */
    stream_read(slot, got, 1000);
    for (int i = 0; i < 2000; i++)
        assert_true(got[i] == 0.0f);
    assert_int_equal(stream_pool_start(pool), 0);
    /* From now on, frames from 1000 on, on time. */
    int64_t position = 1000;
    while (position + 1000 <= streamed->frames) {
        sleep_ms(5);
        stream_read(slot, got, 1000);
        stream_report report;
        stream_pool_report(pool, &report);
        if (report.missing_frames == 1000)
            assert_int_equal(count_different(got, all + 2 * position, 1000), 0);
        position += 1000;
    }
    stream_release(slot);
    stream_report report;
    stream_pool_report(pool, &report);
    /* The reader keeps a ring 0.68 s ahead; on an unloaded machine nothing
     * else is late, and a late frame would have shown as a mismatch above. */
    assert_true(report.missing_frames >= 1000);
    assert_int_equal(report.failures, 0);
    stream_pool_free(pool);
    free(all);
    audio_clip_free(streamed);
    free(path);
}

/* A file deleted before it plays is silence and a failure with its name;
 * one deleted while it plays keeps playing from its open descriptor. */
static void test_deleted_files(void **state)
{
    (void)state;
    char *gone = write_music("gone.wav", RATE, 2, 2.0);
    char *going = write_music("going.wav", RATE, 2, 2.0);
    audio_clip *gone_clip = open_clip(gone, 0);
    audio_clip *going_clip = open_clip(going, 0);
    float *all = read_range(going_clip, 0, going_clip->frames, 4096);
    stream_pool *pool = stream_pool_create(RATE, false, 0.0);

    assert_int_equal(unlink(gone), 0);
    stream_slot *slot = stream_claim(pool, gone_clip, 0, 0, 0);
    float got[2 * 512];
    stream_read(slot, got, 512);
    for (int i = 0; i < 1024; i++)
        assert_true(got[i] == 0.0f);
    stream_release(slot);

    slot = stream_claim(pool, going_clip, 0, 0, 0);
    float *played = malloc(sizeof(float) * 2 * (size_t)going_clip->frames);
    read_pieces(slot, played, 4800, 32);
    assert_int_equal(unlink(going), 0);
    read_pieces(slot, played + 2 * 4800, going_clip->frames - 4800, 32);
    assert_int_equal(count_different(played, all, going_clip->frames), 0);
    stream_release(slot);

    stream_report report;
    stream_pool_report(pool, &report);
    assert_int_equal(report.failures, 1);
    assert_int_equal(report.missing_frames, 0);
    assert_non_null(strstr(report.failure, "gone.wav"));
    stream_pool_free(pool);
    free(played);
    free(all);
    audio_clip_free(gone_clip);
    audio_clip_free(going_clip);
    free(gone);
    free(going);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streamed_equals_decoded_same_rate),
        cmocka_unit_test(test_streamed_converts_rate),
        cmocka_unit_test(test_pool_offline_and_loop),
        cmocka_unit_test(test_pool_live_late_reader_stays_on_time),
        cmocka_unit_test(test_deleted_files),
    };
    return cmocka_run_group_tests(tests, testaudio_dir_setup, testaudio_dir_teardown);
}
