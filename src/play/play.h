/* play.h: the playback library, what every front end drives.
 *
 * A player is one session opened by name or path, ready to play live or to
 * render to a file, exactly as `breathe SESSION` and `breathe -o FILE
 * SESSION` do: the same device choice, volume, latency and --start/--length,
 * the same handling of a lost device, the same history line. The command
 * line's terminal front end, a D-Bus service and a web page are front ends
 * over it; none of them touches the render core directly.
 *
 * Threads. player_run() blocks on the calling thread (the "run thread")
 * until the session ends, is stopped or fails. About twenty times a second
 * (ten for a render) it calls the front end's tick on that thread, where the
 * front end may read keys, redraw, or call any control. Events (a step or
 * breath phase begins, the device is lost or back, the end) are delivered on
 * the run thread too, in order, each with a snapshot of that moment.
 * The controls (pause, resume, seek, next, previous, stop, volume) may be
 * called from any thread at any time, player_request_stop() and
 * player_toggle_pause() from a signal handler too: they only set atomics
 * that the run thread and the audio callback pick up. player_snapshot() may
 * be called from any thread at any time and never waits for the audio.
 *
 * The library never prints, never touches the terminal and never installs
 * signal handlers: problems go to the report sink given to player_open(),
 * everything else is in snapshots and events. The audio callback is the
 * transport's (render/transport.h): it never allocates, locks or waits; a
 * seek or a skip builds its engine on the run thread and hands it over. */
#ifndef BREATHE_PLAY_PLAY_H
#define BREATHE_PLAY_PLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/clock.h"
#include "base/report.h"
#include "hr/monitor.h"
#include "out/out.h"
#include "render/timeline.h"
#include "user/userconfig.h"

/* How long live playback waits for a lost audio device to come back, and
 * the most that BREATHE_DEVICE_RETRY_SECONDS may ask for. */
enum { PLAY_DEVICE_RETRY_SECONDS = 30, PLAY_DEVICE_RETRY_MAX_SECONDS = CLOCK_SECONDS_PER_DAY };

/* An announcement (play_options.announcement) is a step of its own, shown
 * with this label, and leaves this much quiet before the session begins. */
#define PLAY_ANNOUNCEMENT_LABEL "Before you begin"
#define PLAY_ANNOUNCEMENT_GAP_SECONDS 2.0

/* The environment's device retry (BREATHE_DEVICE_RETRY_SECONDS, a whole
 * number of seconds up to a day), else PLAY_DEVICE_RETRY_SECONDS. */
int play_device_retry_seconds(void);

typedef struct {
    const char *output;      /* render to this file; NULL: play live */
    out_format format;       /* how the file is written (out/out.h); zero: by its name */
    const char *device;      /* live: a name, part of one, or an index; NULL: default */
    double volume_db;        /* added to the session's own volume */
    double latency_seconds;  /* live output buffer; 0: the backend's default */
    double start_seconds;    /* where to begin (--start) */
    double length_seconds;   /* how much to play or render (--length); 0: to the end */
    int device_retry_seconds;      /* live: how long to wait for a lost device */
    const char *history_name;      /* live: the session's name in the history line;
                                      NULL: no history line */
    const char *heart_rate;  /* live: a heart-rate source followed while it plays
                                (--hr: a file or pipe of RR intervals, or a
                                strap's name or address; hr/monitor.h), its
                                recording written beside the history; NULL:
                                none, and the session plays exactly as without */
    bool heart_rate_optional;      /* the source comes from the defaults file:
                                      when it cannot be reached (no Bluetooth,
                                      no BlueZ) the session plays without it,
                                      with a warning, rather than not at all */
    const char *announcement;  /* live from the start: an audio file ("voice/NAME.ogg",
                                  in the audio folders) said before the session,
                                  as a first step of its own (library_announce):
                                  the programme's word that today's session is
                                  due; NULL: none. Never in a render */
    const out_backend *backend;  /* NULL: out_backend_for(output), the file or
                                    the device; a test may bring its own (it
                                    then counts as live when output is NULL) */
} play_options;

/* Reads the user's defaults file (user/userconfig.h: $XDG_CONFIG_HOME/breathe/config,
 * else ~/.config/breathe/config) as playing and rendering do. Returns 0; 1
 * or 2 (reported) as userconfig_load. userconfig_free() it either way. */
int play_defaults_load(userconfig *defaults, const report_sink *to);

/* The options `breathe NAME` plays NAME live with when the command line
 * gives none: the defaults' device, volume, latency and heart-rate source,
 * the environment's device retry, and NAME in the history unless the
 * defaults say history = false. The strings are the defaults' and NAME
 * itself. */
play_options play_live_options(const userconfig *defaults, const char *name);

typedef struct player player;

/* Finds and loads the session (play/library.h), decodes its audio and
 * prepares the render from options->start_seconds. Nothing is opened yet.
 * Returns 0; 1 when the system failed (out of memory); 2 when the session
 * or an option is wrong for it (an unknown name, a broken session, --start
 * past its end, a forever session rendered without a length). Messages go
 * to `to`, which must outlive the player. */
int player_open(player **out, const char *name, const play_options *options,
                const report_sink *to);
void player_free(player *p);

const session *player_session(const player *p);
const timeline *player_timeline(const player *p);

/* ---- following it ---- */

typedef enum { PLAY_IDLE, PLAY_PLAYING, PLAY_PAUSED, PLAY_ENDED } play_state;

/* Where playback is: a copy, consistent in itself. Positions are frames at
 * the session's rate from the start of the session; "heard" lags what has
 * been handed to the device by the output's latency. */
typedef struct {
    play_state state;
    const char *title;         /* the session's (valid while the player is) */
    int rate;
    int64_t position;          /* rendered: handed to the output */
    int64_t heard;             /* about what the listener hears now */
    int64_t start, end;        /* the part played: [start, end); end TIMELINE_FOREVER */
    int64_t length;            /* the whole session (TIMELINE_FOREVER when it repeats) */
    int64_t step_ordinal;      /* spans before the current one; -1 past the end */
    const session_step *step;  /* the current step, or NULL */
    int64_t step_start, step_end;
    bool breathing;            /* in a breathe step's timed part: the fields below hold */
    breath_kind phase;
    int64_t phase_start, phase_end;
    double phase_seconds_left;
    double fullness;           /* lungs from 0 (empty) to 1 (full) */
    int phase_index;           /* the phase's entry in the pattern: 0 begins a breath */
    double breaths_per_minute; /* the pattern's rate */
    double volume_db;          /* the live volume target (as --volume) */
    bool paused;               /* asked to pause (the fade may still be running) */
    bool silent;               /* paused, and the fade-out has finished */
    int64_t dropouts;          /* frames of streamed audio that came late, as silence */
    int64_t dropped_sounds;    /* sounds left out: too many at once */
    bool heart_rate_on;        /* a heart-rate source is followed: heart holds */
    hr_state heart;            /* its heart rate, last breath's swing, counts */
    const char *heart_rate_recording;  /* its recording; NULL: none (valid while
                                          the player is) */
} play_snapshot;

void player_snapshot(player *p, play_snapshot *out);

typedef enum {
    PLAY_FINISHED,   /* the session (or --length) ran to its end */
    PLAY_STOPPED,    /* stopped by player_request_stop() or a tick */
    PLAY_FAILED,     /* the output failed (messages reported); see player_reached */
} play_outcome;

typedef enum {
    PLAY_EVENT_STARTED,       /* the output is open: sound follows */
    PLAY_EVENT_STEP,          /* a step begins (also the first one) */
    PLAY_EVENT_PHASE,         /* a breath phase begins */
    PLAY_EVENT_PAUSED,        /* pause or resume was asked for */
    PLAY_EVENT_VOLUME,        /* the volume target changed */
    PLAY_EVENT_SEEKED,        /* a seek, next or previous took the position elsewhere */
    PLAY_EVENT_DEVICE_LOST,   /* live output failed; retrying for retry_seconds */
    PLAY_EVENT_DEVICE_BACK,   /* it opened again; playing on from `at` */
    PLAY_EVENT_ENDED,         /* the end, however it came */
} play_event_kind;

typedef struct {
    play_event_kind kind;
    const play_snapshot *snapshot;
    int64_t at;               /* DEVICE_LOST, DEVICE_BACK: the frame last heard;
                                 ENDED: player_reached() */
    int retry_seconds;        /* DEVICE_LOST */
    play_outcome outcome;     /* ENDED: how, as far as the sound goes (closing a
                                 render may still fail: player_run() has the last word) */
} play_event;

typedef struct {
    /* On the run thread, about every 50 ms. Returning false stops a render
     * at once (the file is discarded) and a live session with a fade. */
    bool (*tick)(void *context, player *p);
    void (*event)(void *context, player *p, const play_event *event);
    void *context;
} play_front_end;

/* ---- playing ---- */

/* Opens the output (the device, or a temporary file beside options->output),
 * plays or renders until the end, then closes it: a render is kept only when
 * it finished and every file it read was read whole. Writes the history line
 * of a live session. Returns 0 with *outcome set, or 1 when the output could
 * not be opened (reported; *outcome is PLAY_FAILED). May be called once. */
int player_run(player *p, const play_front_end *front_end, play_outcome *outcome);

/* The steps of a render, each from where it begins to where it ends in the
 * file (frames from the file's start) with its label or what it is (a
 * bell, a timer): what a WAV file's cue points and an Audacity label track
 * (--labels) show. Set up by player_open(); none when playing live. */
size_t player_markers(const player *p, const out_marker **markers);

/* Where playback had got to when it ended: for a lost device, what was
 * last heard, so that --start resumes there. */
int64_t player_reached(const player *p);

/* ---- controls, from any thread ---- */

void player_request_stop(player *p);       /* also from a signal handler */
void player_toggle_pause(player *p);       /* also from a signal handler */
void player_set_paused(player *p, bool paused);
/* Sets the live volume target (clamped as transport_set_volume); returns it.
 * A render keeps the volume it was opened with. */
double player_set_volume(player *p, double volume_db);
double player_volume(const player *p);
/* Jumps to a frame of the session (as --start would begin there), the start
 * of the next step, or back to the start of the step playing. Each is done
 * by the run thread within a tick, with a short fade; a request made while
 * another is under way replaces it. Frames past the end end the session. */
void player_seek(player *p, int64_t frame);
void player_next_step(player *p);
void player_previous_step(player *p);

#endif
