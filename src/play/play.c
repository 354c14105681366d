/* play.c: the playback library (see play.h). */
#include "play/play.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "base/clock.h"
#include "out/out.h"
#include "play/library.h"
#include "render/engine.h"
#include "render/step_timing.h"
#include "render/stream.h"
#include "render/transport.h"
#include "user/history.h"
#include "user/xdgpath.h"

typedef enum { REQUEST_NONE, REQUEST_SEEK, REQUEST_NEXT, REQUEST_PREVIOUS } request_kind;

struct player {
    loaded_session loaded;
    const report_sink *to;
    char *output, *device, *history_name;
    out_format format;           /* its strings point to the copies below */
    char *container, *quality;
    out_marker *markers;         /* a render's steps; each label allocated */
    size_t marker_count;
    double latency_seconds;
    int device_retry_seconds;
    bool render;                 /* to a file, not live */
    int rate;
    int64_t start;               /* the first frame played */
    int64_t end;                 /* one past the last (TIMELINE_FOREVER: none) */

    stream_pool *streams;        /* live, when the session streams files */
    atomic_int_least64_t dropped_sounds;
    transport transport;         /* owns the engines once initialised */
    bool transport_ready;

    const out_backend *backend;  /* chosen when opened */
    out_stream *stream;
    bool ran;
    int64_t reached;

    /* Controls from any thread. */
    atomic_bool stop_requested;
    atomic_int request;          /* request_kind */
    atomic_int_least64_t request_frame;

    /* The run thread's own: what was last announced. */
    const play_front_end *front_end;
    play_snapshot announced;
    int64_t announced_phase_key;
    int announced_skips;

    hr_monitor *heart;           /* live with a heart-rate source, else NULL */

    pthread_mutex_t snapshot_lock;   /* never taken by the audio callback */
    play_snapshot snapshot;
};

int play_device_retry_seconds(void)
{
    const char *text = getenv("BREATHE_DEVICE_RETRY_SECONDS");
    if (text == NULL || *text == '\0')
        return PLAY_DEVICE_RETRY_SECONDS;
    char *end;
    errno = 0;
    long seconds = strtol(text, &end, 10);
    if (errno != 0 || *end != '\0' || seconds < 0 || seconds > PLAY_DEVICE_RETRY_MAX_SECONDS)
        return PLAY_DEVICE_RETRY_SECONDS;
    return (int)seconds;
}

int play_defaults_load(userconfig *defaults, const report_sink *to)
{
    char *path = userconfig_path(getenv("XDG_CONFIG_HOME"), getenv("HOME"));
    int code = userconfig_load(path, defaults, to);
    free(path);
    return code;
}

play_options play_live_options(const userconfig *defaults, const char *name)
{
    return (play_options){
        .device = defaults->device,
        .volume_db = defaults->volume_db,
        .latency_seconds = defaults->latency_seconds,
        .device_retry_seconds = play_device_retry_seconds(),
        .history_name = defaults->history ? name : NULL,
        .heart_rate = defaults->hr_device,
        .heart_rate_optional = true,
    };
}

static void measure(player *p, play_snapshot *s);
static void publish(player *p, const play_snapshot *s);

/* ---- opening ---- */

static char *copy_or_null(const char *text)
{
    return text ? strdup(text) : NULL;
}

/* The frames to play: from --start to the end or for --length. Returns 0 or
 * 2 (reported) when they make no sense for this session. */
static int choose_frames(player *p, const play_options *options)
{
    const timeline *tl = p->loaded.timeline;
    const session *s = p->loaded.session;
    int64_t total = timeline_length(tl);
    p->start = options->start_seconds > 0.0
                   ? timeline_seconds_to_frames(tl, options->start_seconds) : 0;
    if (total != TIMELINE_FOREVER && p->start >= total && options->start_seconds > 0.0) {
        char length[32];
        timeline_format_time(length, sizeof length, total, p->rate);
        report_error(p->to, NULL, 0, "--start is past the end of the session (it lasts %s)",
                     length);
        return 2;
    }
    int64_t length = options->length_seconds > 0.0
                         ? timeline_seconds_to_frames(tl, options->length_seconds)
                         : TIMELINE_FOREVER;
    if (p->render && total == TIMELINE_FOREVER && length == TIMELINE_FOREVER) {
        report_error(p->to, NULL, 0, "'%s' repeats forever; give --length to render part of it",
                     s->path);
        return 2;
    }
    p->end = length;   /* made absolute by the engine: engine_end() */
    return 0;
}

/* The first engine, the stream pool and the transport. Returns 0 or 1. */
static int prepare_render(player *p, double volume_db)
{
    const timeline *tl = p->loaded.timeline;
    /* Live, long files are read ahead by a thread of their own (stream.h);
     * every engine of the playback (seeks make new ones) shares its pool.
     * When it starts, the output takes its whole buffer at once, and more
     * (2.75 s at --latency 2 through PulseAudio): half as much again is
     * allowed for. */
    if (!p->render && engine_needs_streams(tl)) {
        double buffer = p->latency_seconds > 0.0 ? p->latency_seconds
                                                 : OUT_PORTAUDIO_EXPECTED_LATENCY_SECONDS;
        p->streams = stream_pool_create(p->rate, true, 1.5 * buffer);
        if (!p->streams)
            return 1;
    }
    engine_options eo = {
        .volume_db = volume_db,
        .start = p->start,
        .length = p->end,
        .streams = p->streams,
        .dropped_sounds = &p->dropped_sounds,
    };
    engine *e = engine_create(tl, &eo);
    if (!e)
        return 1;
    p->end = engine_end(e);
    transport_init(&p->transport, e, p->rate, volume_db);
    p->transport_ready = true;
    return 0;
}

/* The most steps a render lists: a repeat of ten thousand rounds still
 * gives a label track an editor can open. */
#define PLAY_MAX_MARKERS 100000

/* A render's steps, for its markers. Returns 0 or 1 (out of memory). */
static int find_markers(player *p)
{
    const timeline *tl = p->loaded.timeline;
    size_t capacity = 0;
    timeline_span span;
    for (int64_t frame = p->start;
         frame < p->end && p->marker_count < PLAY_MAX_MARKERS && timeline_locate(tl, frame, &span);
         frame = span.end) {
        if (p->marker_count == capacity) {
            capacity = capacity ? 2 * capacity : 64;
            out_marker *grown = realloc(p->markers, capacity * sizeof *grown);
            if (!grown)
                return 1;
            p->markers = grown;
        }
        char name[256];
        step_timing_name(span.step, name, sizeof name);
        char *label = strdup(name);
        if (!label)
            return 1;
        int64_t from = span.start > p->start ? span.start : p->start;
        int64_t to = span.end < p->end ? span.end : p->end;
        p->markers[p->marker_count++] = (out_marker){ from - p->start, to - p->start, label };
    }
    return 0;
}

size_t player_markers(const player *p, const out_marker **markers)
{
    *markers = p->markers;
    return p->marker_count;
}

/* The heart-rate source, its recording in $XDG_STATE_HOME/breathe/recordings.
 * Returns 0, 1 or 2 as hr_monitor_open(). */
static int open_heart_rate(player *p, const char *name, const char *source)
{
    char *folder = xdgpath_user(XDGPATH_STATE, getenv("XDG_STATE_HOME"), getenv("HOME"),
                                "recordings");
    if (!folder)
        report_warning(p->to, NULL, 0, "the heart rate is not recorded: neither "
                                       "XDG_STATE_HOME nor HOME is set");
    hr_options options = { .source = source, .session = name, .recordings_folder = folder };
    int code = hr_monitor_open(&p->heart, &options, p->to);
    free(folder);
    return code;
}

/* The words said before the session (play_options.announcement): a file
 * that is missing or damaged is warned of and the session plays as it is. */
static int announce_first(player *p, const char *file)
{
    int code = library_announce(&p->loaded, file, PLAY_ANNOUNCEMENT_LABEL,
                                PLAY_ANNOUNCEMENT_GAP_SECONDS, p->to);
    return code == 2 ? 0 : code;
}

int player_open(player **out, const char *name, const play_options *options,
                const report_sink *to)
{
    *out = NULL;
    player *p = calloc(1, sizeof *p);
    if (!p) {
        report_out_of_memory(to);
        return 1;
    }
    p->to = to;
    atomic_init(&p->dropped_sounds, 0);
    atomic_init(&p->stop_requested, false);
    atomic_init(&p->request, REQUEST_NONE);
    atomic_init(&p->request_frame, 0);
    pthread_mutex_init(&p->snapshot_lock, NULL);
    p->announced_phase_key = -1;
    p->render = options->output != NULL;
    p->backend = options->backend ? options->backend : out_backend_for(options->output);
    p->latency_seconds = options->latency_seconds;
    p->device_retry_seconds = options->device_retry_seconds;
    p->output = copy_or_null(options->output);
    p->device = copy_or_null(options->device);
    p->history_name = copy_or_null(options->history_name);
    p->format = options->format;
    p->format.container = p->container = copy_or_null(options->format.container);
    p->format.quality = p->quality = copy_or_null(options->format.quality);
    if ((options->output && !p->output) || (options->device && !p->device)
        || (options->history_name && !p->history_name)
        || (options->format.container && !p->format.container)
        || (options->format.quality && !p->format.quality)) {
        report_out_of_memory(to);
        player_free(p);
        return 1;
    }
    int code = library_load(name, &p->loaded, to);
    if (code == 0 && options->announcement && !p->render && options->start_seconds <= 0.0)
        code = announce_first(p, options->announcement);
    if (code == 0) {
        p->rate = p->loaded.session->sample_rate;
        code = choose_frames(p, options);
    }
    if (code == 0 && (prepare_render(p, options->volume_db) != 0
                      || (p->render && find_markers(p) != 0))) {
        report_out_of_memory(to);
        code = 1;
    }
    if (code == 0 && options->heart_rate && !p->render) {
        code = open_heart_rate(p, name, options->heart_rate);
        /* A strap named in the defaults file is there for every session;
         * Bluetooth being off must not stop people practising. A source
         * that is wrong (a bad file: 2) is still an error. */
        if (code == 1 && options->heart_rate_optional) {
            report_warning(to, NULL, 0, "playing without the heart rate: hr_device \"%s\" "
                           "from the defaults file cannot be reached (--hr none leaves it out)",
                           options->heart_rate);
            code = 0;
        }
    }
    if (code != 0) {
        player_free(p);
        return code;
    }
    p->reached = p->start;
    play_snapshot idle;
    measure(p, &idle);
    idle.state = PLAY_IDLE;
    publish(p, &idle);
    *out = p;
    return 0;
}

void player_free(player *p)
{
    if (!p)
        return;
    hr_monitor_free(p->heart);
    if (p->transport_ready)
        transport_free_engines(&p->transport);
    stream_pool_free(p->streams);
    library_unload(&p->loaded);
    pthread_mutex_destroy(&p->snapshot_lock);
    free(p->output);
    free(p->container);
    free(p->quality);
    for (size_t i = 0; i < p->marker_count; i++)
        free((void *)p->markers[i].label);
    free(p->markers);
    free(p->device);
    free(p->history_name);
    free(p);
}

const session *player_session(const player *p) { return p->loaded.session; }
const timeline *player_timeline(const player *p) { return p->loaded.timeline; }
int64_t player_reached(const player *p) { return p->reached; }

/* ---- controls ---- */

void player_request_stop(player *p)
{
    atomic_store(&p->stop_requested, true);
    if (p->transport_ready && !p->render)
        transport_request_stop(&p->transport);
}

void player_toggle_pause(player *p)
{
    if (!p->render)
        transport_toggle_pause(&p->transport);
}

void player_set_paused(player *p, bool paused)
{
    if (!p->render && transport_pause_requested(&p->transport) != paused)
        transport_toggle_pause(&p->transport);
}

double player_set_volume(player *p, double volume_db)
{
    /* A render is the same whoever makes it: its volume is fixed at open. */
    if (p->render)
        return transport_volume(&p->transport);
    return transport_set_volume(&p->transport, volume_db);
}

double player_volume(const player *p)
{
    return transport_volume(&p->transport);
}

static void request(player *p, request_kind kind, int64_t frame)
{
    if (p->render)
        return;
    atomic_store(&p->request_frame, frame);
    atomic_store(&p->request, kind);
}

void player_seek(player *p, int64_t frame) { request(p, REQUEST_SEEK, frame < 0 ? 0 : frame); }
void player_next_step(player *p) { request(p, REQUEST_NEXT, 0); }
void player_previous_step(player *p) { request(p, REQUEST_PREVIOUS, 0); }

/* ---- following it ---- */

/* Frames handed to the output but not heard yet: its latency. */
static int64_t unheard_frames(const player *p)
{
    if (!p->stream || !p->backend || !p->backend->unheard)
        return 0;
    return p->backend->unheard(p->stream);
}

static void describe_position(const player *p, play_snapshot *s)
{
    const timeline *tl = p->loaded.timeline;
    timeline_span span;
    s->step = NULL;
    s->step_ordinal = -1;
    s->breathing = false;
    if (!timeline_locate(tl, s->heard, &span) || s->heard >= s->end)
        return;
    s->step = span.step;
    s->step_ordinal = span.ordinal;
    s->step_start = span.start;
    s->step_end = span.end;
    timeline_breath breath;
    if (timeline_breath_at(tl, &span, s->heard, &breath)) {
        s->breathing = true;
        s->phase = breath.kind;
        s->phase_start = breath.start;
        s->phase_end = breath.start + breath.length;
        s->phase_seconds_left = (double)(s->phase_end - s->heard) / p->rate;
        s->fullness = timeline_fullness(&breath, s->heard);
        s->phase_index = breath.index;
        s->breaths_per_minute = breath.cycle_seconds > 0.0 ? 60.0 / breath.cycle_seconds : 0.0;
    }
}

/* Reads the transport and the stream pool (atomics only) into a snapshot. */
static void measure(player *p, play_snapshot *s)
{
    memset(s, 0, sizeof *s);
    const transport *t = &p->transport;
    s->title = p->loaded.session->title;
    s->rate = p->rate;
    s->start = p->start;
    s->end = p->end;
    s->length = timeline_length(p->loaded.timeline);
    s->position = atomic_load(&t->position);
    int64_t heard = s->position - unheard_frames(p);
    s->heard = heard < p->start ? p->start : heard;
    s->volume_db = transport_volume(t);
    s->paused = transport_pause_requested(t);
    s->silent = atomic_load(&t->paused);
    s->dropped_sounds = atomic_load(&p->dropped_sounds);
    if (p->streams) {
        stream_report report;
        stream_pool_report(p->streams, &report);
        s->dropouts = report.missing_frames;
    }
    describe_position(p, s);
    if (p->heart) {
        s->heart_rate_on = true;
        hr_monitor_state(p->heart, &s->heart);
        s->heart_rate_recording = hr_monitor_recording(p->heart);
    }
}

void player_snapshot(player *p, play_snapshot *out)
{
    pthread_mutex_lock(&p->snapshot_lock);
    *out = p->snapshot;
    pthread_mutex_unlock(&p->snapshot_lock);
}

static void publish(player *p, const play_snapshot *s)
{
    pthread_mutex_lock(&p->snapshot_lock);
    p->snapshot = *s;
    pthread_mutex_unlock(&p->snapshot_lock);
}

static void announce(player *p, play_event_kind kind, const play_snapshot *s)
{
    if (p->front_end && p->front_end->event) {
        play_event event = { .kind = kind, .snapshot = s };
        p->front_end->event(p->front_end->context, p, &event);
    }
}

/* A phase is named by its step instance and where it starts. */
static int64_t phase_key(const play_snapshot *s)
{
    return s->breathing ? s->phase_start : -1;
}

/* Tells the heart-rate monitor what is paced: the rate (none while
 * paused or not breathing), and each breath as its first phase begins. */
static void follow_heart(player *p, const play_snapshot *s, bool new_phase)
{
    bool pacing = s->breathing && !s->paused && s->breaths_per_minute > 0.0;
    hr_monitor_pace(p->heart, pacing ? s->breaths_per_minute : NAN);
    if (pacing && new_phase && s->phase_index == 0)
        hr_monitor_breath(p->heart);
}

/* Takes a new snapshot, publishes it and announces what changed. */
static void follow(player *p, play_state state)
{
    play_snapshot s;
    measure(p, &s);
    s.state = state == PLAY_PLAYING && s.paused ? PLAY_PAUSED : state;
    publish(p, &s);
    play_snapshot *before = &p->announced;
    int skips = atomic_load(&p->transport.skips);
    if (skips != p->announced_skips) {
        /* After a jump the step and the phase are new to the listener, even
         * the same ones again (back to the start of this step). */
        p->announced_skips = skips;
        if (p->heart)
            hr_monitor_pace(p->heart, NAN);   /* the breath under way gives no swing */
        announce(p, PLAY_EVENT_SEEKED, &s);
        before->step_ordinal = -1;
        p->announced_phase_key = -1;
    }
    if (s.step_ordinal != before->step_ordinal && s.step_ordinal >= 0)
        announce(p, PLAY_EVENT_STEP, &s);
    if (p->heart)
        follow_heart(p, &s, phase_key(&s) != p->announced_phase_key);
    if (phase_key(&s) != p->announced_phase_key && s.breathing)
        announce(p, PLAY_EVENT_PHASE, &s);
    if (s.paused != before->paused)
        announce(p, PLAY_EVENT_PAUSED, &s);
    if (s.volume_db != before->volume_db)
        announce(p, PLAY_EVENT_VOLUME, &s);
    p->announced_phase_key = phase_key(&s);
    p->announced = s;
}

/* ---- seeking, on the run thread ---- */

static int64_t request_target(player *p, request_kind kind, int64_t frame)
{
    const timeline *tl = p->loaded.timeline;
    int64_t position = atomic_load(&p->transport.position);
    timeline_span span;
    switch (kind) {
    case REQUEST_NEXT:
        return transport_next_step(tl, position, p->end);
    case REQUEST_PREVIOUS: {
        int64_t heard = position - unheard_frames(p);
        if (!timeline_locate(tl, heard < 0 ? 0 : heard, &span))
            return p->end;
        return span.start;
    }
    case REQUEST_SEEK:
        return frame > p->end ? p->end : frame;
    case REQUEST_NONE:
        break;
    }
    return position;
}

/* Builds the engine for a pending seek and hands it to the transport; a
 * request that finds an earlier switch still under way waits for the next
 * tick. */
static void serve_request(player *p)
{
    transport *t = &p->transport;
    transport_collect(t);
    request_kind kind = (request_kind)atomic_exchange(&p->request, REQUEST_NONE);
    if (kind == REQUEST_NONE)
        return;
    int64_t frame = atomic_load(&p->request_frame);
    int64_t target = request_target(p, kind, frame);
    engine_options eo = {
        .volume_db = transport_volume(t),
        .start = target,
        .length = p->end == TIMELINE_FOREVER ? TIMELINE_FOREVER : p->end - target,
        .streams = p->streams,
        .dropped_sounds = &p->dropped_sounds,
    };
    engine *next = engine_create(p->loaded.timeline, &eo);
    if (!next)
        return;   /* out of memory: the session plays on where it is */
    if (!transport_skip(t, next)) {
        engine_free(next);
        int expected = REQUEST_NONE;
        atomic_compare_exchange_strong(&p->request, &expected, kind);
    }
}

/* The backend's monitor: on the run thread, about every 50 ms. */
static bool monitor(void *context, int64_t frames_done)
{
    player *p = context;
    (void)frames_done;
    if (!p->render)
        serve_request(p);
    follow(p, PLAY_PLAYING);
    bool go_on = true;
    if (p->front_end && p->front_end->tick)
        go_on = p->front_end->tick(p->front_end->context, p);
    if (p->render)
        return go_on && !atomic_load(&p->stop_requested);
    if (!go_on)
        player_request_stop(p);
    return true;
}

/* ---- a lost device ---- */

/* Sleeps about a second in short naps, waking early for a stop. */
static void nap_a_second(player *p)
{
    for (int i = 0; i < 10 && !atomic_load(&p->stop_requested); i++)
        nanosleep(&(struct timespec){ .tv_nsec = 100000000 }, NULL);
}

/* Live playback failed (the device went away, or stopped taking sound):
 * try to open it again, once a second for the retry time, and play on from
 * where it stopped with a fade-in. Returns the status of the last run;
 * OUT_STOPPED when a stop came while waiting. */
static int play_on_after_failures(player *p, const out_params *params, out_source source)
{
    transport *t = &p->transport;
    report_buffer why = { 0 };
    report_sink attempts = { report_buffer_emit, &why };
    int ran = OUT_FAILED;
    while (ran == OUT_FAILED && !atomic_load(&p->stop_requested)) {
        /* What the device held went with it: where the sound stopped is
         * what was last heard. Playing on continues the same render (so it
         * stays the offline render, sample for sample) from where it had
         * got to, one output latency later. */
        int64_t heard = atomic_load(&t->position) - unheard_frames(p);
        if (heard < 0)
            heard = 0;
        play_snapshot s;
        measure(p, &s);
        if (p->front_end && p->front_end->event) {
            play_event lost = { .kind = PLAY_EVENT_DEVICE_LOST, .snapshot = &s, .at = heard,
                                .retry_seconds = p->device_retry_seconds };
            p->front_end->event(p->front_end->context, p, &lost);
        }
        double give_up = clock_monotonic_seconds() + p->device_retry_seconds;
        bool reopened = false;
        while (!reopened && !atomic_load(&p->stop_requested)
               && clock_monotonic_seconds() < give_up) {
            report_buffer_free(&why);
            p->backend->close(p->stream, false, &attempts);
            p->stream = NULL;
            nap_a_second(p);
            reopened = !atomic_load(&p->stop_requested)
                       && p->backend->open(&p->stream, params, &attempts) == 0;
        }
        if (atomic_load(&p->stop_requested)) {
            report_buffer_free(&why);
            return OUT_STOPPED;
        }
        if (!reopened) {
            atomic_store(&t->position, heard);   /* for the --start to resume from */
            break;
        }
        if (p->front_end && p->front_end->event) {
            play_event back = { .kind = PLAY_EVENT_DEVICE_BACK, .snapshot = &s, .at = heard };
            p->front_end->event(p->front_end->context, p, &back);
        }
        transport_fade_in(t);
        ran = p->backend->run(p->stream, source, monitor, p, p->to);
    }
    /* What the last attempt said, when it was the last word. */
    if (ran == OUT_FAILED && why.text) {
        for (char *line = strtok(why.text, "\n"); line; line = strtok(NULL, "\n"))
            report_error(p->to, NULL, 0, "%s", line);
    }
    report_buffer_free(&why);
    return ran;
}

/* ---- playing ---- */

/* Appends the history line of a live session. A failure is only a warning:
 * the session itself has been played. */
static void record_history(const player *p, time_t started, bool completed)
{
    int rate = p->rate;
    int64_t planned = p->end - p->start, played = p->reached - p->start;
    history_record record = {
        .start = (int64_t)started,
        .utc_offset = history_utc_offset(started),
        .outcome = completed ? HISTORY_COMPLETED : HISTORY_STOPPED,
        .planned_seconds = planned >= TIMELINE_FOREVER / 2 ? -1 : (planned + rate / 2) / rate,
        .played_seconds = played > 0 ? (played + rate / 2) / rate : 0,
    };
    snprintf(record.session, sizeof record.session, "%s", p->history_name);
    char *path = history_path(getenv("XDG_STATE_HOME"), getenv("HOME"));
    history_append(path, &record, p->to);
    free(path);
}

/* What went wrong with streamed files and crowded moments, said once the
 * sound has ended. Returns true when a render must not be kept. */
static bool report_the_run(player *p)
{
    stream_report report;
    stream_pool_report(p->streams ? p->streams : engine_streams(p->transport.engine), &report);
    stream_report_print(&report, p->rate, p->to);
    /* The session's own doing, the same live and offline: said, not failed. */
    int64_t dropped = atomic_load(&p->dropped_sounds);
    if (dropped > 0)
        report_warning(p->to, NULL, 0,
                       "%lld sound%s left out: more than %d were sounding at once "
                       "(bells, bowls, ticks and cues together)",
                       (long long)dropped, dropped == 1 ? " was" : "s were", ENGINE_MAX_VOICES);
    /* A file that could not be read: live, it played as silence and is
     * reported; a render would hold that silence, so it is not kept. */
    return p->render && report.failures > 0;
}

static play_outcome outcome_of(player *p, int ran)
{
    if (ran == OUT_FAILED)
        return PLAY_FAILED;
    if (ran == OUT_STOPPED || atomic_load(&p->transport.stopped_early)
        || atomic_load(&p->stop_requested))
        return PLAY_STOPPED;
    return PLAY_FINISHED;
}

/* The day a render is made, as its date tag: SOURCE_DATE_EPOCH's when set
 * (the reproducible-builds convention, so a render can be remade byte for
 * byte on another day), else today's, in UTC. */
static void render_date(char *out, size_t size)
{
    time_t now = time(NULL);
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    if (epoch != NULL && epoch[0] != '\0') {
        char *end = NULL;
        errno = 0;
        long long seconds = strtoll(epoch, &end, 10);
        if (*end == '\0' && errno == 0 && seconds >= 0)
            now = (time_t)seconds;
    }
    struct tm day;
    if (gmtime_r(&now, &day) == NULL || strftime(out, size, "%Y-%m-%d", &day) == 0)
        out[0] = '\0';
}

int player_run(player *p, const play_front_end *front_end, play_outcome *outcome)
{
    *outcome = PLAY_FAILED;
    if (p->ran)
        return 1;
    p->ran = true;
    p->front_end = front_end;
    out_params params = { .sample_rate = p->rate, .device = p->device, .path = p->output,
                          .latency_seconds = p->latency_seconds, .format = p->format };
    char date[32];
    render_date(date, sizeof date);
    const session *s = p->loaded.session;
    if (p->render && p->end != TIMELINE_FOREVER)
        params.frames = p->end - p->start;
    params.format.markers = p->markers;
    params.format.marker_count = p->marker_count;
    params.format.tags = (out_tags){ .title = s->title, .artist = s->author,
                                     .comment = s->description, .date = date,
                                     .software = "breathe " BREATHE_VERSION };
    if (p->backend->open(&p->stream, &params, p->to) != 0)
        return 1;
    if (p->streams && stream_pool_start(p->streams) != 0) {
        report_error(p->to, NULL, 0, "cannot start reading audio files");
        p->backend->close(p->stream, false, p->to);
        p->stream = NULL;
        return 1;
    }
    if (p->heart && hr_monitor_start(p->heart) != 0) {
        p->backend->close(p->stream, false, p->to);
        p->stream = NULL;
        return 1;
    }
    p->announced.step_ordinal = -1;
    p->announced.volume_db = transport_volume(&p->transport);
    play_snapshot first;
    measure(p, &first);
    announce(p, PLAY_EVENT_STARTED, &first);
    follow(p, PLAY_PLAYING);
    out_source source = { transport_render, &p->transport };
    time_t started = time(NULL);
    int ran = p->backend->run(p->stream, source, monitor, p, p->to);
    if (ran == OUT_FAILED && !p->render)
        ran = play_on_after_failures(p, &params, source);
    p->reached = atomic_load(&p->transport.position);
    /* The beats stop with the sound; the recording is on the disk before
     * the end is announced. */
    hr_monitor_stop(p->heart);
    *outcome = outcome_of(p, ran);
    bool stopped = *outcome == PLAY_STOPPED;

    play_snapshot end;
    measure(p, &end);
    end.state = PLAY_ENDED;
    publish(p, &end);
    play_event ended = { .kind = PLAY_EVENT_ENDED, .snapshot = &end, .at = p->reached,
                         .outcome = *outcome };
    if (front_end && front_end->event)
        front_end->event(front_end->context, p, &ended);

    if (report_the_run(p) && *outcome == PLAY_FINISHED)
        *outcome = PLAY_FAILED;
    if (p->backend->close(p->stream, *outcome == PLAY_FINISHED, p->to) != 0
        && *outcome == PLAY_FINISHED)
        *outcome = PLAY_FAILED;
    p->stream = NULL;
    if (!p->render && p->history_name)
        record_history(p, started, ran == OUT_DONE && !stopped);
    return 0;
}
