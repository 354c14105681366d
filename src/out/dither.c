/* dither.c: 16-bit TPDF dither, four samples a vector. See dither.h.
 *
 * The compiler's vector extension (SSE2 on x86-64, NEON on ARM, plain
 * scalars where there is neither) works four samples at a time: one
 * xorshift step of two 64-bit streams gives eight 16-bit uniform values,
 * the two of each sample's pair, and the sum, the rounding down and the
 * conversion are one vector operation each. Groups of four take turns
 * between two such pairs of streams, so that the steps for two groups are
 * two chains the processor runs side by side rather than one twice as
 * long.
 *
 * Float is precise enough. A sample times 32768 is exact in float (a power
 * of two); the dither, d + 0.5 steps with d a multiple of 2^-16, is exact
 * too. Their sum is rounded to float's 24 bits: by at most 2^-9 of a step
 * at full scale and 2^-17 below 256 steps (-42 dBFS), so the point where a
 * sample rounds up moves by that much, 50 dB (110 dB for quiet signals)
 * below the dither's own spread of a step. */
#include "out/dither.h"

#include <string.h>

#include "base/random.h"
#include "base/vector.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

typedef uint32_t uint4 __attribute__((vector_size(16)));
typedef uint32_t uint8x32 __attribute__((vector_size(32)));
typedef int16_t short4 __attribute__((vector_size(8)));
typedef int16_t short8 __attribute__((vector_size(16)));

#define DITHER_SEED UINT64_C(0x62726561746865)
#define STEPS 32768.0f     /* 16-bit steps in full scale */

/* A chunk is converted in vectors, or again lane by lane if one of its
 * samples needs clamping; both draw the same random values. */
enum { CHUNK = 1024 };

void out_dither_init(out_dither *d)
{
    for (int k = 0; k < 4; k++)
        d->random[k] = random_scrambled(DITHER_SEED + (uint64_t)k);
    d->odd = 0;
}

/* The streams while converting: a pair for even groups and a pair for odd
 * ones, and which comes next. */
typedef struct {
    random2 even, odd;
    int next_odd;
} streams;

/* Four samples' dither plus the half step that makes rounding down round
 * to nearest, in 65536ths of a step: u - v + 32768 for each sample's two
 * 16-bit uniform values u and v, the two halves of one 32-bit lane. */
static inline uint4 random_step(random2 *x)
{
    *x = random2_step(*x);
    return (uint4)*x;
}

/* The next group's random bits, from the pair of streams its turn says. */
static inline uint4 group_step(streams *s)
{
    uint4 bits = random_step(s->next_odd ? &s->odd : &s->even);
    s->next_odd = !s->next_odd;
    return bits;
}

static inline int4 dither_sixteenths(streams *s)
{
    const uint4 low16 = { 0xffff, 0xffff, 0xffff, 0xffff };
    const int4 half = { 32768, 32768, 32768, 32768 };
    uint4 bits = group_step(s);
    return (int4)(bits & low16) - (int4)(bits >> 16) + half;
}

/* The same in steps. */
static inline float4 dither_four(streams *s)
{
    return __builtin_convertvector(dither_sixteenths(s), float4) * (1.0f / 65536.0f);
}

/* The dithered value of four samples, in steps, before rounding down. */
static inline float4 dithered_four(streams *x, const float *in)
{
    float4 v;
    memcpy(&v, in, sizeof v);
    return v * STEPS + dither_four(x);
}

/* True when every lane of a mask is set. */
static inline int all_lanes(int4 mask)
{
    return (mask[0] & mask[1] & mask[2] & mask[3]) != 0;
}

/* Four samples dithered and rounded down, as 32-bit integers; *inside
 * loses the lanes outside [-32768, 32768) steps or not a number, which are
 * converted as 0 (the chunk is done again). */
static inline int4 whole_four(streams *x, const float *in, int4 *inside)
{
    const float4 low = { -STEPS, -STEPS, -STEPS, -STEPS };
    const float4 high = { STEPS, STEPS, STEPS, STEPS };
    float4 t = dithered_four(x, in);
    int4 lane_inside = (t >= low) & (t < high);
    *inside &= lane_inside;
    t = (float4)((int4)t & lane_inside);
    /* Rounded down: truncation, less one where it went up. */
    int4 whole = __builtin_convertvector(t, int4);
    return whole + (t < __builtin_convertvector(whole, float4));
}

/* Eight values in the 16-bit range as 16-bit samples: one saturating pack
 * on x86-64 (SSE2 has no plain narrowing, which the compiler would build
 * from six shuffles), a narrowing elsewhere (NEON's xtn). */
static inline short8 narrow_eight(int4 a, int4 b)
{
#ifdef __SSE2__
    return (short8)_mm_packs_epi32((__m128i)a, (__m128i)b);
#else
    return __builtin_shufflevector(__builtin_convertvector(a, short4),
                                   __builtin_convertvector(b, short4), 0, 1, 2, 3, 4, 5, 6, 7);
#endif
}

/* A chunk of whole groups of four, in vectors, two groups at a time (eight
 * lanes: one register in the AVX2 copy, two elsewhere; the operations of
 * whole_four() on each lane, so the same bits): false (and out unfinished)
 * when a sample lies outside [-32768, 32768) steps or is not a number. */
VECTOR_CLONES static int chunk_in_vectors(streams *state, const float *in, int16_t *out,
                                          size_t groups)
{
    /* The streams in a local: through the pointer they would be stored
     * and loaded again every step, as the stores to out might change them. */
    streams local = *state, *x = &local;
    const float8 low = { -STEPS, -STEPS, -STEPS, -STEPS, -STEPS, -STEPS, -STEPS, -STEPS };
    const float8 high = { STEPS, STEPS, STEPS, STEPS, STEPS, STEPS, STEPS, STEPS };
    const uint8x32 low16 = { 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff };
    const int8x32 half = { 32768, 32768, 32768, 32768, 32768, 32768, 32768, 32768 };
    int8x32 inside8 = { -1, -1, -1, -1, -1, -1, -1, -1 };
    int4 inside = { -1, -1, -1, -1 };
    size_t g = 0;
    if (local.next_odd && groups > 0) {
        /* An odd group first, so that the pairs below start on an even one. */
        short4 packed = __builtin_convertvector(whole_four(x, in, &inside), short4);
        memcpy(out, &packed, sizeof packed);
        g = 1;
    }
    for (; g + 2 <= groups; g += 2) {
        /* An even and an odd group: two chains that do not wait for each other. */
        uint4 first = random_step(&local.even), second = random_step(&local.odd);
        uint8x32 bits = __builtin_shufflevector(first, second, 0, 1, 2, 3, 4, 5, 6, 7);
        int8x32 sixteenths = (int8x32)(bits & low16) - (int8x32)(bits >> 16) + half;
        float8 t;
        load8(t, in + 4 * g);
        t = t * STEPS + __builtin_convertvector(sixteenths, float8) * (1.0f / 65536.0f);
        int8x32 lane_inside = (t >= low) & (t < high);
        inside8 &= lane_inside;
        t = (float8)((int8x32)t & lane_inside);
        int8x32 whole = __builtin_convertvector(t, int8x32);
        whole += t < __builtin_convertvector(whole, float8);
        short8 packed = narrow_eight(__builtin_shufflevector(whole, whole, 0, 1, 2, 3),
                                     __builtin_shufflevector(whole, whole, 4, 5, 6, 7));
        memcpy(out + 4 * g, &packed, sizeof packed);
    }
    inside &= __builtin_shufflevector(inside8, inside8, 0, 1, 2, 3)
              & __builtin_shufflevector(inside8, inside8, 4, 5, 6, 7);
    if (g < groups) {
        short4 packed = __builtin_convertvector(whole_four(x, in + 4 * g, &inside), short4);
        memcpy(out + 4 * g, &packed, sizeof packed);
    }
    *state = local;
    return all_lanes(inside);
}

/* One dithered value rounded down and clamped to 16 bits; NaN: 0. */
static int16_t clamped(float t)
{
    if (!(t >= -STEPS))
        return t < 0.0f ? -32768 : 0;
    if (t >= STEPS)
        return 32767;
    int32_t whole = (int32_t)t;
    return (int16_t)(whole - ((float)whole > t));
}

/* The same chunk lane by lane, each sample clamped. */
static void chunk_in_lanes(streams *x, const float *in, int16_t *out, size_t groups)
{
    for (size_t g = 0; g < groups; g++) {
        float4 t = dithered_four(x, in + 4 * g);
        for (int k = 0; k < 4; k++)
            out[4 * g + k] = clamped(t[k]);
    }
}

void out_dither_to_16(out_dither *d, const float *in, int16_t *out, size_t samples)
{
    streams x;
    memcpy(&x.even, d->random, sizeof x.even);
    memcpy(&x.odd, d->random + 2, sizeof x.odd);
    x.next_odd = d->odd;
    size_t done = 0;
    while (samples - done >= 4) {
        size_t groups = (samples - done) / 4 < CHUNK / 4 ? (samples - done) / 4 : CHUNK / 4;
        streams start = x;
        if (!chunk_in_vectors(&x, in + done, out + done, groups)) {
            x = start;
            chunk_in_lanes(&x, in + done, out + done, groups);
        }
        done += 4 * groups;
    }
    if (done < samples) {
        /* The last one to three samples: a whole group's draw, padded. */
        float last[4] = { 0.0f, 0.0f, 0.0f, 0.0f };
        int16_t packed[4];
        memcpy(last, in + done, sizeof(float) * (samples - done));
        chunk_in_lanes(&x, last, packed, 1);
        memcpy(out + done, packed, sizeof(int16_t) * (samples - done));
    }
    memcpy(d->random, &x.even, sizeof x.even);
    memcpy(d->random + 2, &x.odd, sizeof x.odd);
    d->odd = x.next_odd;
}
