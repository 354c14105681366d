/* serve.c: `breathe --serve` (see serve.h and serve_internal.h). */
#include "serve/serve_internal.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "format/session.h"
#include "play/library.h"
#include "play/programmes.h"

/* ---- the bus thread's events ---- */

static void emit_step(service *s, const play_snapshot *now)
{
    const char *label = now->step && now->step->label ? now->step->label : "";
    sd_bus_emit_signal(s->bus, SERVE_OBJECT_PATH, IFACE_BREATHE, "StepChanged", "xs",
                       (int64_t)now->step_ordinal, label);
    sd_bus_emit_properties_changed(s->bus, SERVE_OBJECT_PATH, IFACE_BREATHE, "Step",
                                   "StepIndex", NULL);
}

static void emit_phase(service *s, const play_snapshot *now)
{
    sd_bus_emit_signal(s->bus, SERVE_OBJECT_PATH, IFACE_BREATHE, "PhaseChanged", "sdd",
                       breath_kind_name(now->phase), now->phase_seconds_left, now->fullness);
    sd_bus_emit_properties_changed(s->bus, SERVE_OBJECT_PATH, IFACE_BREATHE, "Phase", NULL);
}

static void handle(service *s, const queued *q)
{
    web_player_event(s->web, q->kind, &q->snapshot);
    int rate = q->snapshot.rate > 0 ? q->snapshot.rate : 1;
    switch (q->kind) {
    case PLAY_EVENT_STEP:
        emit_step(s, &q->snapshot);
        break;
    case PLAY_EVENT_PHASE:
        emit_phase(s, &q->snapshot);
        break;
    case PLAY_EVENT_SEEKED:
        sd_bus_emit_signal(s->bus, SERVE_OBJECT_PATH, IFACE_PLAYER, "Seeked", "x",
                           frames_to_us(q->snapshot.heard, rate));
        break;
    case PLAY_EVENT_DEVICE_LOST: {
        char at[32];
        timeline_format_time(at, sizeof at, q->at, rate);
        fprintf(s->err, "breathe: lost the audio device at %s; trying again for %d s\n", at,
                q->retry_seconds);
        break;
    }
    case PLAY_EVENT_DEVICE_BACK: {
        char at[32];
        timeline_format_time(at, sizeof at, q->at, rate);
        fprintf(s->err, "breathe: the audio device is back; playing on from %s\n", at);
        break;
    }
    case PLAY_EVENT_STARTED:
    case PLAY_EVENT_PAUSED:
    case PLAY_EVENT_VOLUME:
    case PLAY_EVENT_ENDED:
        break;
    }
}

static void drain(service *s)
{
    uint64_t count;
    while (read(s->wake_fd, &count, sizeof count) < 0 && errno == EINTR)
        ;
    run *r = s->current;
    /* Seen before the queue is read: every event of a finished run is
     * in the queue by then, and handled while its player still exists. */
    bool done = r && atomic_load(&r->done);
    bool ended = r && atomic_load(&r->ended);
    for (;;) {
        queued q;
        pthread_mutex_lock(&s->lock);
        bool any = s->count > 0;
        if (any) {
            q = s->queue[s->head];
            s->head = (s->head + 1) % QUEUE_SIZE;
            s->count--;
        }
        pthread_mutex_unlock(&s->lock);
        if (!any)
            break;
        handle(s, &q);
    }
    if (ended && !r->stopping) {
        r->stopping = true;   /* finished: nothing left to control */
        service_announce_status(s, false);
    }
    if (done)
        service_finish_run(s);
}

/* ---- org.breathe.Player1: the breath itself ---- */

static bool breath_now(service *s, play_snapshot *now)
{
    if (!s->current || atomic_load(&s->current->ended))
        return false;
    player_snapshot(s->current->player, now);
    return true;
}

static int get_step(sd_bus *bus, const char *path, const char *interface, const char *property,
                    sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
    play_snapshot now;
    bool playing = breath_now(userdata, &now);
    return sd_bus_message_append(reply, "s",
                                 playing && now.step && now.step->label ? now.step->label : "");
}

static int get_step_index(sd_bus *bus, const char *path, const char *interface,
                          const char *property, sd_bus_message *reply, void *userdata,
                          sd_bus_error *error)
{
    play_snapshot now;
    bool playing = breath_now(userdata, &now);
    return sd_bus_message_append(reply, "x", playing && now.step ? now.step_ordinal : (int64_t)-1);
}

static int get_phase(sd_bus *bus, const char *path, const char *interface, const char *property,
                     sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
    play_snapshot now;
    bool breathing = breath_now(userdata, &now) && now.breathing;
    return sd_bus_message_append(reply, "s", breathing ? breath_kind_name(now.phase) : "");
}

static int get_seconds_left(sd_bus *bus, const char *path, const char *interface,
                            const char *property, sd_bus_message *reply, void *userdata,
                            sd_bus_error *error)
{
    play_snapshot now;
    bool breathing = breath_now(userdata, &now) && now.breathing;
    return sd_bus_message_append(reply, "d", breathing ? now.phase_seconds_left : 0.0);
}

static int get_fullness(sd_bus *bus, const char *path, const char *interface,
                        const char *property, sd_bus_message *reply, void *userdata,
                        sd_bus_error *error)
{
    play_snapshot now;
    bool breathing = breath_now(userdata, &now) && now.breathing;
    return sd_bus_message_append(reply, "d", breathing ? now.fullness : 0.0);
}

/* The heart-rate source's numbers (hr/monitor.h), read when asked, like
 * Fullness: 0 when none is followed or no beat has come. */
static bool heart_now(service *s, play_snapshot *now)
{
    return breath_now(s, now) && now->heart_rate_on;
}

static int get_heart_rate(sd_bus *bus, const char *path, const char *interface,
                          const char *property, sd_bus_message *reply, void *userdata,
                          sd_bus_error *error)
{
    play_snapshot now;
    bool known = heart_now(userdata, &now) && now.heart.connected && !isnan(now.heart.heart_rate);
    return sd_bus_message_append(reply, "d", known ? now.heart.heart_rate : 0.0);
}

static int get_heart_rate_swing(sd_bus *bus, const char *path, const char *interface,
                                const char *property, sd_bus_message *reply, void *userdata,
                                sd_bus_error *error)
{
    play_snapshot now;
    bool known = heart_now(userdata, &now) && !isnan(now.heart.swing);
    return sd_bus_message_append(reply, "d", known ? now.heart.swing : 0.0);
}

static int get_heart_rate_connected(sd_bus *bus, const char *path, const char *interface,
                                    const char *property, sd_bus_message *reply,
                                    void *userdata, sd_bus_error *error)
{
    play_snapshot now;
    return sd_bus_message_append(reply, "b", heart_now(userdata, &now) && now.heart.connected);
}

static int get_heart_beats(sd_bus *bus, const char *path, const char *interface,
                           const char *property, sd_bus_message *reply, void *userdata,
                           sd_bus_error *error)
{
    play_snapshot now;
    return sd_bus_message_append(reply, "x", heart_now(userdata, &now) ? now.heart.beats
                                                                      : (int64_t)0);
}

/* The followed programme's session due today ("" when none is due or no
 * programme is followed), worked out from the files at each read, so it
 * follows the date and sessions played by any front end. Announced as
 * changed after each session the service plays. */
static int get_today_due(sd_bus *bus, const char *path, const char *interface,
                         const char *property, sd_bus_message *reply, void *userdata,
                         sd_bus_error *error)
{
    char *due = programmes_due_besides(NULL);
    int r = sd_bus_message_append(reply, "s", due ? due : "");
    free(due);
    return r;
}

static const sd_bus_vtable breathe_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_SIGNAL("StepChanged", "xs", 0),
    SD_BUS_SIGNAL("PhaseChanged", "sdd", 0),
    SD_BUS_PROPERTY("Step", "s", get_step, 0, DYNAMIC),
    SD_BUS_PROPERTY("StepIndex", "x", get_step_index, 0, DYNAMIC),
    SD_BUS_PROPERTY("Phase", "s", get_phase, 0, DYNAMIC),
    SD_BUS_PROPERTY("PhaseSecondsLeft", "d", get_seconds_left, 0, 0),
    SD_BUS_PROPERTY("Fullness", "d", get_fullness, 0, 0),
    SD_BUS_PROPERTY("HeartRate", "d", get_heart_rate, 0, 0),
    SD_BUS_PROPERTY("HeartRateSwing", "d", get_heart_rate_swing, 0, 0),
    SD_BUS_PROPERTY("HeartRateConnected", "b", get_heart_rate_connected, 0, 0),
    SD_BUS_PROPERTY("HeartBeats", "x", get_heart_beats, 0, 0),
    SD_BUS_PROPERTY("TodayDue", "s", get_today_due, 0, DYNAMIC),
    SD_BUS_VTABLE_END,
};

/* ---- the web remote's controls (web/web.h), on this thread ---- */

static void web_get_state(void *context, web_state *out)
{
    service *s = context;
    *out = (web_state){ .loaded = service_controllable(s), .volume_db = volume_to_db(s->volume),
                        .paused = s->paused };
    if (out->loaded) {
        out->name = s->current->track.name;
        player_snapshot(s->current->player, &out->snapshot);
    }
}

static int web_play(void *context, const char *name, double start_seconds, char **why)
{
    size_t size = strlen(name) + sizeof "breathe:";
    char *uri = malloc(size);
    if (!uri) {
        *why = NULL;
        return 1;
    }
    snprintf(uri, size, "breathe:%s", name);
    int code = service_open_run(context, name, uri, true, start_seconds, why);
    free(uri);
    return code;
}

static void web_set_paused(void *context, bool paused)
{
    service_set_paused(context, paused);
}

static void web_stop_all(void *context)
{
    service_stop_all(context);
}

static void web_next(void *context)
{
    service *s = context;
    if (service_controllable(s))
        player_next_step(s->current->player);
}

static void web_set_volume(void *context, double volume_db)
{
    service_change_volume(context, 1.0 - volume_db / SERVE_VOLUME_FLOOR_DB);
}

/* ---- the loop ---- */

static int connect_bus(service *s)
{
    int r = sd_bus_open_user(&s->bus);
    if (r < 0) {
        fprintf(s->err, "breathe: cannot reach the session bus: %s\n", strerror(-r));
        return -1;
    }
    const struct {
        const char *interface;
        const sd_bus_vtable *vtable;
    } objects[] = {
        { IFACE_ROOT, mpris_root_vtable },
        { IFACE_PLAYER, mpris_player_vtable },
        { IFACE_PLAYLISTS, mpris_playlists_vtable },
        { IFACE_BREATHE, breathe_vtable },
    };
    for (size_t i = 0; i < sizeof objects / sizeof objects[0]; i++) {
        r = sd_bus_add_object_vtable(s->bus, NULL, SERVE_OBJECT_PATH, objects[i].interface,
                                     objects[i].vtable, s);
        if (r < 0) {
            fprintf(s->err, "breathe: cannot serve %s: %s\n", objects[i].interface,
                    strerror(-r));
            return -1;
        }
    }
    r = sd_bus_request_name(s->bus, SERVE_BUS_NAME, 0);
    if (r == -EEXIST || r == -EALREADY) {
        fprintf(s->err, "breathe: the name %s is taken: another breathe --serve runs on "
                        "this bus\n", SERVE_BUS_NAME);
        return -1;
    }
    if (r < 0) {
        fprintf(s->err, "breathe: cannot own %s: %s\n", SERVE_BUS_NAME, strerror(-r));
        return -1;
    }
    return 0;
}

static int wait_for_something(service *s)
{
    struct pollfd fds[3 + WEB_POLL_FDS] = {
        { .fd = sd_bus_get_fd(s->bus), .events = (short)sd_bus_get_events(s->bus) },
        { .fd = s->wake_fd, .events = POLLIN },
        { .fd = s->signal_fd, .events = POLLIN },
    };
    uint64_t until = UINT64_MAX;
    int timeout = -1;
    if (sd_bus_get_timeout(s->bus, &until) >= 0 && until != UINT64_MAX) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        uint64_t now_us = (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u;
        timeout = until <= now_us ? 0 : (int)((until - now_us + 999) / 1000);
    }
    int web_fds = s->web ? web_poll_fds(s->web, fds + 3, &timeout) : 0;
    int r = poll(fds, (nfds_t)(3 + web_fds), timeout);
    if (r < 0)
        return errno == EINTR ? 0 : -errno;
    if (s->web)
        web_dispatch(s->web, fds + 3, web_fds);
    if (fds[2].revents & POLLIN) {
        struct signalfd_siginfo info;
        if (read(s->signal_fd, &info, sizeof info) == (ssize_t)sizeof info)
            service_begin_quit(s);
    }
    if (fds[1].revents & POLLIN)
        drain(s);
    return 0;
}

static int serve_loop(service *s)
{
    for (;;) {
        int r;
        while ((r = sd_bus_process(s->bus, NULL)) > 0)
            ;
        if (r < 0) {
            fprintf(s->err, "breathe: the session bus failed: %s\n", strerror(-r));
            return 1;
        }
        if (s->quitting && !s->current)
            return 0;
        r = wait_for_something(s);
        if (r < 0) {
            fprintf(s->err, "breathe: %s\n", strerror(-r));
            return 1;
        }
    }
}

int serve_main(const serve_web_options *web, FILE *out, FILE *err)
{
    service s = { .err = err, .wake_fd = -1, .signal_fd = -1, .volume = 1.0 };
    s.status = service_playback_status(&s);
    pthread_mutex_init(&s.lock, NULL);
    /* SIGTERM and SIGINT are read from a signalfd on this thread; blocked
     * before any thread starts, so every thread leaves them to it. */
    sigset_t quit_signals, before;
    sigemptyset(&quit_signals);
    sigaddset(&quit_signals, SIGTERM);
    sigaddset(&quit_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &quit_signals, &before);
    signal(SIGPIPE, SIG_IGN);
    int code = 1;
    s.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    s.signal_fd = signalfd(-1, &quit_signals, SFD_CLOEXEC | SFD_NONBLOCK);
    if (s.wake_fd < 0 || s.signal_fd < 0)
        fprintf(err, "breathe: %s\n", strerror(errno));
    else {
        /* The web remote first: a port in use or a wrong address is found
         * before the bus name is taken. */
        web_controls controls = { web_get_state, web_play, web_set_paused, web_stop_all,
                                  web_next, web_set_volume, &s };
        web_options options = { web->listen, web->new_token, out, err };
        code = web_start(&s.web, &options, &controls);
        if (code == 0)
            code = connect_bus(&s) == 0 ? serve_loop(&s) : 1;
    }
    /* A bus failure with a session playing: stop it and wait for the fade. */
    if (s.current) {
        service_begin_quit(&s);
        while (s.current) {
            struct pollfd fd = { .fd = s.wake_fd, .events = POLLIN };
            poll(&fd, 1, -1);
            drain(&s);
        }
    }
    web_stop(s.web);
    s.web = NULL;
    run_free(s.pending);
    track_free(&s.last);
    if (s.bus)
        sd_bus_flush_close_unref(s.bus);
    if (s.wake_fd >= 0)
        close(s.wake_fd);
    if (s.signal_fd >= 0)
        close(s.signal_fd);
    pthread_mutex_destroy(&s.lock);
    pthread_sigmask(SIG_SETMASK, &before, NULL);
    return code;
}
