/* recording.h: the heart-rate recording of a session, written beside the
 * history as beats arrive (docs/hrv.md, "Recording", is the contract with
 * its reader, `breathe --analyze`).
 *
 *   $XDG_STATE_HOME/breathe/recordings/2026-12-20T07-30-00-resonance-assessment.tsv
 *
 *   # breathe heart-rate recording 1
 *   # session: resonance-assessment
 *   # started: 2026-12-20T07:30:00+01:00
 *   # source: Polar H10 1A2B3C4D (A0:9E:1A:12:34:56)
 *   t	rr_raw_ms	rr_ms	bpm	artefact
 *   0.812	812.5	812.5	6	
 *   1.650	838.9	838.9	6	
 *   2.900	1250.0	830.0	6	threshold
 *   14.200				gap
 *
 * UTF-8 text, tab-separated. Each row is one write() on an O_APPEND
 * descriptor, so a crash loses at most the row being written;
 * hr_recording_close() syncs the file to disk, as the history does.
 * Rows are written from the heart-rate source's thread, never from the
 * audio callback. A failure to write is reported once as a warning and
 * the rest of the recording is dropped: the session plays on. */
#ifndef BREATHE_HR_RECORDING_H
#define BREATHE_HR_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/report.h"

#define HR_RECORDING_MAGIC "# breathe heart-rate recording 1"
#define HR_RECORDING_HEADER "t\trr_raw_ms\trr_ms\tbpm\tartefact"
enum { HR_RECORDING_ROW_MAX = 128 };

typedef struct hr_recording hr_recording;

/* FOLDER/START-NAME.tsv, START the local time as 2026-12-20T07-30-00 and
 * NAME the session's file name without its folders and ".cfg", with any
 * character but letters, digits, '.', '_' and '-' made '-'. A new string,
 * or NULL when out of memory. */
char *hr_recording_path(const char *folder, time_t start, const char *session);

/* t as ISO 8601 local time with its offset from UTC: 2026-12-20T07:30:00+01:00. */
void hr_recording_local_time(char *out, size_t size, time_t t);

/* One row, newline included: t with 3 decimals, the raw and corrected
 * intervals with 1 (both empty when raw is NAN: a gap), the breathing rate
 * with up to 2 (empty when NAN: nothing paced), and the artefact word
 * (NULL: clean). Returns the length, or -1 when it does not fit. */
int hr_recording_format_row(char *line, size_t size, double t, double raw_ms, double rr_ms,
                            double breaths_per_minute, const char *artefact);

/* Creates the file (and its folders) and writes the header lines. A file
 * of that name already there is never replaced: "-2" (up to "-9") is put
 * before ".tsv". Returns 0, or 1 (reported as a warning). */
int hr_recording_open(hr_recording **out, const char *path, const char *session, time_t started,
                      const char *source, const report_sink *to);

/* The path actually written. */
const char *hr_recording_file(const hr_recording *r);

/* Appends a row; after a failure (reported once) does nothing. */
void hr_recording_row(hr_recording *r, double t, double raw_ms, double rr_ms,
                      double breaths_per_minute, const char *artefact);

/* Syncs and closes the file, and frees r. Returns 0, or 1 (reported). */
int hr_recording_close(hr_recording *r);

#endif
