/* following.h: the programme a person follows, and since when.
 *
 * `breathe --follow PROGRAMME` writes $XDG_STATE_HOME/breathe/programme
 * (~/.local/state/breathe/programme), a libconfig file of two settings:
 *
 *   programme = "neck-and-upper-back";   # an installed name or an absolute path
 *   since = "2026-12-05";                # the local day following began
 *
 * That is all that is kept: where the person stands is worked out from the
 * history each time (play/plan.h), so nothing here can fall out of step
 * with it. The file is written whole or not at all (base/savefile.h). A
 * file that does not parse is an error at FILE:LINE, never repaired. */
#ifndef BREATHE_USER_FOLLOWING_H
#define BREATHE_USER_FOLLOWING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/report.h"

enum { FOLLOWING_NAME_MAX = 4096 };

typedef struct {
    char programme[FOLLOWING_NAME_MAX];
    int64_t since;          /* days since 1970-01-01, local calendar */
} following;

/* The file's path from the values of XDG_STATE_HOME and HOME. A new
 * string, or NULL when neither is set. */
char *following_path(const char *xdg_state_home, const char *home);

/* A date written YYYY-MM-DD (years 1970 to 9999, a real calendar day) as a
 * day number. Returns 0, or -1 when it is not one. */
int following_parse_date(const char *text, int64_t *day);

/* The day number as YYYY-MM-DD in out (at least 11 bytes). */
void following_format_date(int64_t day, char *out, size_t size);

/* Reads the file. Returns 0 with *found false when there is none (nothing
 * followed), 0 with *out set and *found true, 2 when the file is wrong (an
 * error at its line to `report`), 1 when it cannot be read. */
int following_read(const char *path, following *out, bool *found, const report_sink *report);

/* Replaces the file (creating its folders). Returns 0, or 1 after an error
 * to `report`. */
int following_write(const char *path, const following *f, const report_sink *report);

#endif
