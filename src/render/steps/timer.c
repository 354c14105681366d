/* timer.c: a timer step's bells and ticks. Its bells are the default bell;
 * the ones during the timer are softer than its closing one. */
#include <math.h>
#include <stdio.h>

#include "render/timeline_parts.h"

#define SOFT_BELL_LEVEL_DB (-22.0)
#define TICK_LEVEL_DB (-26.0)

static int build_timer(timeline_builder *b, const session_step *step, int64_t *timed_frames)
{
    *timed_frames = timeline_builder_frames(b, step->timer.duration_seconds);
    timeline_note_event(b, timeline_builder_frames(b, BELL_DEFAULT_RING_SECONDS));
    return 0;
}

static void bell_every_events(const timeline *t, const timeline_span *span, event_batch *batch,
                              int64_t quiet_from, int64_t ring)
{
    const session_step *step = span->step;
    int rate = timeline_rate(t);
    int64_t start = span->timed_start;
    double every = step->timer.bell_every_seconds;
    /* Strikes at round(m * every * rate): estimate m from the window, then check. */
    long long first = (long long)floor((double)(batch->from - start) / (every * rate)) - 1;
    long long last = (long long)ceil((double)(batch->to - start) / (every * rate)) + 1;
    if (first < 1)
        first = 1;
    for (long long m = first; m <= last; m++) {
        int64_t at = start + timeline_seconds_to_frames(t, (double)m * every);
        if (at >= quiet_from || at >= span->timed_end)
            break;
        int64_t soft_ring = ring < span->timed_end - at ? ring : span->timed_end - at;
        event_batch_bell(batch, EVENT_BELL, at, BELL_DEFAULT_HZ, SOFT_BELL_LEVEL_DB, soft_ring);
    }
}

/* A tick on each of the last `ticks` whole seconds. */
static void tick_events(const timeline *t, const timeline_span *span, event_batch *batch)
{
    int64_t length = span->timed_end - span->timed_start;
    long long ticks = span->step->timer.ticks;
    int64_t second = timeline_rate(t);
    long long whole_seconds = length / second;
    if (ticks > whole_seconds)
        ticks = whole_seconds;
    int64_t base = span->timed_end - ticks * second;
    long long first, last;
    timeline_index_range(base, second, batch->from, batch->to, &first, &last);
    if (last >= ticks)
        last = ticks - 1;
    for (long long m = first; m <= last; m++) {
        timeline_event e = { .kind = EVENT_TICK, .start = base + m * second,
                             .level_db = TICK_LEVEL_DB,
                             .ring_frames = timeline_seconds_to_frames(t, TIMELINE_TICK_SECONDS) };
        event_batch_add(batch, &e);
    }
}

static void timer_events(const timeline *t, const timeline_span *span, event_batch *batch)
{
    const session_step *step = span->step;
    int rate = timeline_rate(t);
    int64_t start = span->timed_start, length = span->timed_end - span->timed_start;
    int64_t ring = timeline_seconds_to_frames(t, BELL_DEFAULT_RING_SECONDS);
    /* The closing bell is struck so that it has rung out when the timer ends. */
    int64_t end_strike = start + (length > ring ? length - ring : 0);
    if (step->timer.bell_end)
        event_batch_bell(batch, EVENT_BELL, end_strike, BELL_DEFAULT_HZ, BELL_DEFAULT_LEVEL_DB,
                         ring);
    if (step->timer.bell_every_seconds > 0.0)
        bell_every_events(t, span, batch,
                          step->timer.bell_end ? end_strike - rate : span->timed_end, ring);
    if (step->timer.ticks > 0)
        tick_events(t, span, batch);
}

static void describe_timer(const timeline *t, const session_step *step, long long rounds,
                           char *out, size_t size)
{
    snprintf(out, size, "timer");
}

const step_timing step_timing_timer = {
    .type = STEP_TIMER,
    .build = build_timer,
    .events = timer_events,
    .lasts_a_while = true,
    .describe = describe_timer,
    .plot_band = "timer",
};
