/* web.h: the web remote, an HTTP server inside `breathe --serve`.
 *
 * One page (share/breathe/web: HTML, CSS and JavaScript, no build step) and
 * the JSON API it uses (docs/web-api.md): the installed sessions, the state,
 * play, pause, resume, stop, next, volume, the practice stats, the safety
 * text and a Server-Sent Events stream of the breath as it plays. Served
 * with libmicrohttpd on the service's own thread: the service polls the
 * descriptors web_poll_fds() gives and calls web_dispatch(); nothing here
 * runs on a thread of its own, so the controls below are only ever called
 * from the service's thread.
 *
 * Security (docs/web-api.md says why each): sessions only by installed
 * name; a Host header that is not one of the server's own names is refused
 * (DNS rebinding); changes only by POST, with an Origin, when sent, that is
 * the page's own; the token (web_token_path()) on every API request unless
 * the listen address is a loopback one and the defaults do not ask for it;
 * bodies up to WEB_BODY_MAX bytes; bounded connections, event streams and
 * timeouts; only the page's own files.
 *
 * Idle: with nobody connected there is no timer; the process sleeps in the
 * service's poll. An event stream that stops reading is dropped when its
 * buffer fills: the audio never waits for a client. */
#ifndef BREATHE_WEB_WEB_H
#define BREATHE_WEB_WEB_H

#include <poll.h>
#include <stdbool.h>
#include <stdio.h>

#include "play/play.h"

enum {
    WEB_BODY_MAX = 4096,          /* bytes of a request body */
    WEB_CONNECTIONS_MAX = 32,     /* at once, event streams included */
    WEB_STREAMS_MAX = 8,          /* event streams at once; a new one drops the oldest */
    WEB_TIMEOUT_SECONDS = 15,     /* an idle connection is closed */
    WEB_POLL_FDS = WEB_CONNECTIONS_MAX + 3,  /* web_poll_fds() fills at most this many:
                                                the connections, the listening socket,
                                                libmicrohttpd's wake-up and the timer */
};

/* The volume the remote sets, in dB added to the defaults' volume: the
 * range the MPRIS Volume moves in (serve.h), 0 at full. */
#define WEB_VOLUME_MIN_DB (-40.0)
#define WEB_VOLUME_MAX_DB 0.0

/* What the service plays, as the API reports it. Room to grow: a field
 * added here (a heart rate from a chest strap, say) goes into the JSON in
 * web_api_state(), and clients ignore fields they do not know. */
typedef struct {
    bool loaded;              /* a session plays or is paused; the rest holds */
    const char *name;         /* as asked for: an installed name or a path */
    play_snapshot snapshot;
    double volume_db;         /* WEB_VOLUME_MIN_DB to WEB_VOLUME_MAX_DB */
    bool paused;
} web_state;

/* What the remote may ask the service to do; each is called on the
 * service's thread. play() returns 0, or 1 (the system failed) or 2 (the
 * name or position is wrong) with the message, as `breathe NAME` prints it,
 * in *why (a new string, NULL when out of memory). */
typedef struct {
    void (*state)(void *context, web_state *out);
    int (*play)(void *context, const char *name, double start_seconds, char **why);
    void (*set_paused)(void *context, bool paused);
    void (*stop)(void *context);
    void (*next)(void *context);
    void (*set_volume)(void *context, double volume_db);
    void *context;
} web_controls;

typedef struct web_server web_server;

typedef struct {
    const char *listen;   /* ADDR:PORT or [ADDR]:PORT; port 0: any free one */
    bool new_token;       /* replace the token (--new-token) */
    FILE *out;            /* where the address and the link are said */
    FILE *err;
} web_options;

/* Reads the defaults file (listen when options->listen is NULL, web_token,
 * web_hosts), the token, and listens. *out stays NULL, and 0 is returned,
 * when neither --listen nor the defaults ask for the web remote. Returns 1
 * when the address cannot be listened on or the token cannot be kept, 2
 * when the address or the defaults file is wrong (each said on err). */
int web_start(web_server **out, const web_options *options, const web_controls *controls);
void web_stop(web_server *w);

/* The descriptors to poll (at most WEB_POLL_FDS) and the longest wait
 * in ms (-1: none) before web_dispatch() must be called again. */
int web_poll_fds(web_server *w, struct pollfd *fds, int *timeout_ms);
/* Answers what is ready, after a poll of the descriptors web_poll_fds gave. */
void web_dispatch(web_server *w, const struct pollfd *fds, int count);

/* The service tells the remote what happened, on its thread: a player
 * event (with the snapshot of that moment), and a change it made itself
 * (a session started, paused, resumed, stopped or ended; the volume). */
void web_player_event(web_server *w, play_event_kind kind, const play_snapshot *snapshot);
void web_state_changed(web_server *w);

/* $XDG_STATE_HOME/breathe/web-token (else ~/.local/state/...): a new
 * string, or NULL when neither variable is set. */
char *web_token_path(void);

#endif
