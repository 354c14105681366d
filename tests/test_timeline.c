/* Timeline: step lengths, breath cycles, ramps, phases, repeats and events,
 * all in exact frames computed from the session format's rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "render/timeline.h"
#include "testreport.h"

#define RATE 48000

static session make_session(session_step *steps, size_t count)
{
    session s;
    memset(&s, 0, sizeof s);
    s.path = "test.cfg";
    s.title = "test";
    s.description = s.author = "";
    s.sample_rate = RATE;
    s.pacer = (pacer_settings){ PACER_TONE, PACER_DEFAULT_LOW_HZ, PACER_DEFAULT_HIGH_HZ,
                                PACER_DEFAULT_LEVEL_DB };
    s.steps = steps;
    s.step_count = count;
    return s;
}

static session_step breathe_step(const double *seconds, int count, long long cycles,
                                 double duration)
{
    session_step step;
    memset(&step, 0, sizeof step);
    step.type = STEP_BREATHE;
    step.label = "";
    step.line = 1;
    step.breathe.pattern.count = count;
    static const breath_kind kinds[4][4] = {
        { BREATH_INHALE }, { BREATH_INHALE, BREATH_EXHALE },
        { BREATH_INHALE, BREATH_HOLD, BREATH_EXHALE },
        { BREATH_INHALE, BREATH_HOLD, BREATH_EXHALE, BREATH_HOLD_OUT },
    };
    for (int i = 0; i < count; i++) {
        step.breathe.pattern.seconds[i] = seconds[i];
        step.breathe.pattern.kind[i] = kinds[count - 1][i];
    }
    step.breathe.ramp_to = step.breathe.pattern;
    step.breathe.cycles = cycles;
    step.breathe.duration_seconds = duration;
    step.breathe.pacer = (pacer_settings){ PACER_TONE, 196, 294, -18 };
    step.breathe.voice.cycles = 3;
    return step;
}

static void set_ramp(session_step *step, const double *seconds)
{
    step->breathe.ramps = true;
    for (int i = 0; i < step->breathe.pattern.count; i++)
        step->breathe.ramp_to.seconds[i] = seconds[i];
}

static session_step timer_step(double duration)
{
    session_step step;
    memset(&step, 0, sizeof step);
    step.type = STEP_TIMER;
    step.label = "";
    step.line = 1;
    step.timer.duration_seconds = duration;
    step.timer.bell_end = true;
    return step;
}

/* `count` rounds of `body` (0: forever). */
static session_step repeat_step(session_step *body, size_t body_count, long long count)
{
    session_step step;
    memset(&step, 0, sizeof step);
    step.type = STEP_REPEAT;
    step.label = "";
    step.line = 1;
    step.repeat.steps = body;
    step.repeat.step_count = body_count;
    step.repeat.count = count;
    step.repeat.forever = count == 0;
    return step;
}

static session_step bell_step(int strikes, double interval, double ring)
{
    session_step step;
    memset(&step, 0, sizeof step);
    step.type = STEP_BELL;
    step.label = "";
    step.line = 1;
    step.bell.strikes = strikes;
    step.bell.interval_seconds = interval;
    step.bell.ring_seconds = ring;
    step.bell.hz = BELL_DEFAULT_HZ;
    step.bell.level_db = BELL_DEFAULT_LEVEL_DB;
    return step;
}

static timeline *build(session *s)
{
    timeline *t = NULL;
    assert_int_equal(timeline_build(s, &t, REPORT_TO_STDERR), 0);
    assert_non_null(t);
    return t;
}

static int64_t frames(double seconds) { return (int64_t)llround(seconds * RATE); }

static timeline_breath breath_at(const timeline *t, double seconds)
{
    timeline_span span;
    assert_true(timeline_locate(t, frames(seconds), &span));
    timeline_breath b;
    assert_true(timeline_breath_at(t, &span, frames(seconds), &b));
    return b;
}

static void test_cycles_give_whole_cycles(void **state)
{
    (void)state;
    const double pattern[] = { 4, 6 };
    session_step steps[] = { breathe_step(pattern, 2, 3, 0) };
    session s = make_session(steps, 1);
    timeline *t = build(&s);
    assert_int_equal(timeline_length(t), 30 * RATE);
    timeline_breath b = breath_at(t, 0.5);
    assert_int_equal(b.kind, BREATH_INHALE);
    assert_int_equal(b.start, 0);
    assert_int_equal(b.length, 4 * RATE);
    b = breath_at(t, 14.0);   /* cycle 1, exhale from 14 s */
    assert_int_equal(b.kind, BREATH_EXHALE);
    assert_int_equal(b.cycle, 1);
    assert_int_equal(b.start, 14 * RATE);
    assert_int_equal(b.length, 6 * RATE);
    assert_true(b.fullness_from == 1.0 && b.fullness_to == 0.0);
    timeline_free(t);
}

static void test_duration_ends_on_cycle_boundary(void **state)
{
    (void)state;
    const double pattern[] = { 4, 6 };
    session_step steps[] = { breathe_step(pattern, 2, 0, 25), breathe_step(pattern, 2, 0, 30) };
    session s = make_session(steps, 1);
    timeline *t = build(&s);
    assert_int_equal(timeline_length(t), 30 * RATE);   /* first boundary at or after 25 s */
    timeline_free(t);
    s = make_session(steps + 1, 1);
    t = build(&s);
    assert_int_equal(timeline_length(t), 30 * RATE);   /* exactly 30 s: three cycles */
    assert_int_equal(timeline_breathe_cycles(t, &steps[1]), 3);
    timeline_free(t);
}

static void test_ramp_with_cycles_is_evenly_spaced(void **state)
{
    (void)state;
    const double pattern[] = { 4, 4 }, ramp[] = { 6, 6 };
    session_step steps[] = { breathe_step(pattern, 2, 3, 0) };
    set_ramp(&steps[0], ramp);
    session s = make_session(steps, 1);
    timeline *t = build(&s);
    /* Cycles of 8, 10 and 12 s. */
    assert_int_equal(timeline_length(t), 30 * RATE);
    timeline_breath b = breath_at(t, 8.0);
    assert_int_equal(b.cycle, 1);
    assert_int_equal(b.length, 5 * RATE);
    b = breath_at(t, 24.5);
    assert_int_equal(b.cycle, 2);
    assert_int_equal(b.kind, BREATH_EXHALE);
    assert_int_equal(b.start, 24 * RATE);
    timeline_free(t);
}

static void test_ramp_with_duration_follows_elapsed_fraction(void **state)
{
    (void)state;
    const double pattern[] = { 4, 4 }, ramp[] = { 6, 6 };
    session_step steps[] = { breathe_step(pattern, 2, 0, 40) };
    set_ramp(&steps[0], ramp);
    session s = make_session(steps, 1);
    timeline *t = build(&s);
    /* Each cycle lasts 8 + 4 * start / 40 s: starts 0, 8, 16.8, 26.48,
     * 37.128, and 48.8408 is the first boundary at or after 40 s. */
    assert_int_equal(timeline_length(t), frames(48.8408));
    assert_int_equal(timeline_breathe_cycles(t, &steps[0]), 5);
    timeline_breath b = breath_at(t, 27.0);
    assert_int_equal(b.cycle, 3);
    assert_int_equal(b.start, frames(26.48));
    assert_int_equal(b.length, frames(26.48 + 4.0 + 2.0 * 26.48 / 40.0) - frames(26.48));
    timeline_free(t);
}

static void test_equal_sum_ramp_keeps_rate(void **state)
{
    (void)state;
    const double pattern[] = { 5, 5 }, ramp[] = { 4.5, 5.5 };
    session_step steps[] = { breathe_step(pattern, 2, 0, 60) };
    set_ramp(&steps[0], ramp);
    session s = make_session(steps, 1);
    timeline *t = build(&s);
    assert_int_equal(timeline_length(t), 60 * RATE);
    timeline_breath b = breath_at(t, 35.0);      /* cycle 3 starts at 30 s: halfway */
    assert_int_equal(b.kind, BREATH_EXHALE);
    assert_int_equal(b.start, frames(34.75));
    timeline_free(t);
}

static void test_double_inhale_shares_the_fill(void **state)
{
    (void)state;
    const double pattern[] = { 2, 1, 6 };
    session_step steps[] = { breathe_step(pattern, 3, 2, 0) };
    steps[0].breathe.pattern.kind[1] = BREATH_INHALE;
    steps[0].breathe.ramp_to = steps[0].breathe.pattern;
    session s = make_session(steps, 1);
    timeline *t = build(&s);
    timeline_breath b = breath_at(t, 1.0);
    assert_true(fabs(b.fullness_to - 2.0 / 3.0) < 1e-9);
    assert_true(fabs(timeline_fullness(&b, b.start + b.length / 2) - 1.0 / 3.0) < 1e-9);
    b = breath_at(t, 2.5);
    assert_int_equal(b.kind, BREATH_INHALE);
    assert_true(fabs(b.fullness_from - 2.0 / 3.0) < 1e-9 && b.fullness_to == 1.0);
    b = breath_at(t, 10.0);    /* second cycle starts empty again */
    assert_int_equal(b.cycle, 1);
    assert_true(b.fullness_from == 0.0);
    timeline_free(t);
}

static void test_holds_keep_fullness_and_zero_holds_vanish(void **state)
{
    (void)state;
    const double pattern[] = { 4, 0, 4, 2 };
    session_step steps[] = { breathe_step(pattern, 4, 2, 0) };
    session s = make_session(steps, 1);
    timeline *t = build(&s);
    assert_int_equal(timeline_length(t), 20 * RATE);
    timeline_breath b = breath_at(t, 4.0);      /* the zero hold is skipped */
    assert_int_equal(b.kind, BREATH_EXHALE);
    b = breath_at(t, 9.0);
    assert_int_equal(b.kind, BREATH_HOLD_OUT);
    assert_true(b.fullness_from == 0.0 && b.fullness_to == 0.0);
    timeline_free(t);
}

typedef struct {
    timeline_event events[64];
    int count;
} collected;

static void collect(void *context, const timeline_event *event)
{
    collected *c = context;
    if (c->count < 64)
        c->events[c->count++] = *event;
}

static collected events_of(const timeline *t, double at, int64_t from, int64_t to)
{
    collected c = { .count = 0 };
    timeline_span span;
    assert_true(timeline_locate(t, frames(at), &span));
    timeline_span_events(t, &span, from, to, collect, &c);
    for (int i = 1; i < c.count; i++)
        assert_true(c.events[i - 1].start <= c.events[i].start);
    return c;
}

static void test_bell_strikes(void **state)
{
    (void)state;
    session_step steps[] = { bell_step(3, 4, 6) };
    session s = make_session(steps, 1);
    timeline *t = build(&s);
    assert_int_equal(timeline_length(t), 14 * RATE);
    collected c = events_of(t, 0, 0, timeline_length(t));
    assert_int_equal(c.count, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(c.events[i].kind, EVENT_BELL);
        assert_int_equal(c.events[i].start, 4 * i * RATE);
        assert_int_equal(c.events[i].ring_frames, 6 * RATE);
    }
    c = events_of(t, 0, 4 * RATE, 4 * RATE + 1);
    assert_int_equal(c.count, 1);
    timeline_free(t);
}

static void test_timer_bells_and_ticks(void **state)
{
    (void)state;
    session_step steps[] = { timer_step(60) };
    steps[0].timer.bell_every_seconds = 20;
    steps[0].timer.ticks = 3;
    session s = make_session(steps, 1);
    timeline *t = build(&s);
    assert_int_equal(timeline_length(t), 60 * RATE);
    collected c = events_of(t, 0, 0, timeline_length(t));
    int64_t expected[] = { 20, 40, 54, 57, 58, 59 };
    timeline_event_kind kinds[] = { EVENT_BELL, EVENT_BELL, EVENT_BELL, EVENT_TICK, EVENT_TICK,
                                    EVENT_TICK };
    assert_int_equal(c.count, 6);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(c.events[i].start, expected[i] * RATE);
        assert_int_equal(c.events[i].kind, kinds[i]);
    }
    assert_true(c.events[0].level_db < c.events[2].level_db);   /* interval bells are soft */
    timeline_free(t);
}

static void test_repeat_rounds_and_locate(void **state)
{
    (void)state;
    session_step body[] = { bell_step(1, 4, 2), timer_step(3) };
    session_step repeat = repeat_step(body, 2, 3);
    session_step steps[] = { timer_step(1), repeat };
    session s = make_session(steps, 2);
    timeline *t = build(&s);
    assert_int_equal(timeline_length(t), 16 * RATE);
    timeline_span span;
    assert_true(timeline_locate(t, frames(9.5), &span));   /* round 1's timer: 8 to 11 s */
    assert_ptr_equal(span.step, &body[1]);
    assert_int_equal(span.start, 8 * RATE);
    assert_int_equal(span.end, 11 * RATE);
    assert_int_equal(span.ordinal, 4);
    assert_false(timeline_locate(t, 16 * RATE, &span));
    timeline_free(t);
}

static void test_forever_has_no_length(void **state)
{
    (void)state;
    session_step body[] = { timer_step(30) };
    session_step repeat = repeat_step(body, 1, 0);
    session s = make_session(&repeat, 1);
    timeline *t = build(&s);
    assert_true(timeline_length(t) == TIMELINE_FOREVER);
    timeline_span span;
    int64_t far = (int64_t)RATE * 3600 * 24 * 30 + 5;   /* a month in */
    assert_true(timeline_locate(t, far, &span));
    assert_int_equal(span.start % (30 * RATE), 0);
    assert_true(span.start <= far && far < span.end);
    timeline_free(t);
}

static void test_precue_and_gap(void **state)
{
    (void)state;
    audio_clip clip = { .frames = 12345 };
    session_step steps[] = { timer_step(2), timer_step(1) };
    steps[0].precue = &clip;
    steps[0].gap_seconds = 1.5;
    session s = make_session(steps, 2);
    timeline *t = build(&s);
    assert_int_equal(timeline_length(t), 12345 + 2 * RATE + frames(1.5) + RATE);
    timeline_span span;
    assert_true(timeline_locate(t, 0, &span));
    assert_int_equal(span.timed_start, 12345);
    assert_int_equal(span.timed_end, 12345 + 2 * RATE);
    collected c = events_of(t, 0, 0, 1);
    assert_int_equal(c.count, 1);
    assert_ptr_equal(c.events[0].clip, &clip);
    assert_true(c.events[0].is_voice);
    timeline_free(t);
}

typedef struct {
    const session_step *step[8];
    int64_t start[8], length[8];
    int count;
} walked;

static void note_walk(void *context, const session_step *step, int depth, int64_t start,
                      int64_t length, long long rounds)
{
    (void)depth;
    (void)rounds;
    walked *w = context;
    if (w->count < 8) {
        w->step[w->count] = step;
        w->start[w->count] = start;
        w->length[w->count++] = length;
    }
}

/* Every step takes a cue and a gap, a repeat too: its cue plays once before
 * the first round, its gap follows the last. */
static void test_repeat_cue_and_gap(void **state)
{
    (void)state;
    audio_clip clip = { .frames = 7000 };
    session_step body[] = { timer_step(3) };
    body[0].timer.bell_end = false;
    session_step repeat = repeat_step(body, 1, 2);
    repeat.label = "rounds";
    repeat.precue = &clip;
    repeat.gap_seconds = 10;
    session_step steps[] = { repeat, bell_step(1, 4, 1) };
    session s = make_session(steps, 2);
    timeline *t = build(&s);
    int64_t rounds_start = 7000, gap_start = 7000 + 6 * RATE, bell = gap_start + 10 * RATE;
    assert_int_equal(timeline_length(t), bell + RATE);

    timeline_span span;
    assert_true(timeline_locate(t, 0, &span));          /* the repeat's cue */
    assert_ptr_equal(span.step, &steps[0]);
    assert_int_equal(span.start, 0);
    assert_int_equal(span.end, rounds_start);
    assert_int_equal(span.timed_start, span.timed_end);
    assert_int_equal(span.ordinal, 0);
    collected c = events_of(t, 0, 0, timeline_length(t));
    assert_int_equal(c.count, 1);
    assert_ptr_equal(c.events[0].clip, &clip);
    assert_int_equal(c.events[0].start, 0);

    assert_true(timeline_locate(t, rounds_start + 3 * RATE, &span));  /* round 2 */
    assert_ptr_equal(span.step, &body[0]);
    assert_int_equal(span.start, rounds_start + 3 * RATE);
    assert_int_equal(span.ordinal, 2);

    assert_true(timeline_locate(t, gap_start, &span));  /* the repeat's gap: silence */
    assert_ptr_equal(span.step, &steps[0]);
    assert_int_equal(span.start, gap_start);
    assert_int_equal(span.end, bell);
    assert_int_equal(span.ordinal, 3);
    c = events_of(t, (double)gap_start / RATE, 0, timeline_length(t));
    assert_int_equal(c.count, 0);

    assert_true(timeline_locate(t, bell, &span));
    assert_ptr_equal(span.step, &steps[1]);
    assert_int_equal(span.ordinal, 4);

    walked w = { .count = 0 };
    timeline_walk(t, note_walk, &w);
    assert_int_equal(w.count, 3);
    assert_ptr_equal(w.step[0], &steps[0]);
    assert_int_equal(w.length[0], bell);
    assert_ptr_equal(w.step[1], &body[0]);
    assert_int_equal(w.start[1], rounds_start);
    assert_int_equal(w.start[2], bell);
    timeline_free(t);

    /* Forever: the cue still comes first, and the rounds never end. */
    steps[0].repeat.forever = true;
    steps[0].repeat.count = 0;
    t = build(&s);
    assert_true(timeline_length(t) == TIMELINE_FOREVER);
    int64_t far = rounds_start + (int64_t)RATE * 3600 * 24 * 10 + 5;
    assert_true(timeline_locate(t, far, &span));
    assert_ptr_equal(span.step, &body[0]);
    assert_int_equal((span.start - rounds_start) % (3 * RATE), 0);
    timeline_free(t);
}

static void test_voice_cues_only_first_cycles(void **state)
{
    (void)state;
    audio_clip in = { .frames = 100 }, out = { .frames = 100 };
    const double pattern[] = { 3, 3 };
    session_step steps[] = { breathe_step(pattern, 2, 5, 0) };
    steps[0].breathe.voice.cue[BREATH_INHALE] = &in;
    steps[0].breathe.voice.cue[BREATH_EXHALE] = &out;
    steps[0].breathe.voice.cycles = 2;
    session s = make_session(steps, 1);
    timeline *t = build(&s);
    collected c = events_of(t, 0, 0, timeline_length(t));
    assert_int_equal(c.count, 4);
    assert_ptr_equal(c.events[0].clip, &in);
    assert_int_equal(c.events[1].start, 3 * RATE);
    assert_ptr_equal(c.events[1].clip, &out);
    assert_int_equal(c.events[3].start, 9 * RATE);
    steps[0].breathe.voice.cycles = 0;   /* every cycle */
    c = events_of(t, 0, 0, timeline_length(t));
    assert_int_equal(c.count, 10);
    timeline_free(t);
}

static void test_seven_day_limit(void **state)
{
    (void)state;
    session_step body[] = { timer_step(10) };
    session_step repeat = repeat_step(body, 1, 100000);   /* 11.6 days */
    repeat.line = 7;
    session s = make_session(&repeat, 1);
    char text[512] = "";
    FILE *err = fmemopen(text, sizeof text, "w");
    timeline *t = NULL;
    assert_int_equal(timeline_build(&s, &t, REPORT_TO(err)), 2);
    fclose(err);
    assert_null(t);
    assert_non_null(strstr(text, "test.cfg:7: "));
    assert_non_null(strstr(text, "7-day limit"));
    /* A step read from an @include file is named by that file. */
    repeat.file = "common/rounds.cfg";
    memset(text, 0, sizeof text);
    err = fmemopen(text, sizeof text, "w");
    assert_int_equal(timeline_build(&s, &t, REPORT_TO(err)), 2);
    fclose(err);
    assert_non_null(strstr(text, "common/rounds.cfg:7: "));
    repeat.file = NULL;
    repeat.repeat.count = 60480;    /* exactly 7 days is allowed */
    t = build(&s);
    assert_int_equal(timeline_length(t), (int64_t)604800 * RATE);
    timeline_free(t);
}

static void test_long_breathe_step_locates_any_cycle(void **state)
{
    (void)state;
    const double pattern[] = { 0.5, 0.7 }, ramp[] = { 2.5, 3.0 };
    session_step steps[] = { breathe_step(pattern, 2, 0, 86400) };
    set_ramp(&steps[0], ramp);
    session s = make_session(steps, 1);
    timeline *t = build(&s);
    int64_t length = timeline_length(t);
    assert_true(length >= 86400LL * RATE);
    /* Phases tile the step without gaps or overlaps wherever we look. */
    for (int64_t at = 0; at < length; at += length / 97) {
        timeline_breath b = breath_at(t, (double)at / RATE);
        timeline_span span;
        assert_true(timeline_locate(t, b.start + b.length, &span) || b.start + b.length == length);
        if (b.start + b.length < length) {
            timeline_breath next;
            assert_true(timeline_breath_at(t, &span, b.start + b.length, &next));
            assert_int_equal(next.start, b.start + b.length);
        }
    }
    timeline_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cycles_give_whole_cycles),
        cmocka_unit_test(test_duration_ends_on_cycle_boundary),
        cmocka_unit_test(test_ramp_with_cycles_is_evenly_spaced),
        cmocka_unit_test(test_ramp_with_duration_follows_elapsed_fraction),
        cmocka_unit_test(test_equal_sum_ramp_keeps_rate),
        cmocka_unit_test(test_double_inhale_shares_the_fill),
        cmocka_unit_test(test_holds_keep_fullness_and_zero_holds_vanish),
        cmocka_unit_test(test_bell_strikes),
        cmocka_unit_test(test_timer_bells_and_ticks),
        cmocka_unit_test(test_repeat_rounds_and_locate),
        cmocka_unit_test(test_forever_has_no_length),
        cmocka_unit_test(test_precue_and_gap),
        cmocka_unit_test(test_repeat_cue_and_gap),
        cmocka_unit_test(test_voice_cues_only_first_cycles),
        cmocka_unit_test(test_seven_day_limit),
        cmocka_unit_test(test_long_breathe_step_locates_any_cycle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
