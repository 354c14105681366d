/* resonance.h: the resonance breathing rate a person measured.
 *
 * `breathe --analyze RECORDING --save` keeps the rate it found in
 * $XDG_STATE_HOME/breathe/resonance (else ~/.local/state/breathe/resonance),
 * a libconfig file:
 *
 *   # breathe: the resonance breathing rate, from breathe --analyze --save
 *   rate = 5.5;                          # breaths a minute
 *   measured = "2026-12-20T07:52:10Z";   # when it was saved (UTC)
 *   recording = "/home/.../2026-12-20T07-30-00-resonance-assessment.tsv";
 *
 * Sessions whose breathe steps say pattern = "resonance" are paced at it
 * (play/library.h), and --stats shows it. A missing file means no rate is
 * saved; a file with a problem is an error at FILE:LINE, so a hand edit
 * that went wrong is not silently ignored. */
#ifndef BREATHE_USER_RESONANCE_H
#define BREATHE_USER_RESONANCE_H

#include <stdbool.h>
#include <time.h>

#include "base/report.h"

/* The rates a saved file may hold, in breaths a minute. */
#define RESONANCE_MIN_RATE 3.0
#define RESONANCE_MAX_RATE 10.0

typedef struct {
    bool saved;            /* false: no file (nothing else is set) */
    double rate;           /* breaths a minute */
    char measured[32];     /* as written, "2026-12-20T07:52:10Z"; "" when absent */
    char *recording;       /* the recording it came from, or NULL */
} resonance_saved;

/* The file's path from the values of XDG_STATE_HOME and HOME (either may be
 * NULL or empty). A new string, or NULL when neither is set. */
char *resonance_saved_path(const char *xdg_state_home, const char *home);

/* Reads path into saved (saved->saved false when the file does not exist;
 * a NULL path is no file). Returns 0; 1 when out of memory; 2 when the
 * file cannot be read or has a problem (reported at its line). */
int resonance_saved_read(const char *path, resonance_saved *saved, const report_sink *report);

/* Writes rate, the time `measured` and the recording's path to path, whole
 * or not at all (base/savefile.h), making its folders as needed. Returns 0,
 * or 1 after reporting why not. */
int resonance_saved_write(const char *path, double rate, time_t measured, const char *recording,
                          const report_sink *report);

void resonance_saved_free(resonance_saved *saved);

#endif
