/* summary.h: an analysis as text, for breathe --analyze.
 *
 * hrv_summary_print() writes what the recording holds (beats, dropouts,
 * artefacts corrected by kind), the whole recording's RMSSD and SDNN, a
 * table with a row per paced rate (when it began, breaths and beats
 * measured, beats corrected, mean swing and its spread, LF power and peak,
 * follow, phase, RMSSD, SDNN), what the columns mean, and then the choice:
 *
 *     resonance: 5.5 breaths a minute
 *
 * followed by the criteria that chose it and how clear it was; or
 * "resonance: none chosen: ..." saying why (a tie, too few clean beats).
 * Only writes to out. */
#ifndef BREATHE_HRV_SUMMARY_H
#define BREATHE_HRV_SUMMARY_H

#include <stdio.h>

#include "hrv/analysis.h"
#include "hrv/recording.h"

void hrv_summary_print(const char *path, const recording *rec,
                       const hrv_analysis *analysis, FILE *out);

/* A margin in standard errors as shown: cut, not rounded, to a tenth, so
 * that 2.97 (narrow) never reads as 3.0 (clear). */
double hrv_margin_shown(double margin_errors);

/* "m:ss" (or "h:mm:ss") of seconds, into text. */
void hrv_format_clock(char *text, size_t size, double seconds);

#endif
