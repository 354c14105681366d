/* lint.h: advice for session authors, beyond what the format requires.
 *
 * A session that loads is valid; lint_session() looks for what is valid but
 * probably not meant: a spoken cue that runs past the phase or step it
 * announces, long breath holds or unusual paces without a `caution`, long
 * sessions whose steps have no labels, cue files that are clipped or far
 * quieter than the others, audio files in `audio_dir` that nothing uses,
 * and an `audio_dir` that does not exist.
 * Each finding is passed to `report` with the file and line it is about, or
 * (lint_session_report) to a report sink as a warning there, which the
 * command line prints as "FILE:LINE: warning: message"; nothing fails.
 *
 * It reads the session, its timeline and its clips; outside them it reads
 * only the list of files directly inside `audio_dir`, and the files of long
 * cues that are streamed rather than held in memory (to measure them).
 * The thresholds below are the documented ones (docs/session-format.md,
 * "Warnings"). */
#ifndef BREATHE_LINT_H
#define BREATHE_LINT_H

#include "render/timeline.h"

/* A hold (or hold_out) longer than this wants a caution. */
#define LINT_HOLD_SECONDS 20.0
/* Breaths per minute outside this range want a caution. */
#define LINT_PACE_MIN_PER_MINUTE 3.0
#define LINT_PACE_MAX_PER_MINUTE 20.0
/* In sessions at least this long (or that repeat forever), every breathe and
 * timer step should have a label: it is all the listener sees of where they are. */
#define LINT_LABELS_FROM_SECONDS 600.0
/* A cue file whose sample peak is above this is clipped or about to be. */
#define LINT_PEAK_DBFS (-0.1)
/* A cue file whose integrated loudness (EBU R128) is this far below the
 * median of the session's cue files, or below LINT_QUIET_LUFS, is too quiet. */
#define LINT_QUIET_BELOW_MEDIAN_LU 10.0
#define LINT_QUIET_LUFS (-45.0)

typedef enum {
    LINT_VOICE_CUE_TOO_LONG,  /* a voice cue outlasts the breath phase it starts */
    LINT_STEP_CUE_TOO_LONG,   /* a step's cue outlasts the breathe or timer step after it */
    LINT_LONG_HOLD,           /* a hold over LINT_HOLD_SECONDS, no caution */
    LINT_PACE,                /* a pace outside the range above, no caution */
    LINT_NO_LABEL,            /* an unlabelled step in a long session */
    LINT_CUE_CLIPS,           /* a cue file peaks above LINT_PEAK_DBFS */
    LINT_CUE_QUIET,           /* a cue file far quieter than the others */
    LINT_UNUSED_AUDIO,        /* a file in audio_dir that the session never names */
    LINT_AUDIO_DIR_MISSING,   /* audio_dir names no folder */
    LINT_KIND_COUNT
} lint_kind;

/* file and line: where the finding is (a step, a setting): the session
 * file, or the @include file the setting was read from, named as in error
 * messages. */
typedef void (*lint_report)(void *context, lint_kind kind, const char *file, int line,
                            const char *message);

/* Runs every lint on a loaded session; returns how many findings it reported. */
int lint_session(const timeline *t, lint_report report, void *context);
/* The same, each finding a warning (REPORT_WARNING) to `sink` at its file
 * and line. */
int lint_session_report(const timeline *t, const report_sink *sink);

/* Loudness of a clip: integrated (EBU R128, LUFS; -HUGE_VAL for silence or a
 * clip under 0.4 s) and sample peak (dBFS; -HUGE_VAL for silence). Returns
 * 0, or nonzero when the measurement could not be made (out of memory). */
int lint_clip_loudness(const audio_clip *clip, int rate, double *lufs, double *peak_dbfs);

#endif
