/* serve.c: serve_main() and the loop of `breathe --serve` (see serve.h
 * and serve_internal.h). One thread polls the bus, the web remote, the
 * eventfd the run threads write and a signalfd for SIGTERM and SIGINT;
 * each wake-up answers what is ready. The run threads' events are read
 * from the queue here and said on the bus and to the web remote's event
 * streams, so that sd-bus and the web server are only called from here. */
#include "serve/serve_internal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

/* ---- the bus thread's events ---- */

static void handle(service *s, const queued *q)
{
    web_player_event(s->web, q->kind, &q->snapshot);
    int rate = q->snapshot.rate > 0 ? q->snapshot.rate : 1;
    switch (q->kind) {
    case PLAY_EVENT_STEP:
        breathe_player_step_changed(s, &q->snapshot);
        break;
    case PLAY_EVENT_PHASE:
        breathe_player_phase_changed(s, &q->snapshot);
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
        { IFACE_BREATHE, breathe_player_vtable },
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
        web_controls controls = service_web_controls(&s);
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
