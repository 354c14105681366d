/* practice.h: what `breathe --stats` prints, and the web remote's stats
 * show: the practice history summed up (user/history.h), the file it came
 * from, and the resonance rate saved by --analyze --save (user/resonance.h).
 * One place for both front ends, so the two never say different things.
 * The files are found from XDG_STATE_HOME and HOME. */
#ifndef BREATHE_USER_PRACTICE_H
#define BREATHE_USER_PRACTICE_H

#include <stdio.h>
#include <time.h>

#include "base/report.h"
#include "user/history.h"

/* Reads the history and sums it up as of `now`. *path is the history
 * file's (a new string; NULL when neither variable is set). Returns 0, or
 * 1 when the file exists but cannot be read (reported). */
int practice_stats(time_t now, history_stats *stats, char **path, const report_sink *sink);

/* The whole report --stats prints. Returns 0; 1 when the history cannot be
 * read; or what reading the saved resonance rate returned (reported). */
int practice_print(FILE *out, const report_sink *sink);

#endif
