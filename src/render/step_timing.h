/* step_timing.h: what each step type does on the timeline, and how it is
 * told to people.
 *
 * Each step type is described once, in its own file under render/steps/:
 * how long its timed part lasts and the longest sound it makes, the events
 * (cue files, bells, ticks, voice cues, bowl strikes) it places, and the
 * words --check, --plot and the status line use for it. The timeline and
 * the describing code walk step_timings[]; none of them names a step type.
 *
 * How a session file writes the type is the format layer's record of it
 * (format/step_kinds.h). Each layer keeps its own table because a lower
 * layer cannot call into a higher one; both are indexed by step_type and
 * checked at compile time to have an entry for every type. The words live
 * here rather than in the front ends because saying what a step is needs
 * its timeline (a breathe step's cycles); they only format text. */
#ifndef BREATHE_STEP_TIMING_H
#define BREATHE_STEP_TIMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "render/timeline.h"

/* The builder and the events of one call (render/timeline_parts.h). */
typedef struct timeline_builder timeline_builder;
typedef struct event_batch event_batch;

/* Breaths a minute of a step that paces breathing, at its start and end. */
typedef struct {
    double from, to;
    bool ramps;        /* the pattern changes over the step (ramp_to) */
} step_pace;

typedef struct {
    step_type type;    /* its own index in step_timings[] */
    /* Sets *timed_frames to the length of the step's timed part and notes
     * the longest sound it makes (timeline_parts.h); 0, or 2 with a
     * message when the step cannot be played. For a step that breathes,
     * *timed_frames already holds the length of its planned cycles. NULL
     * for a step that holds steps (repeat): the timeline builds its rounds
     * from them. */
    int (*build)(timeline_builder *b, const session_step *step, int64_t *timed_frames);
    /* Adds the events of the span's timed part that start inside the
     * batch's window; NULL when it has none of its own. */
    void (*events)(const timeline *t, const timeline_span *span, event_batch *batch);
    /* Its timed part is breath phases, planned by the timeline from the
     * step's `breathe` settings: timeline_breath_at() finds them, the pacer
     * follows them and clips in it are voice cues. */
    bool breathes;
    /* It lasts a while (breathing, a timed silence), so the listener needs
     * its label, and its spoken cue should end before it does (lint.h). */
    bool lasts_a_while;

    /* --check: what the step is, "bell, 3 strikes"; `rounds` is a
     * repeat's count (0: forever). */
    void (*describe)(const timeline *t, const session_step *step, long long rounds, char *out,
                     size_t size);
    /* Breaths a minute, for a step that paces breathing; NULL otherwise. */
    void (*pace)(const session_step *step, step_pace *pace);
    /* --plot: the label of a step that has none, in a few characters;
     * NULL: the type's name. */
    void (*short_name)(const session_step *step, char *out, size_t size);
    /* --plot: the class that colours the step's band (plot.c's style). */
    const char *plot_band;
} step_timing;

extern const step_timing step_timing_cue, step_timing_bell, step_timing_breathe,
    step_timing_timer, step_timing_repeat;

/* Indexed by step_type. */
extern const step_timing *const step_timings[STEP_TYPE_COUNT];

/* What --plot shows for a step: its label, or its short name. */
void step_timing_name(const session_step *step, char *out, size_t size);

#endif
