/* runs.c: the sessions `breathe --serve` plays (see serve_internal.h).
 *
 * A session is opened on the bus thread, as `breathe NAME` opens it (the
 * user's defaults, the word before it when the programme has another due),
 * so that a broken one is a D-Bus error at once. It then plays on a thread
 * of its own, whose events go into the service's queue for the bus thread.
 * A session asked for while another plays waits in `pending` until the
 * first has faded out and its thread has been joined. */
#include "serve/serve_internal.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/session.h"
#include "play/programmes.h"

static char *copy(const char *text)
{
    return strdup(text ? text : "");
}

void track_free(track *t)
{
    free(t->name);
    free(t->url);
    free(t->title);
    free(t->author);
    free(t->description);
    *t = (track){ 0 };
}

int track_copy(track *to, const track *from)
{
    *to = *from;
    to->name = copy(from->name);
    to->url = copy(from->url);
    to->title = copy(from->title);
    to->author = copy(from->author);
    to->description = copy(from->description);
    if (!to->name || !to->url || !to->title || !to->author || !to->description) {
        track_free(to);
        return -1;
    }
    return 0;
}

/* ---- the run thread ---- */

static void wake(service *s)
{
    uint64_t one = 1;
    while (write(s->wake_fd, &one, sizeof one) < 0 && errno == EINTR)
        ;
}

static void run_event(void *context, player *p, const play_event *event)
{
    (void)p;
    run *r = context;
    service *s = r->service;
    if (event->kind == PLAY_EVENT_ENDED) {
        atomic_store(&r->ended, true);
        wake(s);
        return;
    }
    if (event->kind == PLAY_EVENT_PAUSED || event->kind == PLAY_EVENT_VOLUME)
        return;   /* the bus thread asked for them and has said so */
    pthread_mutex_lock(&s->lock);
    if (s->count < QUEUE_SIZE) {
        /* A full queue (the bus thread far behind) drops the event: the
         * properties read the player's snapshot anyway. */
        queued *q = &s->queue[(s->head + s->count++) % QUEUE_SIZE];
        q->kind = event->kind;
        q->snapshot = *event->snapshot;
        q->at = event->at;
        q->retry_seconds = event->retry_seconds;
    }
    pthread_mutex_unlock(&s->lock);
    wake(s);
}

static void *run_thread(void *context)
{
    run *r = context;
    play_front_end front_end = { NULL, run_event, r };
    play_outcome outcome;
    player_run(r->player, &front_end, &outcome);
    atomic_store(&r->done, true);
    wake(r->service);
    return NULL;
}

/* Messages while opening are collected for the D-Bus error; later ones
 * (a lost device, a file that could not be read) go to stderr as the
 * command line prints them. */
static void run_report(void *context, const report_entry *entry)
{
    run *r = context;
    if (r->opened)
        report_stream_emit(&(report_stream){ r->service->err, "breathe" }, entry);
    else
        report_buffer_emit(&r->opening, entry);
}

void run_free(run *r)
{
    if (!r)
        return;
    player_free(r->player);
    track_free(&r->track);
    report_buffer_free(&r->opening);
    free(r);
}

/* ---- starting and ending sessions ---- */

static int start_run(service *s, run *r)
{
    r->opened = true;
    r->track.number = ++s->tracks;
    s->current = r;
    s->paused = false;
    if (pthread_create(&r->thread, NULL, run_thread, r) != 0) {
        s->current = NULL;
        run_free(r);
        return -1;
    }
    r->started = true;
    track_free(&s->last);
    s->have_last = track_copy(&s->last, &r->track) == 0;
    service_announce_status(s, true);
    return 0;
}

void service_finish_run(service *s)
{
    run *r = s->current;
    pthread_join(r->thread, NULL);
    s->current = NULL;
    run_free(r);
    /* Its history line is written: what the programme has due may differ. */
    sd_bus_emit_properties_changed(s->bus, SERVE_OBJECT_PATH, IFACE_BREATHE, "TodayDue", NULL);
    /* What the session's thread allocated goes back to the system. */
    malloc_trim(0);
    run *next = s->pending;
    s->pending = NULL;
    if (next && !s->quitting && start_run(s, next) == 0)
        return;
    service_announce_status(s, false);
}

static void stop_current(service *s)
{
    if (!s->current)
        return;
    s->current->stopping = true;
    player_request_stop(s->current->player);
}

void service_stop_all(service *s)
{
    run_free(s->pending);
    s->pending = NULL;
    stop_current(s);
    service_announce_status(s, false);
}

void service_begin_quit(service *s)
{
    s->quitting = true;
    service_stop_all(s);
}

int service_open_run(service *s, const char *name, const char *url, bool installed,
                     double start_seconds, char **why)
{
    *why = NULL;
    run *r = calloc(1, sizeof *r);
    if (!r)
        return 1;
    r->service = s;
    r->opening.program = "breathe";
    r->sink = (report_sink){ run_report, r };
    atomic_init(&r->ended, false);
    atomic_init(&r->done, false);
    userconfig defaults = { .history = true };
    int code = play_defaults_load(&defaults, &r->sink);
    if (code == 0) {
        play_options options = play_live_options(&defaults, name);
        r->base_db = options.volume_db;
        options.volume_db += volume_to_db(s->volume);
        options.start_seconds = start_seconds;
        /* As the command line does: a word first when the programme
         * followed has another session due today. */
        char *due = programmes_due_besides(name);
        if (due)
            options.announcement = PROGRAMMES_DUE_ANNOUNCEMENT;
        free(due);
        code = player_open(&r->player, name, &options, &r->sink);
    }
    userconfig_free(&defaults);
    if (code != 0) {
        const char *text = r->opening.text ? r->opening.text : "breathe: cannot open the session\n";
        size_t length = strlen(text);
        *why = strndup(text, length > 0 && text[length - 1] == '\n' ? length - 1 : length);
        run_free(r);
        return code;
    }
    const session *played = player_session(r->player);
    int64_t length = timeline_length(player_timeline(r->player));
    track t = {
        .name = (char *)name, .url = (char *)url, .title = played->title,
        .author = played->author, .description = played->description,
        .installed = installed,
        .length_us = length == TIMELINE_FOREVER
                         ? -1 : frames_to_us(length, timeline_rate(player_timeline(r->player))),
    };
    if (track_copy(&r->track, &t) != 0) {
        run_free(r);
        return 1;
    }
    if (s->current) {
        run_free(s->pending);
        s->pending = r;
        stop_current(s);
        service_announce_status(s, false);
        return 0;
    }
    if (start_run(s, r) != 0) {
        *why = strdup("breathe: cannot start a thread");
        return 1;
    }
    return 0;
}

int service_open_session(service *s, const char *name, const char *url, bool installed,
                         sd_bus_error *error)
{
    char *why;
    int code = service_open_run(s, name, url, installed, 0.0, &why);
    if (code == 0)
        return 0;
    int result = sd_bus_error_set(error, code == 1 ? ERROR_FAILED : ERROR_SESSION,
                                  why ? why : "breathe: out of memory");
    free(why);
    return result;
}

/* ---- the URI of an installed session ---- */

char *breathe_uri(const char *name)
{
    size_t size = strlen(name) + sizeof "breathe:";
    char *uri = malloc(size);
    if (uri)
        snprintf(uri, size, "breathe:%s", name);
    return uri;
}
