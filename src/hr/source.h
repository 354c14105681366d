/* source.h: where heart beats come from, each kind in a file of its own.
 *
 *   file_source.c  a file or named pipe of RR intervals (rr_text.h), paced
 *                  as if the beats arrived now
 *   strap.c        a Bluetooth LE strap with the Heart Rate Service,
 *                  through BlueZ on the system bus (sd-bus)
 *
 * A source is opened (checked, nothing started), started (a thread of its
 * own that calls the monitor's hr_monitor_beats() and friends), stopped
 * (the thread woken and joined: worker.h, the same for every kind) and
 * freed. */
#ifndef BREATHE_HR_SOURCE_H
#define BREATHE_HR_SOURCE_H

#include <stdbool.h>

#include "base/report.h"
#include "hr/monitor.h"

typedef struct hr_source hr_source;

typedef struct {
    int (*start)(hr_source *s);   /* 0, or 1 (reported) */
    void (*stop)(hr_source *s);
    void (*free)(hr_source *s);
} hr_source_kind;

/* The first member of every source. */
struct hr_source {
    const hr_source_kind *kind;
    hr_monitor *monitor;
    const report_sink *to;
};

/* Whether `spec` names a file or pipe (it exists, or has a '/' in it)
 * rather than a strap. */
bool hr_source_is_file(const char *spec);

/* Both return 0, 1 or 2 as hr_monitor_open(). */
int hr_file_source_open(hr_source **out, const char *path, hr_monitor *m, const report_sink *to);
int hr_strap_source_open(hr_source **out, const char *wanted, hr_monitor *m,
                         const report_sink *to);

#endif
