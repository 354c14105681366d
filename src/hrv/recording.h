/* recording.h: heart-rate recordings read back.
 *
 * A session played with a heart-rate source leaves a recording beside the
 * history (docs/hrv.md, "Recording"): UTF-8 text, first line
 *
 *     # breathe heart-rate recording 1
 *
 * then comment lines "# key: value" (session, started, source), then the
 * header line, exactly "t\trr_raw_ms\trr_ms\tbpm\tartefact", then one row
 * per beat:
 *
 *     t          seconds since the session started when the beat ended
 *     rr_raw_ms  the interval as the strap sent it (milliseconds)
 *     rr_ms      the interval as the live check corrected it
 *     bpm        the breathing rate paced then (empty where nothing paced)
 *     artefact   empty when clean, else a word ("threshold")
 *
 * A dropout is a row with t, empty interval columns, empty or any bpm and
 * the artefact "gap". Comments may also come between rows; an empty line
 * is skipped.
 *
 * recording_parse() reads that text and checks it: a wrong first line or
 * header, a row with the wrong number of columns, text where a number
 * goes, a time before the previous row's or past RECORDING_MAX_SECONDS,
 * an interval that is not above 0 and at most RECORDING_MAX_RR_MS, or a
 * rate that is not between
 * 0 and RECORDING_MAX_BPM each give one error "NAME:LINE: message" on the
 * sink and RESULT_INVALID (reading stops at the first). Out of memory is
 * RESULT_FAILED. Pure: the text comes in, rows go out; recording_read()
 * reads a file for it. */
#ifndef BREATHE_HRV_RECORDING_H
#define BREATHE_HRV_RECORDING_H

#include <stdbool.h>
#include <stddef.h>

#include "base/report.h"

#define RECORDING_FIRST_LINE "# breathe heart-rate recording 1"
#define RECORDING_HEADER "t\trr_raw_ms\trr_ms\tbpm\tartefact"
/* Intervals are kept as the strap sent them, however unlikely (the
 * artefact correction deals with those); only what no strap can send is
 * refused: 0 or less, or more than 16 bits of 1/1024 s. */
#define RECORDING_MAX_RR_MS 65536.0
#define RECORDING_MAX_BPM 60.0        /* breaths a minute */
#define RECORDING_MAX_SECONDS (7.0 * 24 * 3600)   /* t: no session is longer */

typedef struct {
    double t;            /* seconds since the session started */
    double rr_raw_ms;    /* 0 in a gap */
    double rr_ms;        /* 0 in a gap */
    double bpm;          /* 0 where nothing was paced */
    bool gap;            /* the source dropped out here */
    bool flagged;        /* the live check marked it (any artefact word but "gap") */
    int line;            /* its line in the file */
} recording_row;

typedef struct {
    char *session;       /* the comments' values, or NULL */
    char *started;
    char *source;
    recording_row *rows;
    size_t count;
} recording;

int recording_parse(const char *name, const char *text, size_t size, recording *out,
                    const report_sink *sink);

/* Reads the file at path and parses it (named by its path). A file that
 * cannot be read is RESULT_INVALID when it does not exist or is not a
 * regular file, else RESULT_FAILED; reported either way. */
int recording_read(const char *path, recording *out, const report_sink *sink);

void recording_free(recording *read);

#endif
