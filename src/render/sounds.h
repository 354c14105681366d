/* sounds.h: how each pacer and background sound sounds.
 *
 * Each sound family has a file of its own under render/sounds/ (tone, bowl,
 * breath noise; noise, loop; none), with one record per sound, listed in
 * pacer_players[] and background_players[] (render/sounds.c). The engine
 * and the timeline walk these tables; neither names a sound. How a session
 * file writes a sound is the format layer's record of it
 * (format/sound_kinds.h); each layer keeps its own table, indexed by the
 * sound's enum value and checked at compile time to have an entry for
 * every value.
 *
 * Like the rest of the render core, the render functions run in the audio
 * callback: they do not allocate, lock or wait. */
#ifndef BREATHE_SOUNDS_H
#define BREATHE_SOUNDS_H

#include <stdint.h>

#include "render/stream.h"
#include "render/synth.h"
#include "render/timeline.h"

/* ---- the pacer ---- */

/* The pacer's generators, one of each, kept by the engine for the whole
 * session so each keeps its phase and state across steps. */
typedef struct {
    synth_tone tone;
    synth_breath_noise breath_noise;
} pacer_synths;

/* The pacer at one frame: pitch, gain and the lungs' fullness (0..1). */
typedef struct {
    double hz, gain, fullness;
} pacer_control;

typedef struct {
    pacer_sound sound;    /* its own index in pacer_players[] */
    /* A sound that follows the breath all through it: adds `frames` frames
     * to out, gliding from control a to control b. NULL when it has none. */
    void (*render)(pacer_synths *synths, float *out, int frames, int rate,
                   const pacer_control *a, const pacer_control *b);
    /* Its gain at a fullness, as a factor of the level; NULL: 1. */
    double (*gain)(double fullness);
    /* A strike at the start of each breath phase, as a timeline event:
     * fills the event's kind, pitch and level (start and ring are set).
     * NULL when it strikes nothing. */
    void (*strike)(const pacer_settings *pacer, const timeline_breath *breath,
                   timeline_event *event);
    double ring_seconds;  /* how long a strike sounds */
} pacer_player;

extern const pacer_player pacer_player_tone, pacer_player_bowl, pacer_player_noise,
    pacer_player_none;

/* Indexed by pacer_sound. */
extern const pacer_player *const pacer_players[PACER_SOUND_COUNT];

/* ---- the background ---- */

/* What the background sounds need, kept by the engine. */
typedef struct {
    int rate;
    int64_t start;             /* the first frame the engine renders */
    stream_pool *streams;      /* for a streamed file; NULL when none is */
    synth_noise noise;         /* a noise background */
    float *loop;               /* a file background, crossfaded into a seamless loop */
    int64_t loop_frames;
    int64_t loop_in_memory;    /* frames of the loop held in `loop`; the rest is streamed */
    stream_slot *loop_stream;
} background_bed;

typedef struct {
    background_kind kind;      /* its own index in background_players[] */
    /* Prepares the bed for `bg` (rate, start and streams are set); seed
     * makes noise the same for the same start. 0, or -1 when out of memory
     * or a file cannot be read; stop is called either way. NULL: nothing
     * to prepare. */
    int (*start)(background_bed *bed, const background_settings *bg, uint64_t seed);
    /* Writes `frames` stereo frames of the bed, from absolute frame `from`.
     * NULL: there is no background (nothing sounds and nothing ducks). */
    void (*render)(background_bed *bed, float *out, int64_t from, int frames);
    /* Gives back what start took; NULL: nothing. */
    void (*stop)(background_bed *bed);
} background_player;

extern const background_player background_player_none, background_player_white,
    background_player_pink, background_player_brown, background_player_file;

/* Indexed by background_kind. */
extern const background_player *const background_players[BACKGROUND_KIND_COUNT];

#endif
