/* monitor.c: see monitor.h. */
#include "hr/monitor.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "hr/artefact.h"
#include "hr/recording.h"
#include "hr/source.h"

struct hr_monitor {
    pthread_mutex_t lock;
    hr_source *source;
    const report_sink *to;
    char *session, *folder;
    hr_recording *recording;
    char *recording_path;
    bool started, stopped;
    double start;                 /* clock_monotonic_seconds() at hr_monitor_start() */
    double last_t;                /* the last row's t */
    double pace;                  /* breaths a minute; NAN: none */
    hr_artefact check;
    /* The breath under way: followed from its start, its highest and
     * lowest heart rate. */
    bool breath_followed;
    double breath_high, breath_low;
    int breath_beats;
    hr_state state;
};

int hr_monitor_open(hr_monitor **out, const hr_options *options, const report_sink *to)
{
    *out = NULL;
    hr_monitor *m = calloc(1, sizeof *m);
    if (!m) {
        report_out_of_memory(to);
        return 1;
    }
    pthread_mutex_init(&m->lock, NULL);
    m->to = to;
    m->pace = NAN;
    m->state.heart_rate = NAN;
    m->state.swing = NAN;
    snprintf(m->state.source, sizeof m->state.source, "%s", options->source);
    m->session = strdup(options->session ? options->session : "session");
    m->folder = options->recordings_folder ? strdup(options->recordings_folder) : NULL;
    if (!m->session || (options->recordings_folder && !m->folder)) {
        report_out_of_memory(to);
        hr_monitor_free(m);
        return 1;
    }
    int code = hr_source_is_file(options->source)
                   ? hr_file_source_open(&m->source, options->source, m, to)
                   : hr_strap_source_open(&m->source, options->source, m, to);
    if (code) {
        hr_monitor_free(m);
        return code;
    }
    *out = m;
    return 0;
}

int hr_monitor_start(hr_monitor *m)
{
    time_t now = time(NULL);
    pthread_mutex_lock(&m->lock);
    m->start = clock_monotonic_seconds();
    m->started = true;
    if (m->folder) {
        char *path = hr_recording_path(m->folder, now, m->session);
        if (!path)
            report_out_of_memory(m->to);
        else if (hr_recording_open(&m->recording, path, m->session, now, m->state.source,
                                   m->to) == 0)
            m->recording_path = strdup(hr_recording_file(m->recording));
        free(path);
    }
    pthread_mutex_unlock(&m->lock);
    return m->source->kind->start(m->source);
}

void hr_monitor_pace(hr_monitor *m, double breaths_per_minute)
{
    pthread_mutex_lock(&m->lock);
    m->pace = breaths_per_minute;
    if (isnan(breaths_per_minute))
        m->breath_followed = false;
    pthread_mutex_unlock(&m->lock);
}

static void begin_breath(hr_monitor *m)
{
    m->breath_followed = true;
    m->breath_beats = 0;
    m->breath_high = -INFINITY;
    m->breath_low = INFINITY;
}

void hr_monitor_breath(hr_monitor *m)
{
    pthread_mutex_lock(&m->lock);
    if (m->breath_followed && m->breath_beats >= 2)
        m->state.swing = m->breath_high - m->breath_low;
    begin_breath(m);
    pthread_mutex_unlock(&m->lock);
}

void hr_monitor_state(hr_monitor *m, hr_state *out)
{
    pthread_mutex_lock(&m->lock);
    *out = m->state;
    pthread_mutex_unlock(&m->lock);
}

double hr_monitor_start_time(hr_monitor *m)
{
    pthread_mutex_lock(&m->lock);
    double start = m->start;
    pthread_mutex_unlock(&m->lock);
    return start;
}

const char *hr_monitor_recording(const hr_monitor *m)
{
    return m->recording_path;
}

/* Seconds since the start, never before the last row. */
static double row_time(hr_monitor *m, double at)
{
    double t = at - m->start;
    if (t < m->last_t)
        t = m->last_t;
    if (t < 0.0)
        t = 0.0;
    m->last_t = t;
    return t;
}

static void follow_beat(hr_monitor *m, double t, double raw)
{
    double corrected;
    bool artefact = hr_artefact_check(&m->check, raw, &corrected);
    m->state.beats++;
    if (artefact)
        m->state.artefacts++;
    double heart_rate = 60000.0 / corrected;
    m->state.heart_rate = heart_rate;
    if (m->breath_followed) {
        m->breath_beats++;
        if (heart_rate > m->breath_high)
            m->breath_high = heart_rate;
        if (heart_rate < m->breath_low)
            m->breath_low = heart_rate;
    }
    if (m->recording)
        hr_recording_row(m->recording, t, raw, corrected, m->pace, artefact ? "threshold" : NULL);
}

void hr_monitor_beats(hr_monitor *m, const double *raw_ms, size_t count, double arrived)
{
    pthread_mutex_lock(&m->lock);
    if (m->started && !m->stopped) {
        m->state.connected = true;
        /* Each beat ended before the arrival by the intervals after it. */
        double later = 0.0;
        for (size_t i = count; i-- > 1;)
            later += raw_ms[i] / 1000.0;
        for (size_t i = 0; i < count; i++) {
            follow_beat(m, row_time(m, arrived - later), raw_ms[i]);
            if (i + 1 < count)
                later -= raw_ms[i + 1] / 1000.0;
        }
    }
    pthread_mutex_unlock(&m->lock);
}

void hr_monitor_connection(hr_monitor *m, bool connected, double at)
{
    pthread_mutex_lock(&m->lock);
    bool was = m->state.connected;
    m->state.connected = connected;
    if (was && !connected && m->started && !m->stopped) {
        /* A gap: marked in the recording; what comes after it is checked
         * afresh, and the breath under way gives no swing. */
        m->state.gaps++;
        m->state.heart_rate = NAN;
        hr_artefact_reset(&m->check);
        m->breath_followed = false;
        if (m->recording)
            hr_recording_row(m->recording, row_time(m, at), NAN, NAN, m->pace, "gap");
    }
    pthread_mutex_unlock(&m->lock);
}

void hr_monitor_rejected(hr_monitor *m)
{
    pthread_mutex_lock(&m->lock);
    m->state.rejected++;
    pthread_mutex_unlock(&m->lock);
}

void hr_monitor_ended(hr_monitor *m)
{
    pthread_mutex_lock(&m->lock);
    m->state.ended = true;
    m->state.connected = false;
    pthread_mutex_unlock(&m->lock);
}

void hr_monitor_describe(hr_monitor *m, const char *description)
{
    pthread_mutex_lock(&m->lock);
    snprintf(m->state.source, sizeof m->state.source, "%s", description);
    pthread_mutex_unlock(&m->lock);
}

int hr_monitor_stop(hr_monitor *m)
{
    if (!m || m->stopped)
        return 0;
    if (m->started)
        m->source->kind->stop(m->source);
    pthread_mutex_lock(&m->lock);
    m->stopped = true;
    m->state.connected = false;
    int code = hr_recording_close(m->recording);
    m->recording = NULL;
    pthread_mutex_unlock(&m->lock);
    return code;
}

void hr_monitor_free(hr_monitor *m)
{
    if (!m)
        return;
    hr_monitor_stop(m);
    if (m->source)
        m->source->kind->free(m->source);
    pthread_mutex_destroy(&m->lock);
    free(m->session);
    free(m->folder);
    free(m->recording_path);
    free(m);
}
