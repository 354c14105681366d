/* synth.c: generators. See synth.h. */
#include "synth.h"

#include <math.h>
#include <string.h>

enum { SINE_TABLE_SIZE = 4096, TABLE_BITS = 12 };
static float sine_table[SINE_TABLE_SIZE + 1];
/* The tone's whole waveform (fundamental, second and third harmonic),
 * normalised to a peak of 1: one lookup a frame instead of three. */
static float tone_table[SINE_TABLE_SIZE + 1];
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
    double tone_peak = 0.0;
    for (int i = 0; i < 8 * SINE_TABLE_SIZE; i++)
        tone_peak = fmax(tone_peak, fabs(tone_wave(2.0 * M_PI * i / (8 * SINE_TABLE_SIZE))));
    for (int i = 0; i <= SINE_TABLE_SIZE; i++) {
        double x = 2.0 * M_PI * i / SINE_TABLE_SIZE;
        sine_table[i] = (float)sin(x);
        tone_table[i] = (float)(tone_wave(x) / tone_peak);
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

static void render_clip(synth_voice *v, float *out, int frames)
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
        e *= (float)(0.5 - 0.5 * cos(M_PI * u));
    }
    return e;
}

enum { PARTIAL_CHUNK = 64 };

/* Each partial is a damped resonator, a decaying sine that computes itself:
 * next = feedback * sample - damping * previous. Two multiplications a
 * frame, no table and no libm; double precision keeps it exact over the
 * longest ring. */
static void render_partials(synth_voice *v, float *out, int frames)
{
    double mono[PARTIAL_CHUNK];
    for (int done = 0; done < frames; done += PARTIAL_CHUNK) {
        int n = frames - done < PARTIAL_CHUNK ? frames - done : PARTIAL_CHUNK;
        memset(mono, 0, sizeof mono);
        for (int p = 0; p < v->partial_count; p++) {
            double sample = v->sample[p], previous = v->previous[p];
            const double feedback = v->feedback[p], damping = v->damping[p];
            for (int i = 0; i < n; i++) {
                mono[i] += sample;
                double next = feedback * sample - damping * previous;
                previous = sample;
                sample = next;
            }
            v->sample[p] = sample;
            v->previous[p] = previous;
        }
        int64_t first = v->elapsed + done;
        float gain = v->gain;
        float *o = out + 2 * done;
        bool ramped = first < v->attack || v->length - (first + n) < v->release;
        for (int i = 0; i < n; i++) {
            float s = (float)mono[i] * gain;
            if (ramped)
                s *= envelope(v, first + i);
            o[2 * i] += s;
            o[2 * i + 1] += s;
        }
    }
}

static void render_stream(synth_voice *v, float *out, int frames)
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
    /* splitmix64 of the seed, so nearby seeds give unrelated streams. */
    uint64_t z = seed + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    r->state = z ? z : 1;
}

static inline float next_random(synth_random *r)
{
    uint64_t x = r->state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    r->state = x;
    /* Top 24 bits to [-1, 1): exact in float, no double arithmetic. */
    return (float)((int32_t)(x >> 40) - 8388608) * (1.0f / 8388608.0f);
}

float synth_random_next(synth_random *r)
{
    return next_random(r);
}

/* Paul Kellet's refined pink filter: a sum of one-pole low-passes. Takes
 * the state as an array so a caller can keep it in local variables. */
static inline float pink_filter(float *b, float white)
{
    b[0] = 0.99886f * b[0] + white * 0.0555179f;
    b[1] = 0.99332f * b[1] + white * 0.0750759f;
    b[2] = 0.96900f * b[2] + white * 0.1538520f;
    b[3] = 0.86650f * b[3] + white * 0.3104856f;
    b[4] = 0.55000f * b[4] + white * 0.5329522f;
    b[5] = -0.7616f * b[5] - white * 0.0168980f;
    float pink = b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + white * 0.5362f;
    b[6] = white * 0.115926f;
    return pink;
}

/* White noise for the noise colours: each draw of the generator gives two
 * samples (its top 24 bits, then the next 24), half the work per sample. An
 * odd sample left over waits in `spare` for the next call, so the stream is
 * the same however it is cut into calls. */
static inline float bits_to_white(uint64_t bits24)
{
    return (float)((int32_t)bits24 - 8388608) * (1.0f / 8388608.0f);
}

static inline void next_white_pair(synth_noise *n, float *first, float *second)
{
    next_random(&n->random);
    uint64_t x = n->random.state;
    *first = bits_to_white(x >> 40);
    *second = bits_to_white((x >> 16) & 0xffffff);
}

static inline float colour(synth_noise *n, float white)
{
    switch (n->color) {
    case BACKGROUND_PINK:
        return pink_filter(n->state, white);
    case BACKGROUND_BROWN:
        n->state[0] = n->pole * n->state[0] + (1.0f - n->pole) * white;
        return n->state[0];
    default:
        return white;
    }
}

#define NOISE_TARGET_RMS 0.5

void synth_noise_init(synth_noise *n, background_kind color, uint64_t seed, int rate)
{
    memset(n, 0, sizeof *n);
    n->color = color;
    n->scale = 1.0f;
    switch (color) {
    case BACKGROUND_BROWN: {
        /* A leaky integrator with its corner at 60 Hz: brown above, no rumble
         * below. Its variance is known in closed form. */
        double pole = exp(-2.0 * M_PI * 60.0 / rate);
        double variance = (1.0 - pole) / (3.0 * (1.0 + pole));
        n->pole = (float)pole;
        n->scale = (float)(NOISE_TARGET_RMS / sqrt(variance));
        break;
    }
    case BACKGROUND_PINK: {
        /* Measure this filter's level once, from a fixed stream. */
        synth_random_seed(&n->random, 12345);
        double sum = 0.0;
        enum { MEASURE = 1 << 16 };
        for (int i = 0; i < MEASURE; i++) {
            double x = pink_filter(n->state, next_random(&n->random));
            sum += x * x;
        }
        memset(n->state, 0, sizeof n->state);
        n->scale = (float)(NOISE_TARGET_RMS / sqrt(sum / MEASURE));
        break;
    }
    default:
        n->scale = (float)(NOISE_TARGET_RMS * sqrt(3.0));
        break;
    }
    synth_random_seed(&n->random, seed);
    if (color == BACKGROUND_BROWN) {
        /* Start the integrator settled, not from silence. */
        for (int i = 0; i < 4 * rate / 60 + 1; i++)
            colour(n, next_random(&n->random));
    }
}

void synth_noise_render(synth_noise *n, float *out, int frames, int stride)
{
    float scale = n->scale;
    int i = 0;
    if (n->has_spare && frames > 0) {
        out[0] = scale * colour(n, n->spare);
        n->has_spare = false;
        i = 1;
    }
    /* One loop per colour, so no sample pays for the choice. */
    switch (n->color) {
    case BACKGROUND_PINK: {
        float state[7];
        memcpy(state, n->state, sizeof state);
        for (; i + 1 < frames; i += 2) {
            float a, b;
            next_white_pair(n, &a, &b);
            out[i * stride] = scale * pink_filter(state, a);
            out[(i + 1) * stride] = scale * pink_filter(state, b);
        }
        memcpy(n->state, state, sizeof state);
        break;
    }
    case BACKGROUND_BROWN: {
        float level = n->state[0], pole = n->pole, feed = 1.0f - n->pole;
        for (; i + 1 < frames; i += 2) {
            float a, b;
            next_white_pair(n, &a, &b);
            level = pole * level + feed * a;
            out[i * stride] = scale * level;
            level = pole * level + feed * b;
            out[(i + 1) * stride] = scale * level;
        }
        n->state[0] = level;
        break;
    }
    default:
        for (; i + 1 < frames; i += 2) {
            float a, b;
            next_white_pair(n, &a, &b);
            out[i * stride] = scale * a;
            out[(i + 1) * stride] = scale * b;
        }
        break;
    }
    if (i < frames) {
        float a;
        next_white_pair(n, &a, &n->spare);
        n->has_spare = true;
        out[i * stride] = scale * colour(n, a);
    }
}

/* ---- continuous pacers ---- */

void synth_tone_render(synth_tone *t, float *out, int frames, int rate, double hz_from,
                       double hz_to, float gain_from, float gain_to)
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
    int64_t fixed_change = (int64_t)(step_change * TURN);
    float gain = gain_from, gain_change = (gain_to - gain_from) / (float)frames;
    for (int i = 0; i < frames; i++) {
        float s = table_lookup(tone_table, phase) * gain;
        out[2 * i] += s;
        out[2 * i + 1] += s;
        phase += fixed_step;
        fixed_step += (uint64_t)fixed_change;
        gain += gain_change;
    }
    t->phase = phase;
}

void synth_breath_noise_init(synth_breath_noise *b, uint64_t seed)
{
    memset(b, 0, sizeof *b);
    synth_random_seed(&b->random, seed);
}

/* Low-pass corner for a brightness: 250 Hz dark to 3 kHz bright. */
static double breath_corner(float brightness)
{
    return 250.0 * pow(12.0, brightness);
}

/* The filter coefficient for a brightness, and the gain that makes up for
 * what the filter takes away. The last answer is kept: one block's end is
 * the next one's start. */
static void breath_filter(synth_breath_noise *b, float brightness, int rate,
                          double *coefficient, double *makeup)
{
    if (b->known && brightness == b->known_brightness && rate == b->known_rate) {
        *coefficient = b->known_coefficient;
        *makeup = b->known_makeup;
        return;
    }
    double c = 1.0 - exp(-2.0 * M_PI * breath_corner(brightness) / rate);
    /* Two one-poles in series pass roughly c / (2 - c) of white noise's
     * power each way; make up for it so brightness does not change loudness. */
    double m = NOISE_TARGET_RMS * sqrt(3.0) / sqrt(c / (2.0 - c)) * 0.8;
    b->known = true;
    b->known_brightness = brightness;
    b->known_rate = rate;
    *coefficient = b->known_coefficient = c;
    *makeup = b->known_makeup = m;
}

void synth_breath_noise_render(synth_breath_noise *b, float *out, int frames, int rate,
                               float brightness_from, float brightness_to, float gain_from,
                               float gain_to)
{
    double c0, m0, c1, m1;
    breath_filter(b, brightness_from, rate, &c0, &m0);
    breath_filter(b, brightness_to, rate, &c1, &m1);
    float coefficient = (float)c0, coefficient_change = (float)((c1 - c0) / frames);
    float gain = (float)(gain_from * m0);
    float gain_change = (float)((gain_to * m1 - gain_from * m0) / frames);
    float low0 = b->low[0], low1 = b->low[1];
    for (int i = 0; i < frames; i++) {
        float white = next_random(&b->random);
        low0 += coefficient * (white - low0);
        low1 += coefficient * (low0 - low1);
        float s = low1 * gain;
        out[2 * i] += s;
        out[2 * i + 1] += s;
        coefficient += coefficient_change;
        gain += gain_change;
    }
    b->low[0] = low0;
    b->low[1] = low1;
}
