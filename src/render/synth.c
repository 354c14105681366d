/* synth.c: generators. See synth.h. */
#include "render/synth.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "base/random.h"
#include "base/vector.h"

enum { SINE_TABLE_SIZE = 4096, TABLE_BITS = 12 };
static float sine_table[SINE_TABLE_SIZE + 1];
/* The tone's whole waveform (fundamental, second and third harmonic),
 * normalised to a peak of 1: one lookup a frame instead of three. */
static float tone_table[SINE_TABLE_SIZE + 1];
/* Entry i's value and its slope to the next, tone_table[i + 1] - tone_table[i]
 * in float as a lookup would compute it, side by side: one load a frame. */
static float tone_points[SINE_TABLE_SIZE][2];
static bool sine_ready;

#define TONE_SECOND 0.12
#define TONE_THIRD 0.04

static double tone_wave(double x)
{
    return sin(x) + TONE_SECOND * sin(2 * x) + TONE_THIRD * sin(3 * x);
}

void synth_init(void)
{
    if (sine_ready)
        return;
    /* The tone's peak: the highest point of the table's grid, refined
     * between its neighbours by ternary search (the curve is smooth there). */
    static double wave[SINE_TABLE_SIZE + 1];
    int best = 0;
    for (int i = 0; i <= SINE_TABLE_SIZE; i++) {
        double x = 2.0 * M_PI * i / SINE_TABLE_SIZE;
        sine_table[i] = (float)sin(x);
        wave[i] = tone_wave(x);
        if (fabs(wave[i]) > fabs(wave[best]))
            best = i;
    }
    double low = 2.0 * M_PI * (best - 1) / SINE_TABLE_SIZE;
    double high = 2.0 * M_PI * (best + 1) / SINE_TABLE_SIZE;
    for (int step = 0; step < 60; step++) {
        double a = low + (high - low) / 3.0, b = high - (high - low) / 3.0;
        if (fabs(tone_wave(a)) < fabs(tone_wave(b)))
            low = a;
        else
            high = b;
    }
    double tone_peak = fabs(tone_wave(0.5 * (low + high)));
    for (int i = 0; i <= SINE_TABLE_SIZE; i++)
        tone_table[i] = (float)(wave[i] / tone_peak);
    for (int i = 0; i < SINE_TABLE_SIZE; i++)
    {
        tone_points[i][0] = tone_table[i];
        tone_points[i][1] = tone_table[i + 1] - tone_table[i];
    }
    sine_ready = true;
}

float synth_sine(double phase)
{
    /* floor() by truncation: a libm call per sample costs more than the lookup. */
    double whole = (double)(int64_t)phase;
    if (whole > phase)
        whole -= 1.0;
    double position = (phase - whole) * SINE_TABLE_SIZE;
    int index = (int)position;
    if (index >= SINE_TABLE_SIZE)
        index = SINE_TABLE_SIZE - 1;
    float fraction = (float)(position - index);
    return sine_table[index] + (sine_table[index + 1] - sine_table[index]) * fraction;
}

/* A phase held as a fraction of a turn in 64 bits wraps by itself; its top
 * bits index the table and the next 31 interpolate. */
#define TURN 18446744073709551616.0   /* 2^64: one turn */

static uint64_t turns_to_fixed(double turns)
{
    turns -= floor(turns);
    double fixed = turns * TURN;
    return fixed >= TURN ? 0 : (uint64_t)fixed;
}

static inline float table_lookup(const float *table, uint64_t phase)
{
    uint32_t index = (uint32_t)(phase >> (64 - TABLE_BITS));
    /* The 31 bits below the index, as a signed int: the cheapest conversion. */
    int32_t below = (int32_t)((phase >> (33 - TABLE_BITS)) & 0x7fffffff);
    float fraction = (float)below * (1.0f / 2147483648.0f);
    return table[index] + (table[index + 1] - table[index]) * fraction;
}

double synth_db_to_gain(double db)
{
    return pow(10.0, db / 20.0);
}

/* ---- one-shot voices ---- */

VECTOR_CLONES static void render_clip(synth_voice *v, float *out, int frames)
{
    const float *in = v->clip->samples + 2 * v->elapsed;
    float gain = v->gain;
    for (int i = 0; i < 2 * frames; i++)
        out[i] += gain * in[i];
}

/* Gain of the attack and release ramps at frame `at` of the voice. */
static float envelope(const synth_voice *v, int64_t at)
{
    float e = 1.0f;
    if (at < v->attack)
        e = (float)at / (float)v->attack;
    int64_t left = v->length - at;
    if (left < v->release) {
        double u = (double)left / (double)v->release;
        e *= 0.5f - 0.5f * synth_sine(0.25 + 0.5 * u);   /* cos(pi u), from the table */
    }
    return e;
}

enum { PARTIAL_CHUNK = 64 };

/* Two partials side by side: the compiler's vector extension, which every
 * target supports (as one vector register or as two scalars). */
typedef double partial_pair __attribute__((vector_size(2 * sizeof(double))));

/* The state and coefficients of partials p and p + 1. */
typedef struct {
    partial_pair sample, previous, feedback, damping;
} resonators;

static inline resonators resonators_load(const synth_voice *v, int p)
{
    resonators r;
    memcpy(&r.sample, &v->sample[p], sizeof r.sample);
    memcpy(&r.previous, &v->previous[p], sizeof r.previous);
    memcpy(&r.feedback, &v->feedback[p], sizeof r.feedback);
    memcpy(&r.damping, &v->damping[p], sizeof r.damping);
    return r;
}

static inline void resonators_store(synth_voice *v, int p, const resonators *r)
{
    memcpy(&v->sample[p], &r->sample, sizeof r->sample);
    memcpy(&v->previous[p], &r->previous, sizeof r->previous);
}

/* Returns this frame's samples and moves the pair on by a frame. */
static inline partial_pair resonate(resonators *r)
{
    partial_pair now = r->sample;
    partial_pair next = r->feedback * r->sample - r->damping * r->previous;
    r->previous = r->sample;
    r->sample = next;
    return now;
}

/* Partials p and p + 1 added into mono for n frames. */
static inline __attribute__((always_inline)) void resonate_pair(synth_voice *v, int p, partial_pair *mono, int n)
{
    resonators a = resonators_load(v, p);
    for (int i = 0; i < n; i++)
        mono[i] += resonate(&a);
    resonators_store(v, p, &a);
}

/* Partials p to p + 3 in one pass over mono: half the loads and stores of
 * two passes, and the same sums in the same order. */
static inline __attribute__((always_inline)) void resonate_two_pairs(synth_voice *v, int p, partial_pair *mono, int n)
{
    resonators a = resonators_load(v, p), b = resonators_load(v, p + 2);
    for (int i = 0; i < n; i++) {
        partial_pair first = resonate(&a);
        mono[i] = mono[i] + first + resonate(&b);
    }
    resonators_store(v, p, &a);
    resonators_store(v, p + 2, &b);
}

/* Each partial is a damped resonator, a decaying sine that computes itself:
 * next = feedback * sample - damping * previous. Two multiplications a
 * frame, no table and no libm; double precision keeps it exact over the
 * longest ring. Partials go two at a time (an odd count leaves a silent
 * one at the end, whose state stays zero). */
VECTOR_CLONES static void render_partials(synth_voice *v, float *out, int frames)
{
    partial_pair mono[PARTIAL_CHUNK];
    for (int done = 0; done < frames; done += PARTIAL_CHUNK) {
        int n = frames - done < PARTIAL_CHUNK ? frames - done : PARTIAL_CHUNK;
        memset(mono, 0, sizeof mono);
        /* A partial that has died away below hearing is dropped: the last
         * one takes its place. When is known from the strike alone, so a
         * voice resumed part way drops the same partials at the same frames. */
        for (int p = 0; p < v->partial_count;) {
            if (v->elapsed + done < v->silent_after[p]) {
                p++;
                continue;
            }
            int last = --v->partial_count;
            v->sample[p] = v->sample[last];
            v->previous[p] = v->previous[last];
            v->feedback[p] = v->feedback[last];
            v->damping[p] = v->damping[last];
            v->silent_after[p] = v->silent_after[last];
            v->sample[last] = v->previous[last] = 0.0;
        }
        int p = 0;
        for (; p + 2 < v->partial_count; p += 4)
            resonate_two_pairs(v, p, mono, n);
        if (p < v->partial_count)
            resonate_pair(v, p, mono, n);
        int64_t first = v->elapsed + done;
        float gain = v->gain;
        float *o = out + 2 * done;
        bool ramped = first < v->attack || v->length - (first + n) < v->release;
        for (int i = 0; i < n; i++) {
            float s = (float)(mono[i][0] + mono[i][1]) * gain;
            if (ramped)
                s *= envelope(v, first + i);
            o[2 * i] += s;
            o[2 * i + 1] += s;
        }
    }
}

VECTOR_CLONES static void render_stream(synth_voice *v, float *out, int frames)
{
    enum { PIECE = 64 };
    float piece[2 * PIECE];
    if (v->stream == NULL)
        return;
    float gain = v->gain;
    for (int done = 0; done < frames; done += PIECE) {
        int n = frames - done < PIECE ? frames - done : PIECE;
        stream_read(v->stream, piece, n);
        for (int i = 0; i < 2 * n; i++)
            out[2 * done + i] += gain * piece[i];
    }
}

static const synth_voice_kind clip_kind = { "clip", render_clip };
static const synth_voice_kind stream_kind = { "stream", render_stream };
static const synth_voice_kind partials_kind = { "partials", render_partials };

void synth_voice_clip(synth_voice *v, const audio_clip *clip, double gain, int64_t elapsed)
{
    memset(v, 0, sizeof *v);
    v->kind = &clip_kind;
    v->clip = clip;
    v->length = clip->frames;
    v->elapsed = elapsed < 0 ? 0 : elapsed;
    v->gain = (float)gain;
}

void synth_voice_stream(synth_voice *v, const audio_clip *clip, stream_slot *stream,
                        double gain, int64_t elapsed)
{
    synth_voice_clip(v, clip, gain, elapsed);
    v->kind = &stream_kind;
    v->stream = stream;
}

#define PARTIAL_SILENT 1e-5   /* -100 dB */

typedef struct {
    double ratio;      /* of the fundamental */
    double amplitude;
    double decay;      /* time constant as a share of the ring */
} partial_spec;

static void start_partials(synth_voice *v, const partial_spec *specs, int count, double hz,
                           double gain, int64_t length, double attack_seconds, int rate,
                           int64_t elapsed)
{
    memset(v, 0, sizeof *v);
    v->kind = &partials_kind;
    v->length = length > 0 ? length : 1;
    v->elapsed = elapsed < 0 ? 0 : elapsed;
    v->gain = (float)gain;
    v->attack = (int64_t)(attack_seconds * rate) + 1;
    v->release = v->length / 7 + 1;
    if (v->attack > v->length / 2)
        v->attack = v->length / 2 + 1;
    double total = 0.0;
    for (int i = 0; i < count; i++)
        total += specs[i].amplitude;
    for (int i = 0; i < count && v->partial_count < SYNTH_MAX_PARTIALS; i++) {
        double frequency = hz * specs[i].ratio;
        if (frequency >= 0.45 * rate)
            continue;
        int p = v->partial_count++;
        double tau = specs[i].decay * (double)v->length;
        double turns = frequency / rate;
        /* Fixed, unrelated starting phases keep the partials' peaks apart. */
        double angle = 2.0 * M_PI * fmod(0.137 * i + turns * (double)v->elapsed, 1.0);
        double amplitude = specs[i].amplitude / total * exp(-(double)v->elapsed / tau);
        double decay = exp(-1.0 / tau), step = 2.0 * M_PI * turns;
        /* 100 dB below the whole strike's level, a partial is inaudible. */
        v->silent_after[p] = (int64_t)(tau * log(specs[i].amplitude / total / PARTIAL_SILENT));
        v->sample[p] = amplitude * sin(angle);
        v->previous[p] = amplitude / decay * sin(angle - step);
        v->feedback[p] = 2.0 * decay * cos(step);
        v->damping[p] = decay * decay;
    }
}

/* A bell's strike: the hum an octave down, the prime, a minor third, a
 * fifth, the nominal octave and a few stretched upper partials; the higher
 * a partial, the sooner it dies away. */
static const partial_spec bell_partials[] = {
    { 0.500, 0.30, 0.28 }, { 1.000, 1.00, 0.24 }, { 1.183, 0.45, 0.17 },
    { 1.506, 0.25, 0.13 }, { 2.000, 0.40, 0.11 }, { 2.514, 0.18, 0.075 },
    { 2.662, 0.14, 0.06 }, { 3.011, 0.11, 0.05 }, { 4.166, 0.07, 0.035 },
    { 5.433, 0.045, 0.025 },
};

/* A singing bowl: two close fundamentals beat slowly; few, long partials. */
static const partial_spec bowl_partials[] = {
    { 1.000, 0.60, 0.30 }, { 1.004, 0.45, 0.28 }, { 2.710, 0.35, 0.16 },
    { 2.716, 0.20, 0.15 }, { 5.150, 0.10, 0.08 }, { 8.430, 0.04, 0.05 },
};

/* A tick: two short bright partials. */
static const partial_spec tick_partials[] = {
    { 1.000, 1.00, 0.18 }, { 1.93, 0.45, 0.12 }, { 3.07, 0.20, 0.08 },
};

void synth_voice_bell(synth_voice *v, double hz, double gain, int64_t ring, int rate,
                      int64_t elapsed)
{
    start_partials(v, bell_partials, (int)(sizeof bell_partials / sizeof bell_partials[0]), hz,
                   gain, ring, 0.004, rate, elapsed);
}

void synth_voice_bowl(synth_voice *v, double hz, double gain, int64_t ring, int rate,
                      int64_t elapsed)
{
    start_partials(v, bowl_partials, (int)(sizeof bowl_partials / sizeof bowl_partials[0]), hz,
                   gain, ring, 0.015, rate, elapsed);
}

void synth_voice_tick(synth_voice *v, double gain, int64_t length, int rate, int64_t elapsed)
{
    start_partials(v, tick_partials, (int)(sizeof tick_partials / sizeof tick_partials[0]),
                   1500.0, gain, length, 0.001, rate, elapsed);
}

bool synth_voice_render(synth_voice *v, float *out, int frames)
{
    int64_t left = v->length - v->elapsed;
    if (left <= 0)
        return false;
    int n = left < frames ? (int)left : frames;
    v->kind->render(v, out, n);
    v->elapsed += n;
    return v->elapsed < v->length;
}

/* ---- noise ---- */

void synth_random_seed(synth_random *r, uint64_t seed)
{
    r->state = random_scrambled(seed);   /* nearby seeds, unrelated streams */
}

/* ---- coloured noise, two channels at a time ----
 *
 * The compiler's vector extensions (GCC and Clang, on every target: SSE2 on
 * x86-64, NEON on ARM, plain scalars where there is neither) run both
 * channels and two frames in one set of instructions. Lanes are in
 * little-endian order, as on every target breathe builds for. */
#define WHITE_UNIT (1.0f / 8388608.0f)   /* 2^-23: one step of the 24-bit white */

/* Paul Kellet's economy pink filter: three one-pole low-passes and a
 * direct path, within half a dB of -3 dB an octave across the audible
 * range, at half the cost of his refined seven-term one. */
static const float pink_pole[3] = { 0.99765f, 0.96300f, 0.57000f };
static const float pink_feed[3] = { 0.0990460f, 0.2965164f, 1.0526913f };
#define PINK_DIRECT 0.1848f

/* out (stereo) += mono on both channels, two frames a vector. */
static inline __attribute__((always_inline)) void add_to_both(float *restrict out, const float *restrict mono, int frames)
{
    int i = 0;
    for (; i + 2 <= frames; i += 2) {
        float4 pair = { mono[i], mono[i], mono[i + 1], mono[i + 1] };
        store4(out + 2 * i, load4(out + 2 * i) + pair);
    }
    for (; i < frames; i++) {
        out[2 * i] += mono[i];
        out[2 * i + 1] += mono[i];
    }
}

/* Sets the coefficients of stage k: pole p, feed f (already scaled). */
static void set_stage(synth_noise *n, int k, float p, float f)
{
    for (int lane = 0; lane < 4; lane++) {
        n->pole2[k][lane] = lane < 2 ? p : p * p;
        n->feed[k][lane] = f;
        n->cross[k][lane] = lane < 2 ? 0.0f : p * f;
    }
}

static void set_direct(synth_noise *n, float d)
{
    for (int lane = 0; lane < 4; lane++)
        n->direct[lane] = d;
}

/* The coefficients of one filter stage, and its last pair of frames. */
typedef struct {
    float4 state, pole2, feed, cross;
} noise_stage;

static inline noise_stage stage_load(const synth_noise *n, int k)
{
    return (noise_stage){ load4(n->state[k]), load4(n->pole2[k]), load4(n->feed[k]),
                          load4(n->cross[k]) };
}

/* Advances a stage by a pair of frames: the second frame's state is the
 * first's advanced again, written out so that both come from the last pair.
 * (Summing the new white's share first, so that a pair waits on one
 * multiplication and one addition instead of two additions, changes the
 * last bits of every sample and measured no faster.) */
static inline float4 stage_step(noise_stage *st, float4 white, float4 first)
{
    float4 last = __builtin_shufflevector(st->state, st->state, 2, 3, 2, 3);
    st->state = st->pole2 * last + st->feed * white + st->cross * first;
    return st->state;
}

/* Four white samples (24-bit integer values) from one step of two streams:
 * per stream, the top 24 bits (lanes 0 and 1: the first frame, L and R)
 * and the 24 below them (lanes 2 and 3: the second). */
static inline __attribute__((always_inline)) float4 white4(random2 *state)
{
    random2 x = random2_step(*state);
    *state = x;
    /* Lanes of x as 32-bit halves: (L low, L high, R low, R high). */
    float4 high = __builtin_convertvector((int4)x >> 8, float4);
    float4 low = __builtin_convertvector((int4)(x >> 8) >> 8, float4);
    return __builtin_shufflevector(high, low, 1, 3, 4, 6);   /* L0 R0 L1 R1 */
}

/* Writes `pairs` pairs of stereo frames (4 floats each) into out, with
 * `stages` filter stages (a constant where it is called, so each copy of
 * the loop keeps its stages in registers). One xorshift step on both
 * streams gives, per channel, the top 24 bits (the first frame) and the 24
 * below (the second), as signed integers. */
static inline __attribute__((always_inline)) void noise_pairs_of(synth_noise *n, float *out,
                                                                  int pairs, const int stages)
{
    random2 x;
    memcpy(&x, n->random, sizeof x);
    noise_stage s0 = stage_load(n, 0), s1 = stage_load(n, 1), s2 = stage_load(n, 2);
    const float4 direct = load4(n->direct);
    for (int p = 0; p < pairs; p++) {
        float4 white = white4(&x);
        float4 first = __builtin_shufflevector(white, white, 0, 1, 0, 1);
        float4 sum;
        if (stages == 1) {
            sum = stage_step(&s0, white, first);   /* brown: no direct path */
        } else {
            sum = direct * white;
            if (stages == 3) {
                sum += stage_step(&s0, white, first);
                sum += stage_step(&s1, white, first);
                sum += stage_step(&s2, white, first);
            }
        }
        store4(out + 4 * p, sum);
    }
    memcpy(n->random, &x, sizeof x);
    store4(n->state[0], s0.state);
    store4(n->state[1], s1.state);
    store4(n->state[2], s2.state);
}

/* One copy of the loop for each number of stages. */
VECTOR_CLONES static void noise_pairs(synth_noise *n, float *out, int pairs)
{
    switch (n->stages) {
    case 3:
        noise_pairs_of(n, out, pairs, 3);
        break;
    case 1:
        noise_pairs_of(n, out, pairs, 1);
        break;
    default:
        noise_pairs_of(n, out, pairs, 0);
        break;
    }
}

#define NOISE_TARGET_RMS 0.5

/* Runs `frames` frames (rounded up to pairs) into nothing: for settling
 * filters and measuring levels. Returns the mean square of the samples. */
static double noise_run(synth_noise *n, int frames)
{
    enum { CHUNK = 64 };
    float scratch[4 * CHUNK];
    double sum = 0.0;
    int pairs = (frames + 1) / 2, done = 0;
    while (done < pairs) {
        int count = pairs - done < CHUNK ? pairs - done : CHUNK;
        noise_pairs(n, scratch, count);
        for (int i = 0; i < 4 * count; i++)
            sum += (double)scratch[i] * scratch[i];
        done += count;
    }
    return pairs > 0 ? sum / (4.0 * pairs) : 0.0;
}

void synth_noise_init(synth_noise *n, synth_noise_color color, uint64_t seed, int rate)
{
    memset(n, 0, sizeof *n);
    n->color = color;
    switch (color) {
    case SYNTH_NOISE_BROWN: {
        /* A leaky integrator with its corner at 60 Hz: brown above, no rumble
         * below. Its variance is known in closed form. */
        double pole = exp(-2.0 * M_PI * 60.0 / rate);
        double variance = (1.0 - pole) / (3.0 * (1.0 + pole));
        double scale = NOISE_TARGET_RMS / sqrt(variance);
        n->stages = 1;
        set_stage(n, 0, (float)pole, (float)((1.0 - pole) * scale) * WHITE_UNIT);
        break;
    }
    case SYNTH_NOISE_PINK: {
        /* Measure this filter's level once, from a fixed stream. */
        n->stages = 3;
        for (int k = 0; k < 3; k++)
            set_stage(n, k, pink_pole[k], pink_feed[k] * WHITE_UNIT);
        set_direct(n, PINK_DIRECT * WHITE_UNIT);
        synth_random seeded;
        synth_random_seed(&seeded, 12345);
        n->random[0] = n->random[1] = seeded.state;
        double scale = NOISE_TARGET_RMS / sqrt(noise_run(n, 1 << 16));
        memset(n->state, 0, sizeof n->state);
        for (int k = 0; k < 3; k++)
            set_stage(n, k, pink_pole[k], (float)(pink_feed[k] * scale) * WHITE_UNIT);
        set_direct(n, (float)(PINK_DIRECT * scale) * WHITE_UNIT);
        break;
    }
    case SYNTH_NOISE_WHITE:
        set_direct(n, (float)(NOISE_TARGET_RMS * sqrt(3.0)) * WHITE_UNIT);
        break;
    }
    synth_random left, right;
    synth_random_seed(&left, seed);
    synth_random_seed(&right, seed ^ 0x5DEECE66Dull);
    n->random[0] = left.state;
    n->random[1] = right.state;
    if (color == SYNTH_NOISE_BROWN)
        noise_run(n, 4 * rate / 60 + 1);   /* start the integrator settled, not from silence */
}

void synth_noise_render_stereo(synth_noise *n, float *out, int frames)
{
    int i = 0;
    if (n->has_spare && frames > 0) {
        out[0] = n->spare[0];
        out[1] = n->spare[1];
        n->has_spare = false;
        i = 1;
    }
    int pairs = (frames - i) / 2;
    noise_pairs(n, out + 2 * i, pairs);
    i += 2 * pairs;
    if (i < frames) {
        /* An odd frame: compute the pair, keep its second frame for the
         * next call, so the stream is the same however it is cut. */
        float pair[4];
        noise_pairs(n, pair, 1);
        out[2 * i] = pair[0];
        out[2 * i + 1] = pair[1];
        n->spare[0] = pair[2];
        n->spare[1] = pair[3];
        n->has_spare = true;
    }
}

void synth_noise_render(synth_noise *n, float *out, int frames, int stride)
{
    enum { CHUNK = 64 };
    float stereo[2 * CHUNK];
    for (int done = 0; done < frames; done += CHUNK) {
        int count = frames - done < CHUNK ? frames - done : CHUNK;
        synth_noise_render_stereo(n, stereo, count);
        for (int i = 0; i < count; i++)
            out[(ptrdiff_t)(done + i) * stride] = stereo[2 * i];
    }
}

/* ---- continuous pacers ---- */

/* The phase one frame on: a step further, and the step changed by the glide. */
static inline uint64_t tone_advance(uint64_t *phase, uint64_t *step, uint64_t change)
{
    uint64_t now = *phase;
    *phase += *step;
    *step += change;
    return now;
}

/* An entry of tone_points, value and slope, as the bits of one double: a
 * single 8-byte load, and two of them make a vector. */
static inline double tone_point(uint64_t index)
{
    double both;
    memcpy(&both, tone_points[index], sizeof both);
    return both;
}

typedef double double4 __attribute__((vector_size(32)));
typedef uint64_t phase4 __attribute__((vector_size(32)));

/* Eight frames' phases, frames 0-3 and 4-7 of the next eight, and what each
 * lane moves on by over eight frames: the sum of its eight steps, which
 * grows by 64 changes. Integers modulo 2^64, so the phases are exactly the
 * ones a frame-by-frame loop makes. Kept in memory between calls to
 * tone_eight() (always inlined: the compiler keeps them in registers), as
 * eight-lane vectors passed by value would change the calling convention
 * with the target. */
typedef struct {
    phase4 low, high, step_low, step_high, step_change;
} tone_phases;

/* Frame k's phase is p + k s + k (k - 1) / 2 c, so the eight steps from
 * frame k sum to 8 s + (8 k + 28) c. */
static inline __attribute__((always_inline)) void tone_phases_start(tone_phases *ph, uint64_t p,
                                                                    uint64_t s, uint64_t c)
{
    ph->low = (phase4){ p, p + s, p + 2 * s + c, p + 3 * s + 3 * c };
    ph->high = (phase4){ p + 4 * s + 6 * c, p + 5 * s + 10 * c, p + 6 * s + 15 * c,
                         p + 7 * s + 21 * c };
    uint64_t eight = 8 * s;
    ph->step_low = (phase4){ eight + 28 * c, eight + 36 * c, eight + 44 * c, eight + 52 * c };
    ph->step_high = (phase4){ eight + 60 * c, eight + 68 * c, eight + 76 * c, eight + 84 * c };
    ph->step_change = (phase4){ 64 * c, 64 * c, 64 * c, 64 * c };
}

/* Eight frames of the tone into *wave, interpolated in one vector,
 * and the phases moved on by eight frames. The arithmetic is the lookup's
 * own (value + slope * fraction, the fraction the 31 bits of phase below
 * the index), so the samples are the ones a frame at a time gives. */
static inline __attribute__((always_inline)) void tone_eight(tone_phases *ph, float8 *wave)
{
    const int8x32 below_mask = { 0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff,
                                 0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff };
    phase4 index_low = ph->low >> (64 - TABLE_BITS), index_high = ph->high >> (64 - TABLE_BITS);
    double4 low = { tone_point(index_low[0]), tone_point(index_low[1]),
                    tone_point(index_low[2]), tone_point(index_low[3]) };
    double4 high = { tone_point(index_high[0]), tone_point(index_high[1]),
                     tone_point(index_high[2]), tone_point(index_high[3]) };
    float8 first = (float8)low, second = (float8)high;   /* v0 s0 v1 s1 ..., v4 s4 ... */
    float8 value = __builtin_shufflevector(first, second, 0, 2, 4, 6, 8, 10, 12, 14);
    float8 slope = __builtin_shufflevector(first, second, 1, 3, 5, 7, 9, 11, 13, 15);
    /* The low 32 bits of each lane (lanes are little-endian). */
    int8x32 below = __builtin_shufflevector((int8x32)(ph->low >> (33 - TABLE_BITS)),
                                            (int8x32)(ph->high >> (33 - TABLE_BITS)), 0, 2, 4, 6,
                                            8, 10, 12, 14)
                    & below_mask;
    float8 fraction = __builtin_convertvector(below, float8) * (1.0f / 2147483648.0f);
    *wave = value + slope * fraction;
    ph->low += ph->step_low;
    ph->high += ph->step_high;
    ph->step_low += ph->step_change;
    ph->step_high += ph->step_change;
}

VECTOR_CLONES static void tone_render(synth_tone *t, float *out, int frames, int rate,
                                      double hz_from, double hz_to, float gain_from,
                                      float gain_to)
{
    /* The glide is a constant change of step each frame, so the phase after
     * n frames is known in closed form: n steps plus n(n-1)/2 changes. */
    double step = hz_from / rate, step_change = (hz_to - hz_from) / rate / frames;
    if (gain_from == 0.0f && gain_to == 0.0f) {
        double turns = frames * step + 0.5 * frames * (frames - 1.0) * step_change;
        t->phase += turns_to_fixed(turns);
        return;
    }
    uint64_t phase = t->phase;
    uint64_t fixed_step = turns_to_fixed(step);
    uint64_t fixed_change = (uint64_t)(int64_t)(step_change * TURN);
    /* Frame i's gain is gain_from + i * gain_change, in closed form, so
     * eight frames' gains need not wait for one another. */
    float gain_change = (gain_to - gain_from) / (float)frames;
    int i = 0;
    if (frames >= 8) {
        const float8 eight = { 8.0f, 8.0f, 8.0f, 8.0f, 8.0f, 8.0f, 8.0f, 8.0f };
        float8 at = { 0.0f, 1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f };
        tone_phases ph;
        tone_phases_start(&ph, phase, fixed_step, fixed_change);
        for (; i + 8 <= frames; i += 8) {
            float8 s, left, right;
            tone_eight(&ph, &s);
            s *= gain_from + gain_change * at;
            float *o = out + 2 * i;
            load8(left, o);
            load8(right, o + 8);
            left += __builtin_shufflevector(s, s, 0, 0, 1, 1, 2, 2, 3, 3);
            right += __builtin_shufflevector(s, s, 4, 4, 5, 5, 6, 6, 7, 7);
            store8(o, left);
            store8(o + 8, right);
            at += eight;
        }
        phase = ph.low[0];
        fixed_step += (uint64_t)i * fixed_change;
    }
    for (; i < frames; i++) {
        float s = table_lookup(tone_table, phase) * (gain_from + gain_change * (float)i);
        out[2 * i] += s;
        out[2 * i + 1] += s;
        tone_advance(&phase, &fixed_step, fixed_change);
    }
    t->phase = phase;
}

/* The cloned functions are file-local (src/base/vector.h): Clang makes
 * clones of a function other files call under another name. */
void synth_tone_render(synth_tone *t, float *out, int frames, int rate, double hz_from,
                       double hz_to, float gain_from, float gain_to)
{
    tone_render(t, out, frames, rate, hz_from, hz_to, gain_from, gain_to);
}

void synth_breath_noise_init(synth_breath_noise *b, uint64_t seed)
{
    memset(b, 0, sizeof *b);
    synth_random first, second;
    synth_random_seed(&first, seed);
    synth_random_seed(&second, seed ^ 0x5DEECE66Dull);
    b->random[0] = first.state;
    b->random[1] = second.state;
}

/* Low-pass corner for a brightness: 250 Hz dark to 3 kHz bright. */
static double breath_corner(double brightness)
{
    return 250.0 * pow(12.0, brightness);
}

/* The filter coefficient and the gain that makes up for what the filter
 * takes away, at SYNTH_BREATH_STEPS + 1 brightnesses, for this rate. Made
 * on the first block (libm there only), again only if the rate changes. */
static void breath_table(synth_breath_noise *b, int rate)
{
    for (int i = 0; i <= SYNTH_BREATH_STEPS; i++) {
        double c = 1.0 - exp(-2.0 * M_PI * breath_corner((double)i / SYNTH_BREATH_STEPS) / rate);
        /* Two one-poles in series pass roughly c / (2 - c) of white noise's
         * power each way; make up for it so brightness does not change
         * loudness. White arrives as 24-bit integer values: scaled here. */
        double m = NOISE_TARGET_RMS * sqrt(3.0) / sqrt(c / (2.0 - c)) * 0.8;
        b->coefficient[i] = (float)c;
        b->makeup[i] = (float)m * WHITE_UNIT;
    }
    b->table_rate = rate;
}

static void breath_filter(const synth_breath_noise *b, float brightness, float *coefficient,
                          float *makeup)
{
    float at = brightness * SYNTH_BREATH_STEPS;
    at = at < 0.0f ? 0.0f : (at > (float)SYNTH_BREATH_STEPS ? (float)SYNTH_BREATH_STEPS : at);
    int i = (int)at;
    if (i == SYNTH_BREATH_STEPS)
        i--;
    float u = at - (float)i;
    *coefficient = b->coefficient[i] + (b->coefficient[i + 1] - b->coefficient[i]) * u;
    *makeup = b->makeup[i] + (b->makeup[i + 1] - b->makeup[i]) * u;
}


VECTOR_CLONES static void breath_noise_render(synth_breath_noise *b, float *out, int frames,
                                              int rate, float brightness_from,
                                              float brightness_to, float gain_from,
                                              float gain_to)
{
    if (b->table_rate != rate)
        breath_table(b, rate);
    float c0, m0, c1, m1;
    breath_filter(b, brightness_from, &c0, &m0);
    breath_filter(b, brightness_to, &c1, &m1);
    float coefficient = c0, coefficient_change = (c1 - c0) / (float)frames;
    float gain = gain_from * m0, gain_change = (gain_to * m1 - gain_from * m0) / (float)frames;
    float low0 = b->low[0], low1 = b->low[1];
    random2 random;
    memcpy(&random, b->random, sizeof random);
    /* In pieces: white four samples at a time, then the filter (a chain,
     * one sample after another), then both channels in vector code. A
     * piece that is not a multiple of four leaves the rest of its last draw
     * unused; the engine cuts its blocks at absolute frames, so the sound
     * is still the same every time. */
    enum { PIECE = 64 };
    float white[PIECE], mono[PIECE];
    for (int done = 0; done < frames; done += PIECE) {
        int n = frames - done < PIECE ? frames - done : PIECE;
        for (int i = 0; i < n; i += 4)
            store4(white + i, white4(&random));
        for (int i = 0; i < n; i++) {
            low0 += coefficient * (white[i] - low0);
            low1 += coefficient * (low0 - low1);
            mono[i] = low1 * gain;
            coefficient += coefficient_change;
            gain += gain_change;
        }
        add_to_both(out + 2 * done, mono, n);
    }
    memcpy(b->random, &random, sizeof random);
    b->low[0] = low0;
    b->low[1] = low1;
}

void synth_breath_noise_render(synth_breath_noise *b, float *out, int frames, int rate,
                               float brightness_from, float brightness_to, float gain_from,
                               float gain_to)
{
    breath_noise_render(b, out, frames, rate, brightness_from, brightness_to, gain_from, gain_to);
}
