/* modes.h: the command line's modes that print and return, each in a file
 * of its own. Each prints on out, reports problems to the command line's
 * sink and returns an exit status (0, 1 or 2, as breathe(1) says). */
#ifndef BREATHE_CLI_MODES_H
#define BREATHE_CLI_MODES_H

#include <stdbool.h>
#include <stdio.h>

#include "base/report.h"

/* --check: each session's header, timeline and warnings; the worst status. */
int cli_check(char **names, int count, FILE *out, const report_sink *sink);

/* --list (--names): the installed sessions. */
int cli_list(bool names_only, FILE *out, const report_sink *sink);

#endif
