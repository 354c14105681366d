/* transport.h: what live playback adds around the engine.
 *
 * The controls of a live session: stop, pause, volume and skip. Each can be
 * asked for from any thread (stop and pause from a signal handler too)
 * through atomics; transport_render(), which runs in the audio callback,
 * picks them up between short chunks and never allocates, locks or waits.
 * Every change is a fade, never a cut:
 *  - stop fades out over TRANSPORT_STOP_FADE_SECONDS, then the source ends;
 *  - pause fades out over TRANSPORT_PAUSE_FADE_SECONDS, then plays silence
 *    without moving on; resume fades back in from the frame it stopped at;
 *  - volume moves at TRANSPORT_VOLUME_DB_PER_SECOND towards its target, ahead
 *    of the engine's limiter (engine_set_volume), so it never clips;
 *  - skip fades out over TRANSPORT_SKIP_FADE_SECONDS, then switches to an
 *    engine prepared on another thread (engine_create() allocates) at the
 *    next step; that engine starts with the same short fade-in as --start, so
 *    what follows is exactly the render of the session from that step.
 * The position is published for the status display.
 *
 * After transport_init() the transport owns its engine and every engine
 * handed to transport_skip(); transport_free_engines() frees them. */
#ifndef BREATHE_TRANSPORT_H
#define BREATHE_TRANSPORT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "render/engine.h"

#define TRANSPORT_STOP_FADE_SECONDS 0.3
#define TRANSPORT_PAUSE_FADE_SECONDS 0.2
#define TRANSPORT_SKIP_FADE_SECONDS 0.1
#define TRANSPORT_VOLUME_DB_PER_SECOND 20.0
#define TRANSPORT_VOLUME_MIN_DB -40.0
#define TRANSPORT_VOLUME_MAX_DB 20.0

typedef struct {
    engine *engine;               /* playing; the callback's own once it runs */
    /* Shared with other threads. */
    _Atomic(engine *) next;       /* handed over by transport_skip(), not yet playing */
    _Atomic(engine *) retired;    /* replaced by a skip, for transport_collect() */
    atomic_bool stop_requested;
    atomic_bool stopped_early;    /* the source ended because of a stop */
    atomic_int pause_requested;   /* 1: paused; flipped with atomic xor */
    atomic_bool paused;           /* the fade-out of a pause has finished */
    atomic_int_least64_t position;
    atomic_int volume_centi_db;   /* target volume, in hundredths of a dB */
    atomic_int skips;             /* skips completed, for tests and the display */

    /* The callback's own. */
    int rate;
    double level;                 /* 0 (faded out) to 1 (full), the fade's progress */
    double volume_db;             /* volume now, moving towards the target */
} transport;

/* volume_db is the engine's volume (engine_options.volume_db). */
void transport_init(transport *t, engine *e, int rate, double volume_db);
/* Frees the playing engine and any handed over or retired one. Only once
 * the source is no longer being rendered. */
void transport_free_engines(transport *t);

/* Safe to call from a signal handler. */
void transport_request_stop(transport *t);
/* Flips between playing and paused; safe to call from a signal handler. */
void transport_toggle_pause(transport *t);
bool transport_pause_requested(const transport *t);
/* Sets the volume target, clamped to [MIN_DB, MAX_DB] widened to take in
 * the current target: a target outside that range (from --volume) can move
 * towards it but never further out. Returns the new target. */
double transport_set_volume(transport *t, double volume_db);
double transport_volume(const transport *t);
/* Hands over an engine to switch to after a short fade. Returns false (and
 * keeps nothing) while an earlier skip is still under way: call
 * transport_collect() and try again later. */
bool transport_skip(transport *t, engine *next);
/* Frees an engine a skip has replaced, if any. Not from the callback. */
void transport_collect(transport *t);
/* Where to skip to from `position`: the start of the next step, or the end
 * of the render `end` when there is no next step. */
int64_t transport_next_step(const timeline *tl, int64_t position, int64_t end);

/* After the output was lost and opened again: what follows fades in from
 * silence. Only while transport_render() is not running. */
void transport_fade_in(transport *t);

/* An out_source render function; context is the transport. */
size_t transport_render(void *context, float *out, size_t frames);

#endif
