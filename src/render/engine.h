/* engine.h: the render core.
 *
 * An engine renders a timeline to interleaved stereo float. Its output is a
 * pure function of the session and the position: the same frames come out
 * whatever block sizes the caller asks for, live or to a file, every time.
 * Internally it works in short blocks aligned to absolute frame numbers and
 * keeps their results, so the caller's block size never reaches the sound.
 *
 * engine_create() allocates everything the render needs; engine_render()
 * then never allocates, locks, does I/O or reads a clock, so it may run in
 * an audio callback. Long cue and background files are streamed (stream.h):
 * offline the render decodes them as it goes, live a reader thread does, and
 * the render plays silence for frames that are late rather than wait.
 * engine_free() gives back the stream slots the engine holds. */
#ifndef BREATHE_ENGINE_H
#define BREATHE_ENGINE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "render/stream.h"
#include "render/timeline.h"

typedef struct engine engine;

typedef struct {
    double volume_db;   /* added to the session's volume */
    int64_t start;      /* first frame to render */
    int64_t length;     /* frames to render from start; TIMELINE_FOREVER: to the end */
    stream_pool *streams;  /* where streamed files are read (stream.h), shared by the
                              engines of one playback; NULL: the engine makes its own,
                              offline, when the session streams any file */
    atomic_int_least64_t *dropped_sounds;  /* counts sounds left out because too many
                                              sounded at once; shared by the engines of
                                              one playback; NULL: the engine's own */
} engine_options;

/* True when the session has files that are streamed rather than held in
 * memory, so live playback needs a stream pool with its reader thread. */
bool engine_needs_streams(const timeline *t);

engine *engine_create(const timeline *t, const engine_options *options);
void engine_free(engine *e);

/* Writes up to `frames` stereo frames; returns how many (fewer at the end). */
size_t engine_render(engine *e, float *out, size_t frames);

/* Changes the master gain (same meaning as engine_options.volume_db) from
 * the next mixed block on, ahead of the limiter, so a louder setting still
 * never clips. Live playback only: a render to a file never calls it. Does
 * not allocate, so it may run in an audio callback. */
void engine_set_volume(engine *e, double volume_db);

/* Sounds left out so far because more than ENGINE_MAX_VOICES sounded at
 * once (or too many started within a moment): a property of the session,
 * the same live and offline. Safe to read from another thread. */
#define ENGINE_MAX_VOICES 96
int64_t engine_dropped_sounds(const engine *e);

/* Absolute frame of the next sample engine_render() will write. */
int64_t engine_position(const engine *e);
/* One past the last frame this engine renders (TIMELINE_FOREVER if none). */
int64_t engine_end(const engine *e);
/* The pool the engine reads streamed files from (its own or the one it was
 * given), or NULL when the session streams none. */
stream_pool *engine_streams(const engine *e);

#endif
