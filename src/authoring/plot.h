/* plot.h: a picture of a session, as SVG.
 *
 * plot_svg() draws a window of the timeline: lung fullness over time (the
 * curve the pacer follows, from timeline_fullness), each step as a shaded
 * band with its label, spoken cues and bells as marks under the curve, and a
 * time axis with round ticks. The picture has a fixed size whatever the
 * window. When breaths are wide enough to see, the fullness curve is a line
 * through exact values: each pixel column's first frame and the frames where
 * the column's lowest and highest fullness fall (so every peak is drawn at its
 * true height). When they are not, it is the band between the lowest and
 * highest fullness of each column: a two-hour session reads as where
 * breathing happens, a thirty-second one shows every breath. The
 * marks are thinned to one of each kind per column (a run of marked columns
 * becomes one bar) and steps narrower than a column share one plain band, so
 * the file stays small however long or dense the session is: about 30 KB for
 * 30 seconds, 50 KB for two hours, 70 KB for a week of two-second steps.
 *
 * plot_write() writes the picture to a file through a temporary file beside
 * it and a rename, so a failure never leaves a half-written or clobbered file. */
#ifndef BREATHE_PLOT_H
#define BREATHE_PLOT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "render/timeline.h"

/* The picture and the area inside it where time runs left to right and
 * fullness bottom (empty) to top (full), in SVG user units (pixels). */
#define PLOT_IMAGE_WIDTH 1200
#define PLOT_IMAGE_HEIGHT 452
#define PLOT_AREA_LEFT 70.0
#define PLOT_AREA_TOP 104.0
#define PLOT_AREA_WIDTH 1100.0
#define PLOT_AREA_HEIGHT 220.0
/* Step labels (and the pace of breathe steps) sit in a strip this tall
 * above the area, clear of the curve. */
#define PLOT_LABEL_STRIP 34.0
/* Pixel columns the curve is computed in: one per unit of width. */
#define PLOT_COLUMNS 1100

/* How much of a session that repeats forever is drawn when no length is given. */
#define PLOT_FOREVER_WINDOW_SECONDS 3600.0

/* The frames drawn: `start` and `length` as asked (length TIMELINE_FOREVER:
 * to the end, or PLOT_FOREVER_WINDOW_SECONDS for a session that repeats
 * forever), clipped to the session. The length is 0 when start is past the end. */
void plot_window(const timeline *t, int64_t start, int64_t length, int64_t *from,
                 int64_t *frames);

/* The SVG text of the window in a new buffer (*svg, *size); returns 0, or 1
 * when out of memory or the window is empty. */
int plot_svg(const timeline *t, int64_t start, int64_t length, char **svg, size_t *size);

/* plot_svg() written to path atomically; returns 0, or 1 after reporting why
 * to `report` (an error with no file). */
int plot_write(const timeline *t, int64_t start, int64_t length, const char *path,
               const report_sink *report);

#endif
