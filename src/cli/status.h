/* status.h: what the person at the terminal (or the log) sees.
 *
 * On a terminal, one line redrawn in place: the step, the breath phase with
 * a countdown, a progress bar with elapsed and total time. Elsewhere (a
 * pipe, journald), plain lines: one when each step starts and one at the
 * end. Rendering to a file shows a progress bar on a terminal too. */
#ifndef BREATHE_STATUS_H
#define BREATHE_STATUS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hr/monitor.h"
#include "render/timeline.h"

typedef enum { STATUS_PLAYING, STATUS_RENDERING } status_mode;

typedef struct {
    FILE *stream;
    bool terminal;
    bool quiet;
    status_mode mode;
    const timeline *timeline;
    const char *target;     /* rendering: the output path */
    int64_t end;            /* frame where playing or rendering stops */
    int64_t last_ordinal;   /* last step logged */
    int width;              /* terminal width */
    bool drawn;
    bool paused;            /* playing: paused by a key or SIGUSR1 */
    double volume_db;       /* playing: the live volume (as --volume) */
    bool volume_shown;      /* the volume has been changed, so it is shown */
    bool heart_shown;       /* a heart-rate source is followed */
    hr_state heart;         /* its last state */
} status;

void status_begin(status *s, FILE *stream, bool quiet, status_mode mode, const timeline *t,
                  int64_t end, const char *target);
void status_update(status *s, int64_t frame);
/* Live controls: whether playback is paused and the volume. On a terminal
 * they show in the status line; in a log, each change is a line. */
void status_controls(status *s, int64_t frame, bool paused, double volume_db);
/* A heart-rate source's state (hr/monitor.h): on a terminal the line
 * shows the heart rate and the last breath's swing ("HR 64 swing 9"); in a
 * log, the strap dropping out and coming back are lines. */
void status_heart(status *s, int64_t frame, const hr_state *heart);
/* The heart-rate summary at the end: beats, corrected, gaps, the recording. */
void status_heart_summary(const status *s, const hr_state *heart, const char *recording);
/* Clears the status line so that other text can be printed; the next
 * status_update() draws it again. */
void status_clear(status *s);
/* Clears the line and prints how it ended. */
void status_end(status *s, int64_t frame, const char *how);

/* The columns of the terminal `stream` is, when it is one at least `least`
 * wide; else `otherwise`. */
#define STATUS_COLUMNS 80
#define STATUS_LEAST_COLUMNS 20
int status_terminal_columns(FILE *stream, int least, int otherwise);

/* What a breath phase is called to the listener: "breathe in", "hold"... */
const char *status_phase_words(breath_kind kind);

#endif
