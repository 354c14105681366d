/* bell.c: a bell step's strikes, `interval` apart; the step lasts until the
 * last one has rung for `ring`. */
#include <stdio.h>

#include "render/timeline_parts.h"

static int build_bell(timeline_builder *b, const session_step *step, int64_t *timed_frames)
{
    *timed_frames = (int64_t)(step->bell.strikes - 1)
                        * timeline_builder_frames(b, step->bell.interval_seconds)
                    + timeline_builder_frames(b, step->bell.ring_seconds);
    timeline_note_event(b, timeline_builder_frames(b, step->bell.ring_seconds));
    return 0;
}

static void bell_events(const timeline *t, const timeline_span *span, event_batch *batch)
{
    const session_step *step = span->step;
    int64_t interval = timeline_seconds_to_frames(t, step->bell.interval_seconds);
    int64_t ring = timeline_seconds_to_frames(t, step->bell.ring_seconds);
    long long first = 0, last = step->bell.strikes - 1;
    if (interval > 0) {
        long long in_first, in_last;
        timeline_index_range(span->timed_start, interval, batch->from, batch->to, &in_first,
                             &in_last);
        if (in_first > first)
            first = in_first;
        if (in_last < last)
            last = in_last;
    } else {
        last = batch->from <= span->timed_start && span->timed_start < batch->to ? last : -1;
    }
    for (long long m = first; m <= last; m++)
        event_batch_bell(batch, EVENT_BELL, span->timed_start + m * interval, step->bell.hz,
                         step->bell.level_db, ring);
}

static void describe_bell(const timeline *t, const session_step *step, long long rounds,
                          char *out, size_t size)
{
    snprintf(out, size, "bell, %d strike%s", step->bell.strikes,
             step->bell.strikes == 1 ? "" : "s");
}

const step_timing step_timing_bell = {
    .type = STEP_BELL,
    .build = build_bell,
    .events = bell_events,
    .describe = describe_bell,
    .plot_band = "bell",
};
