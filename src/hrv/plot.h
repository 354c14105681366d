/* plot.h: an analysis as a picture, for breathe --analyze --plot FILE.svg.
 *
 * Heart rate (beats a minute, from the corrected intervals; a break where
 * the source dropped out) over the recording's time, drawn over bands that
 * show each paced breathing rate (the settling time lighter), then the
 * table of the rates (swing, LF power and peak, follow) with the resonance
 * rate's row in bold and the choice written under it. In the style of
 * `breathe --plot` (authoring/plot.c): the same fonts and colours, an SVG
 * that any browser shows. */
#ifndef BREATHE_HRV_PLOT_H
#define BREATHE_HRV_PLOT_H

#include <stddef.h>

#include "base/report.h"
#include "hrv/analysis.h"
#include "hrv/recording.h"

/* The SVG in memory (*svg, *size; the caller frees *svg). Returns 0, or 1
 * when out of memory. */
int hrv_plot_svg(const char *title, const hrv_analysis *analysis, char **svg, size_t *size);

/* The SVG written to path whole (base/savefile.h). Returns 0, or 1 after
 * reporting why not. */
int hrv_plot_write(const char *title, const hrv_analysis *analysis, const char *path,
                   const report_sink *report);

#endif
