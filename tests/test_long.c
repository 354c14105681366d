/* An eight-hour session rendered whole by the engine (suite "long").
 *
 * The session repeats a round of about 60.1665 s (not a whole number of
 * frames) 479 times: a cue file, a bell, a breathe step with a spoken cue (a click)
 * on every phase and a timer with ticks. Every sound is short and apart from
 * the next, with no pacer and no background, so the output is exactly zero
 * between sounds and each onset can be found in the samples. The test
 * checks, for all of the eight hours:
 *   - every event the timeline lists (timeline_span_events) starts on its
 *     frame in the output: the sample on that frame is 0 (every sound rises
 *     from zero) and the next one is not, and the one before is silence;
 *   - no sound starts anywhere else;
 *   - the cue at the start of round r is on frame r * F, where F is the sum
 *     of the round's step lengths each rounded to frames (docs/
 *     sound-and-timing.md), computed here from the session's numbers: the
 *     last round starts where the rule says, to the frame, after 8 hours;
 *   - the output is finite and under the limiter's ceiling;
 *   - the process's peak memory after eight hours is what it was after
 *     the first hour (flat in the length of the session). */
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
#include <unistd.h>

#include "render/engine.h"
#include "format/session.h"
#include "testaudio.h"
#include "render/timeline.h"
#include "testreport.h"

#define RATE 44100
#define ROUNDS 479
/* Each step's length rounded to frames: the cue (its 0.1 s file, then a
 * 4.9 s gap), the bell (1 s ring, 1.5 s gap), five breath cycles of
 * 3.3333 + 4.1 s (placed from exact times, so rounded once) and the timer. */
#define CLICK_FRAMES (RATE / 10)
static int64_t round_frames(void)
{
    return CLICK_FRAMES + llround(4.9 * RATE)
         + llround(1.0 * RATE) + llround(1.5 * RATE)
         + llround(5 * (3.3333 + 4.1) * RATE)
         + llround(15.5 * RATE);
}
#define PEAK_LIMIT 0.8913f      /* -1 dBFS */
/* Peak memory may grow this much between the first hour and the eighth. */
#define MEMORY_GROWTH_LIMIT_KB 1024

static const char session_text[] =
    "title = \"Eight hours\";\n"
    "sample_rate = 44100;\n"
    "pacer = { sound = \"none\"; };\n"
    "voice = { inhale = \"click.wav\"; exhale = \"click.wav\"; cycles = 0; };\n"
    "steps = (\n"
    "  { type = \"repeat\"; count = 479; steps = (\n"
    "    { type = \"cue\"; file = \"click.wav\"; gap = 4.9; },\n"
    "    { type = \"bell\"; ring = 1.0; gap = 1.5; },\n"
    "    { type = \"breathe\"; pattern = \"3.3333-4.1\"; cycles = 5; },\n"
    "    { type = \"timer\"; duration = 15.5; bell_end = false; ticks = 3; }\n"
    "  ); }\n"
    ");\n";

typedef struct {
    int64_t *frames;
    size_t count, capacity;
} frame_list;

static void add_frame(frame_list *list, int64_t frame)
{
    if (list->count == list->capacity) {
        list->capacity = list->capacity ? list->capacity * 2 : 1024;
        list->frames = realloc(list->frames, sizeof(int64_t) * list->capacity);
        assert_non_null(list->frames);
    }
    list->frames[list->count++] = frame;
}

static void collect_event(void *context, const timeline_event *event)
{
    add_frame(context, event->start);
}

static double click_sample(int64_t frame, int channel, void *context)
{
    return 0.5;
}

static long peak_memory_kb(void)
{
    long kb = testaudio_status_kb("VmHWM");
    assert_true(kb >= 0);
    return kb;
}

static void test_eight_hours_on_exact_frames(void **state)
{
    char *dir = testaudio_temp_dir();
    assert_non_null(dir);
    char *click = testaudio_path(dir, "click.wav");
    assert_int_equal(testaudio_write(click, SF_FORMAT_WAV | SF_FORMAT_FLOAT, RATE, 1,
                                     CLICK_FRAMES, click_sample, NULL), 0);
    char *session_path = testaudio_write_text(dir, "eight-hours.cfg", session_text);
    assert_non_null(session_path);

    session *s = NULL;
    timeline *t = NULL;
    assert_int_equal(session_load(session_path, &s, REPORT_TO_STDERR), 0);
    assert_int_equal(timeline_build(s, &t, REPORT_TO_STDERR), 0);
    int64_t length = timeline_length(t);
    assert_int_equal(length, ROUNDS * round_frames());
    assert_true(length >= (int64_t)8 * 3600 * RATE);

    /* What the timeline says, span by span. */
    frame_list expected = { 0 };
    timeline_span span;
    for (int64_t frame = 0; timeline_locate(t, frame, &span); frame = span.end)
        timeline_span_events(t, &span, span.start, span.end, collect_event, &expected);
    /* Per round: 1 cue, 1 bell, 10 voice clicks, 3 ticks. */
    assert_int_equal(expected.count, (size_t)ROUNDS * 15);
    for (size_t i = 1; i < expected.count; i++)
        assert_true(expected.frames[i] > expected.frames[i - 1]);
    for (int64_t r = 0; r < ROUNDS; r++)
        assert_int_equal(expected.frames[r * 15], r * round_frames());

    /* What the engine plays. */
    engine_options options = { .volume_db = 0.0, .start = 0, .length = TIMELINE_FOREVER };
    engine *e = engine_create(t, &options);
    assert_non_null(e);
    enum { CHUNK = 8192 };
    static float out[CHUNK * 2];
    frame_list onsets = { 0 };
    bool previous_silent = true;
    int64_t position = 0;
    float peak = 0.0f;
    long memory_after_first_hour = -1;
    size_t got;
    while ((got = engine_render(e, out, CHUNK)) > 0) {
        for (size_t i = 0; i < got; i++) {
            float left = out[2 * i], right = out[2 * i + 1];
            if (!isfinite(left) || !isfinite(right))
                fail_msg("frame %lld is not finite", (long long)(position + (int64_t)i));
            peak = fmaxf(peak, fmaxf(fabsf(left), fabsf(right)));
            bool silent = left == 0.0f && right == 0.0f;
            if (previous_silent && !silent)
                add_frame(&onsets, position + (int64_t)i);
            previous_silent = silent;
        }
        position += (int64_t)got;
        if (memory_after_first_hour < 0 && position >= (int64_t)3600 * RATE)
            memory_after_first_hour = peak_memory_kb();
    }
    engine_free(e);
    assert_int_equal(position, length);
    long memory_at_end = peak_memory_kb();
    print_message("%lld frames (%.3f h), %zu events, peak %.4f, peak memory %ld kB after "
                  "1 h, %ld kB after %.1f h\n", (long long)length, length / (3600.0 * RATE),
                  expected.count, (double)peak, memory_after_first_hour, memory_at_end,
                  length / (3600.0 * RATE));
    assert_true(peak > 0.1f && peak <= PEAK_LIMIT);
    assert_true(memory_at_end - memory_after_first_hour < MEMORY_GROWTH_LIMIT_KB);

    /* Every sound rises from zero: its first sample is 0, the next is not. */
    assert_int_equal(onsets.count, expected.count);
    for (size_t i = 0; i < expected.count; i++) {
        if (onsets.frames[i] != expected.frames[i] + 1)
            fail_msg("event %zu: expected on frame %lld, heard from frame %lld", i,
                     (long long)expected.frames[i], (long long)onsets.frames[i] - 1);
    }

    free(onsets.frames);
    free(expected.frames);
    timeline_free(t);
    session_free(s);
    unlink(session_path);
    unlink(click);
    free(session_path);
    free(click);
    testaudio_remove_dir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eight_hours_on_exact_frames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
