/* monitor.h: a heart-rate source followed while a session plays.
 *
 * The monitor owns the source (a strap over Bluetooth, or a file or pipe
 * of RR intervals: source.h), checks every interval for artefacts
 * (artefact.h), keeps what the front ends show (the heart rate and the
 * last breath's swing) and writes the recording (recording.h).
 *
 * Threads. The source runs on a thread of its own and calls
 * hr_monitor_beats() and hr_monitor_connection() there; the recording's
 * rows are written on that thread. The player calls hr_monitor_pace() and
 * hr_monitor_breath() from its run thread; hr_monitor_state() may be
 * called from any thread. One mutex guards it all; the audio callback
 * never comes here.
 *
 * Time. A row's t is seconds since hr_monitor_start() on the monotonic
 * clock when the beat ended: the arrival of the notification that carried
 * it, less the intervals that came after it in the same notification,
 * never before the row above it. */
#ifndef BREATHE_HR_MONITOR_H
#define BREATHE_HR_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/report.h"

typedef struct hr_monitor hr_monitor;

typedef struct {
    const char *source;             /* --hr: a file or pipe, or a strap's name or address */
    const char *session;            /* the session as given, for the recording */
    const char *recordings_folder;  /* NULL: no recording */
} hr_options;

enum { HR_DESCRIPTION_MAX = 256 };

typedef struct {
    bool connected;         /* beats are arriving */
    bool ended;             /* the source ended (a file read to its end) */
    double heart_rate;      /* beats a minute from the last (corrected) interval; NAN: none yet */
    double swing;           /* the last whole breath's highest minus lowest heart rate; NAN */
    int64_t beats;          /* intervals received */
    int64_t artefacts;      /* flagged and corrected by the threshold check */
    int64_t gaps;           /* times the strap dropped out */
    int64_t rejected;       /* notifications that could not be read */
    char source[HR_DESCRIPTION_MAX];   /* what it is: "Polar H10 1A2B (A0:9E:...)", "file x.txt" */
} hr_state;

/* Makes the source ready without starting it: a file is read and checked
 * (a bad line is FILE:LINE: message), a pipe opened, the Bluetooth bus
 * reached. Returns 0; 1 when the system failed (no bus, no BlueZ, out of
 * memory); 2 when the source is wrong (a bad file). Reported to `to`,
 * which must outlive the monitor (and may be called from its thread). */
int hr_monitor_open(hr_monitor **out, const hr_options *options, const report_sink *to);

/* The session starts now: the recording is created and the source
 * started. Returns 0, or 1 (reported) when the source's thread could not
 * start; a recording that cannot be written is only a warning. */
int hr_monitor_start(hr_monitor *m);

/* The breathing rate paced now, breaths a minute; NAN: nothing is paced
 * (a step that does not breathe, a pause), which also abandons the breath
 * under way: it gives no swing. */
void hr_monitor_pace(hr_monitor *m, double breaths_per_minute);

/* A breath begins (an in-breath): the one before, when it was followed
 * whole, gives the swing. */
void hr_monitor_breath(hr_monitor *m);

void hr_monitor_state(hr_monitor *m, hr_state *out);

/* When hr_monitor_start() was called (clock_monotonic_seconds()): t = 0. */
double hr_monitor_start_time(hr_monitor *m);

/* The recording's path once started; NULL when none is written. Valid
 * until hr_monitor_free(). */
const char *hr_monitor_recording(const hr_monitor *m);

/* Stops the source (joining its thread) and syncs and closes the
 * recording. Returns 0, or 1 when the recording could not be kept
 * (reported). Safe to call twice. */
int hr_monitor_stop(hr_monitor *m);
void hr_monitor_free(hr_monitor *m);

/* ---- for the sources, from their thread ---- */

/* The intervals of one notification (or one line), oldest first, in ms,
 * and when it arrived (clock_monotonic_seconds()). */
void hr_monitor_beats(hr_monitor *m, const double *raw_ms, size_t count, double arrived);
/* The strap is connected and notifying, or has dropped out (a gap row). */
void hr_monitor_connection(hr_monitor *m, bool connected, double at);
/* A notification that could not be read. */
void hr_monitor_rejected(hr_monitor *m);
/* The source has nothing more to give. */
void hr_monitor_ended(hr_monitor *m);
/* What the source is, for the status and the recording's "# source:". */
void hr_monitor_describe(hr_monitor *m, const char *description);

#endif
