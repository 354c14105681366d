/* serve_internal.h: what the files of `breathe --serve` (serve.h) share;
 * included only inside src/serve/, never installed.
 *
 * One `service` is the whole state of the process. serve_main() (serve.c)
 * owns it and hands it to every sd-bus callback and web control as their
 * userdata. Everything declared here runs on the bus thread (the main
 * one), the only thread that calls sd-bus or the web server. The one other
 * kind of thread is a run's (runs.c): of the service it touches only the
 * queue (under `lock`), `wake_fd` and `err`, and of its run `ended`, `done`
 * and the player.
 *
 * Where each part lives:
 *   serve.c           serve_main(), the loop, the run threads' events read
 *   runs.c            a session: opened, played on a thread of its own,
 *                     stopped, ended; what waits to play after it
 *   controls.c        what MPRIS and the web remote both do to what plays
 *                     (pause, volume, next step) and how a change is said
 *   mpris.c           org.mpris.MediaPlayer2 and org.mpris.MediaPlayer2.Player
 *   playlists.c       org.mpris.MediaPlayer2.Playlists: the installed sessions
 *   breathe_player.c  org.breathe.Player1: the step, the breath, the heart
 *   web_controls.c    the web remote's table of controls (web/web.h)
 *
 * Bus-facing functions that can fail return what sd-bus callbacks return:
 * >= 0, or a negative errno with `error` set for the caller. */
#ifndef BREATHE_SERVE_SERVE_INTERNAL_H
#define BREATHE_SERVE_SERVE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <systemd/sd-bus.h>

#include "base/report.h"
#include "play/play.h"
#include "serve/serve.h"
#include "web/web.h"

#define IFACE_ROOT "org.mpris.MediaPlayer2"
#define IFACE_PLAYER "org.mpris.MediaPlayer2.Player"
#define IFACE_PLAYLISTS "org.mpris.MediaPlayer2.Playlists"
#define IFACE_BREATHE "org.breathe.Player1"
#define TRACK_PATH "/org/breathe/track"
#define PLAYLIST_PATH "/org/breathe/playlist"
#define NO_TRACK "/org/mpris/MediaPlayer2/TrackList/NoTrack"
#define ERROR_SESSION "org.breathe.Error.Session"
#define ERROR_FAILED "org.breathe.Error.Failed"
#define ERROR_URI "org.breathe.Error.UnsupportedUri"

/* A property whose changes are announced (PropertiesChanged). */
#define DYNAMIC SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE

enum { QUEUE_SIZE = 64 };

typedef struct service service;

/* What a session is, kept while and after it plays (Metadata, Play again). */
typedef struct {
    char *name;          /* as played: a path or an installed name */
    char *url;           /* xesam:url */
    char *title, *author, *description;
    bool installed;      /* played by name: one of the playlists */
    int64_t length_us;   /* -1: repeats forever */
    unsigned number;     /* mpris:trackid TRACK_PATH/number */
} track;

/* One session playing on its own thread. */
typedef struct {
    service *service;
    player *player;
    track track;
    report_buffer opening;   /* messages while opening, for the D-Bus error */
    bool opened;             /* later messages go to stderr */
    report_sink sink;
    double base_db;          /* the defaults' volume */
    pthread_t thread;
    bool started;            /* the thread runs */
    bool stopping;           /* Stop, Quit, or another session asked for */
    atomic_bool ended;       /* PLAY_EVENT_ENDED came */
    atomic_bool done;        /* player_run returned */
} run;

/* An event of the run thread, handed to the bus thread. */
typedef struct {
    play_event_kind kind;
    play_snapshot snapshot;
    int64_t at;
    int retry_seconds;
} queued;

struct service {
    sd_bus *bus;
    FILE *err;
    int wake_fd, signal_fd;
    pthread_mutex_t lock;              /* the queue */
    queued queue[QUEUE_SIZE];
    size_t head, count;

    run *current;        /* playing (its thread runs), or NULL */
    run *pending;        /* opened, to play once current has faded out */
    track last;          /* the last session played: Metadata, Play again */
    bool have_last;
    unsigned tracks;     /* trackid numbers given */
    bool paused;
    double volume;       /* MPRIS Volume, 0 to 1 */
    const char *status;  /* the PlaybackStatus last announced (its pointer) */
    bool quitting;
    web_server *web;     /* the web remote (--listen), or NULL */
};

static inline double volume_to_db(double volume)
{
    return SERVE_VOLUME_FLOOR_DB * (1.0 - volume);
}

static inline int64_t frames_to_us(int64_t frames, int rate)
{
    return rate > 0 ? (int64_t)((double)frames * 1e6 / rate + 0.5) : 0;
}

/* A method's empty reply, or the error `result` (set by the call). */
static inline int reply_or_error(sd_bus_message *m, int result)
{
    return result < 0 ? result : sd_bus_reply_method_return(m, "");
}

/* ---- runs.c ---- */

void track_free(track *t);
/* A copy with strings of its own: 0, or -1 (out of memory, *to empty). */
int track_copy(track *to, const track *from);
/* Frees a run that is not playing (its thread never started or is joined);
 * NULL is nothing. */
void run_free(run *r);

/* Opens `name` to play it now from start_seconds (after a fade of what
 * plays). Returns 0, or 1 or 2 with the message as the command line prints
 * it in *why (a new string; NULL when out of memory); what plays goes on. */
int service_open_run(service *s, const char *name, const char *url, bool installed,
                     double start_seconds, char **why);
/* service_open_run from the start, its errors as a D-Bus error. */
int service_open_session(service *s, const char *name, const char *url, bool installed,
                         sd_bus_error *error);
/* The current session's thread has ended: free it, and play what waits. */
void service_finish_run(service *s);
/* Stop: what waits is dropped, what plays fades out. */
void service_stop_all(service *s);
/* Quit, SIGTERM, SIGINT: as Stop, and the loop ends once nothing plays. */
void service_begin_quit(service *s);
/* "breathe:NAME", a new string; NULL when out of memory. */
char *breathe_uri(const char *name);

/* ---- controls.c ---- */

/* "Playing", "Paused" or "Stopped", always the same three pointers:
 * `status` is compared with it by address. */
const char *service_playback_status(const service *s);
/* A session plays and has not been asked to stop or come to its end. */
bool service_controllable(const service *s);
/* Tells the web remote, and on the bus PlaybackStatus and what follows
 * from it when it changed (with Metadata and ActivePlaylist too when
 * `metadata`: another session plays). */
void service_announce_status(service *s, bool metadata);
void service_set_paused(service *s, bool paused);
void service_next_step(service *s);
/* Volume (0 to 1, clamped) from MPRIS or the web remote, said to both. */
void service_change_volume(service *s, double volume);

/* ---- the interfaces' tables, served by serve.c's connect_bus ---- */

extern const sd_bus_vtable mpris_root_vtable[];      /* mpris.c */
extern const sd_bus_vtable mpris_player_vtable[];    /* mpris.c */
extern const sd_bus_vtable mpris_playlists_vtable[]; /* playlists.c */
extern const sd_bus_vtable breathe_player_vtable[];  /* breathe_player.c */

/* ---- breathe_player.c: its signals, as the run thread's events come ---- */

void breathe_player_step_changed(service *s, const play_snapshot *now);
void breathe_player_phase_changed(service *s, const play_snapshot *now);

/* ---- web_controls.c ---- */

/* The web remote's controls, `s` their context. */
web_controls service_web_controls(service *s);

#endif
