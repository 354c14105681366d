/* timeline_parts.h: the timeline's pieces that each step type's file
 * (render/steps/, listed in step_timing.h) works with. Internal to the
 * render layer.
 *
 * While the timeline is built, a step type reports how long its timed part
 * is and how long its sounds ring (the builder); while it is played, it
 * adds its events to a batch, which keeps those inside the asked window and
 * hands them on in order of start. The cycles of a step that breathes are
 * planned by the timeline itself (a closed form, see timeline.h), and read
 * here. */
#ifndef BREATHE_TIMELINE_PARTS_H
#define BREATHE_TIMELINE_PARTS_H

#include "render/step_timing.h"

/* Timer ticks are this short; the timeline counts them as sounds always. */
#define TIMELINE_TICK_SECONDS 0.05

/* ---- building ---- */

/* Frames of `seconds` at the session's rate, rounded. */
int64_t timeline_builder_frames(const timeline_builder *b, double seconds);
/* A sound of the step rings this long: a seek looks this far back. */
void timeline_note_event(timeline_builder *b, int64_t frames);

/* ---- events ---- */

enum { TIMELINE_BATCH_EVENTS = 256 };

struct event_batch {
    timeline_event events[TIMELINE_BATCH_EVENTS];
    int count;
    int64_t from, to;         /* the window: events that start in [from, to) */
    timeline_emit emit;
    void *context;
};

/* Adds an event when it starts inside the batch's window. */
void event_batch_add(event_batch *batch, const timeline_event *event);
void event_batch_clip(event_batch *batch, int64_t start, const audio_clip *clip,
                      double level_db, bool is_voice);
void event_batch_bell(event_batch *batch, timeline_event_kind kind, int64_t start, double hz,
                      double level_db, int64_t ring_frames);
/* Indices m in [*first, *last] with base + m * every inside [from, to). */
void timeline_index_range(int64_t base, int64_t every, int64_t from, int64_t to,
                          long long *first, long long *last);

/* ---- a breathe span's cycles ---- */

long long timeline_span_cycles(const timeline_span *span);
/* The last cycle that starts at or before `relative` frames into the
 * timed part, and where cycle k starts (relative too). */
long long timeline_cycle_at(const timeline *t, const timeline_span *span, int64_t relative);
int64_t timeline_cycle_start(const timeline *t, const timeline_span *span, long long k);
/* Every phase of cycle k (a phase may have no frames); returns how many. */
int timeline_cycle_phases(const timeline *t, const timeline_span *span, long long k,
                          timeline_breath out[SESSION_MAX_PHASES]);

#endif
