/* synth.h: the sound generators.
 *
 * One-shot sounds (a cue file, a bell, a bowl, a tick) are voices: each is
 * started at a frame with a gain and renders itself until it has finished,
 * every onset and ending ramped. A voice can also start part way through
 * (`elapsed` frames after its strike), which is how playback that begins in
 * the middle of a session picks up sounds that are still ringing.
 *
 * Continuous sounds (the tone pacer, breath-like noise, background noise)
 * are driven by control values at block edges and interpolate between them,
 * so nothing they do jumps.
 *
 * All state lives in the structs; rendering never allocates. Call
 * synth_init() once before rendering (it fills the sine table). */
#ifndef BREATHE_SYNTH_H
#define BREATHE_SYNTH_H

#include <stdbool.h>
#include <stdint.h>

#include "format/clip.h"
#include "format/session.h"
#include "render/stream.h"

void synth_init(void);

/* A sine of phase (in turns, any value) from the shared table. */
float synth_sine(double phase);

/* dB to linear gain. */
double synth_db_to_gain(double db);

enum { SYNTH_MAX_PARTIALS = 10 };

typedef struct synth_voice synth_voice;

/* What every one-shot voice kind provides. */
typedef struct {
    const char *name;
    /* Adds `frames` stereo frames into out, advancing the voice. */
    void (*render)(synth_voice *voice, float *out, int frames);
} synth_voice_kind;

struct synth_voice {
    const synth_voice_kind *kind;
    int64_t elapsed;     /* frames already played */
    int64_t length;      /* frames it lasts */
    float gain;
    bool ducks;          /* spoken: the background ducks under it */
    const audio_clip *clip;
    stream_slot *stream; /* a streamed clip's frames; the owner releases it */
    int partial_count;
    /* Each partial is a damped resonator: its next sample is
     * feedback * sample - damping * previous. */
    double sample[SYNTH_MAX_PARTIALS], previous[SYNTH_MAX_PARTIALS];
    double feedback[SYNTH_MAX_PARTIALS], damping[SYNTH_MAX_PARTIALS];
    int64_t silent_after[SYNTH_MAX_PARTIALS];  /* frame from the strike it has died away */
    int64_t attack, release;              /* ramp lengths in frames */
};

void synth_voice_clip(synth_voice *v, const audio_clip *clip, double gain, int64_t elapsed);
/* A streamed clip whose frames come from `stream`, already positioned at
 * `elapsed`; a NULL stream (no free slot) plays silence for the clip's length. */
void synth_voice_stream(synth_voice *v, const audio_clip *clip, stream_slot *stream,
                        double gain, int64_t elapsed);
/* A bell with inharmonic partials that decays naturally over `ring` frames. */
void synth_voice_bell(synth_voice *v, double hz, double gain, int64_t ring, int rate,
                      int64_t elapsed);
/* A struck singing bowl: fewer, longer partials with a slow beat. */
void synth_voice_bowl(synth_voice *v, double hz, double gain, int64_t ring, int rate,
                      int64_t elapsed);
/* A soft, short wooden tick. */
void synth_voice_tick(synth_voice *v, double gain, int64_t length, int rate, int64_t elapsed);

/* Renders `frames` frames; returns false once the voice has finished. */
bool synth_voice_render(synth_voice *v, float *out, int frames);

/* The state of a deterministic noise source (xorshift), seeded so that no
 * seed gives the stuck all-zero state. The generators draw from it. */
typedef struct { uint64_t state; } synth_random;
void synth_random_seed(synth_random *r, uint64_t seed);

/* Coloured noise, normalised so that gain 1 gives an RMS of -6 dBFS, as a
 * pair of independent channels (left and right) computed side by side:
 * each xorshift draw gives two frames of white for each channel, and the
 * filters run on vectors of two frames of both channels, (L, R, L, R). */
enum { SYNTH_NOISE_STAGES = 3 };
typedef enum { SYNTH_NOISE_WHITE, SYNTH_NOISE_PINK, SYNTH_NOISE_BROWN } synth_noise_color;
typedef struct {
    synth_noise_color color;
    uint64_t random[2];                 /* one stream a channel */
    int stages;                         /* one-pole filters: pink 3, brown 1, white 0 */
    /* Per stage, four lanes each (two frames of L and R): the last output
     * pair, and the coefficients that advance a stage by two frames at
     * once. White arrives as 24-bit integer values; the scale to the
     * target level is folded into the coefficients. */
    float state[SYNTH_NOISE_STAGES][4];
    float pole2[SYNTH_NOISE_STAGES][4];   /* (p, p, p^2, p^2) */
    float feed[SYNTH_NOISE_STAGES][4];    /* (f, f, f, f) */
    float cross[SYNTH_NOISE_STAGES][4];   /* (0, 0, p f, p f): the first frame into the second */
    float direct[4];                      /* white straight to the output */
    float spare[2];  /* a frame computed but not yet handed out */
    bool has_spare;
} synth_noise;

void synth_noise_init(synth_noise *n, synth_noise_color color, uint64_t seed, int rate);
/* Writes `frames` interleaved stereo frames. */
void synth_noise_render_stereo(synth_noise *n, float *out, int frames);
/* Writes `frames` samples of the left channel only, `stride` floats apart. */
void synth_noise_render(synth_noise *n, float *out, int frames, int stride);

/* The tone pacer: a soft tone (fundamental, a little second and third
 * harmonic) added to both channels, gliding from hz_from to hz_to and
 * gain_from to gain_to across the block. Its phase is a fraction of a turn
 * in 64 bits (2^64 is one turn), so it wraps exactly. */
typedef struct { uint64_t phase; } synth_tone;
void synth_tone_render(synth_tone *t, float *out, int frames, int rate, double hz_from,
                       double hz_to, float gain_from, float gain_to);

/* The noise pacer: white noise through a low-pass whose corner follows
 * `brightness` (0 dark .. 1 bright), added to both channels. The filter
 * for a brightness comes from a table made once for the rate, so a block
 * costs no libm call. */
enum { SYNTH_BREATH_STEPS = 64 };
typedef struct {
    uint64_t random[2];          /* two streams, drawn side by side */
    float low[2];
    int table_rate;              /* the rate the table was made for; 0: none yet */
    float coefficient[SYNTH_BREATH_STEPS + 1], makeup[SYNTH_BREATH_STEPS + 1];
} synth_breath_noise;
void synth_breath_noise_init(synth_breath_noise *b, uint64_t seed);
void synth_breath_noise_render(synth_breath_noise *b, float *out, int frames, int rate,
                               float brightness_from, float brightness_to, float gain_from,
                               float gain_to);

#endif
