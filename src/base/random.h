/* random.h: the random numbers of the noise generators (render/synth.c)
 * and the 16-bit dither (out/dither.c).
 *
 * Contract:
 *   - random_scrambled(seed) is splitmix64 of the seed: nearby seeds give
 *     unrelated values, and never 0 (an xorshift state of 0 stays 0).
 *   - random2 is two 64-bit xorshift streams side by side in one vector
 *     (base/vector.h's lanes); random2_step() moves both on by one step
 *     (shifts 13, 7, 17) and returns the new state. Integer operations only:
 *     the same bits on every target and in every copy of a loop. */
#ifndef BREATHE_BASE_RANDOM_H
#define BREATHE_BASE_RANDOM_H

#include <stdint.h>

typedef uint64_t random2 __attribute__((vector_size(16)));

static inline uint64_t random_scrambled(uint64_t seed)
{
    uint64_t z = seed + UINT64_C(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    z ^= z >> 31;
    return z ? z : 1;
}

static inline __attribute__((always_inline)) random2 random2_step(random2 x)
{
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
}

#endif
