/* timeline.h: a session compiled to integer frame positions.
 *
 * Every step's length is computed once, in frames at the session rate, when
 * the timeline is built. Nothing is expanded: a repeat of a thousand rounds
 * or a breathe step of ten thousand cycles costs the same memory as one, and
 * any position is located by arithmetic (division for repeats, a closed form
 * for breath cycles), so the timeline is a pure function of the session and
 * the frame asked about. Boundaries are rounded from exact times in seconds,
 * so nothing drifts however long a session runs.
 *
 * A step instance ("span") is: an optional spoken cue, the timed part, and
 * the gap. Events (cue files, bell strikes, ticks, voice cues, bowl strikes)
 * start on exact frames inside spans and may ring on past them. */
#ifndef BREATHE_TIMELINE_H
#define BREATHE_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "format/session.h"

#define TIMELINE_FOREVER INT64_MAX

typedef struct timeline timeline;

/* Returns 0; 1 when out of memory; 2 when the session cannot be timed (a
 * session over 7 days, a breath cycle of no length), reported to `report` as
 * an error at the step's file and line (NULL: not reported). */
int timeline_build(const session *s, timeline **out, const report_sink *report);
void timeline_free(timeline *t);

const session *timeline_session(const timeline *t);
int timeline_rate(const timeline *t);
/* Total frames, or TIMELINE_FOREVER when a repeat runs forever. */
int64_t timeline_length(const timeline *t);
int64_t timeline_seconds_to_frames(const timeline *t, double seconds);

struct timeline_leaf;

/* One instance of a leaf step (not a repeat) on the timeline. Only
 * timeline_locate() makes spans; the other functions take them as given. */
typedef struct {
    const session_step *step;
    int64_t start;        /* first frame of the span */
    int64_t timed_start;  /* after the step's spoken cue */
    int64_t timed_end;    /* where the gap starts */
    int64_t end;          /* one past the last frame */
    int64_t ordinal;      /* how many spans come before it */
    const struct timeline_leaf *leaf;  /* the timeline's own record of the step */
} timeline_span;

/* Finds the span holding `frame`; false when frame is at or past the end. */
bool timeline_locate(const timeline *t, int64_t frame, timeline_span *span);

typedef enum {
    EVENT_CLIP,       /* a cue file: step cue, cue step, voice cue */
    EVENT_BELL,       /* a bell strike (bell steps, timer bells) */
    EVENT_BOWL,       /* a bowl strike of the bowl pacer */
    EVENT_TICK,       /* a timer tick */
} timeline_event_kind;

typedef struct {
    timeline_event_kind kind;
    int64_t start;              /* absolute frame */
    const audio_clip *clip;     /* EVENT_CLIP */
    double level_db;
    double hz;                  /* bells and bowls: fundamental */
    int64_t ring_frames;        /* bells and bowls: how long it sounds */
    bool is_voice;              /* EVENT_CLIP: ducks the background */
} timeline_event;

typedef void (*timeline_emit)(void *context, const timeline_event *event);

/* Calls emit, in order of start, for every event of the span whose start is
 * in [from, to). Events may sound beyond the span's end. */
void timeline_span_events(const timeline *t, const timeline_span *span,
                          int64_t from, int64_t to, timeline_emit emit, void *context);

/* The longest any event lasts, in frames: how far back a seek must look for
 * sounds still ringing. */
int64_t timeline_longest_event(const timeline *t);

/* A breath phase of a breathe span. Fullness is the lungs from 0 (empty) to
 * 1 (full): inhales fill, exhales empty, holds keep. */
typedef struct {
    breath_kind kind;
    breath_kind previous_kind;  /* of the phase before, or kind for the first */
    int64_t start;              /* absolute frame */
    int64_t length;             /* frames, > 0 */
    double fullness_from, fullness_to;
    int64_t cycle;              /* 0-based within the span */
    int index;                  /* entry in the pattern */
    double cycle_seconds;       /* the whole cycle's length */
} timeline_breath;

/* The breath phase at `frame` of a breathe span's timed part; false when the
 * span is not a breathe step or frame is outside its timed part. */
bool timeline_breath_at(const timeline *t, const timeline_span *span, int64_t frame,
                        timeline_breath *out);

/* Fullness at `frame` inside phase `b`: an eased curve from fullness_from to
 * fullness_to, flat at both ends so the pacer never jerks. */
double timeline_fullness(const timeline_breath *b, int64_t frame);

/* Walks the whole session once, calling visit for each leaf step the first
 * time it is met in each repeat body (not once per round), with its start
 * and length in frames: what --check prints. depth is the repeat nesting. */
typedef void (*timeline_visit)(void *context, const session_step *step, int depth,
                               int64_t start, int64_t length, long long rounds);
void timeline_walk(const timeline *t, timeline_visit visit, void *context);

/* A length or position for people: "1:05", "12:00", "1:02:03", rounded to
 * the second; "forever" for TIMELINE_FOREVER. */
void timeline_format_time(char *out, size_t size, int64_t frames, int rate);

/* Cycle count and length of a breathe step (for --check), in frames. */
long long timeline_breathe_cycles(const timeline *t, const session_step *step);

#endif
