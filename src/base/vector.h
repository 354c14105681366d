/* vector.h: the compiler's vector types for the render core and the dither,
 * and the mark that compiles a hot loop once more for wider registers.
 *
 * Contract:
 *   - float4 and int4 are four lanes of 32 bits (SSE2 on x86-64, NEON on
 *     ARM, plain scalars where there is neither); lanes are in little-endian
 *     order, as on every target breathe builds for. load4/store4 move four
 *     floats at any alignment. float8 and int8x32 are eight lanes, for loops
 *     whose lanes are independent, so that the AVX2 copy (below) does in
 *     one instruction what the baseline does in two.
 *   - VECTOR_CLONES before a function definition compiles it twice on
 *     x86-64 with GCC or Clang and glibc: for the baseline (SSE2) and for
 *     AVX2, chosen once when the program loads, by the processor it runs
 *     on. Elsewhere, and when built with -Dvector_clones=false, it is
 *     nothing. Both copies give the same bits: the arithmetic is the same
 *     operations in the same order (the build never contracts a * b + c
 *     into a fused multiply-add: -ffp-contract=off in meson.build, and the
 *     AVX2 copy is not allowed FMA instructions either), only in wider
 *     registers and with three-operand instructions. tests/render-hashes.txt
 *     pins the renders; the CI's sanitizer build has the clones off, and
 *     the cross build for the Raspberry Pi compares its renders with these.
 *   - Put it on file-local (static) functions where the samples are made
 *     (a loop over a block), not on their callers; a function other files
 *     call wraps the static one (Clang gives clones of an external
 *     function another name): a call into a cloned function goes
 *     through one more indirection, and functions it calls that are not
 *     inlined into it run their baseline copy. */
#ifndef BREATHE_BASE_VECTOR_H
#define BREATHE_BASE_VECTOR_H

#include <stdint.h>
#include <string.h>

typedef float float4 __attribute__((vector_size(16)));
typedef int32_t int4 __attribute__((vector_size(16)));

/* Eight lanes: one AVX2 register in a VECTOR_CLONES function's AVX2 copy,
 * two of four lanes elsewhere. Only inside functions: passed by value
 * between functions they would change the calling convention with the
 * target (GCC's -Wpsabi), so they are loaded and stored with load8/store8,
 * which are macros for that reason. */
typedef float float8 __attribute__((vector_size(32)));
typedef int32_t int8x32 __attribute__((vector_size(32)));

#define load8(v, x) memcpy(&(v), (x), sizeof(float8))
#define store8(x, v) memcpy((x), &(v), sizeof(float8))

static inline float4 load4(const float *x)
{
    float4 v;
    memcpy(&v, x, sizeof v);
    return v;
}

static inline void store4(float *x, float4 v) { memcpy(x, &v, sizeof v); }

#if defined(__has_attribute)
#if __has_attribute(target_clones) && defined(__x86_64__) && defined(__GLIBC__) \
    && !defined(BREATHE_NO_VECTOR_CLONES)
#define VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef VECTOR_CLONES
#define VECTOR_CLONES
#endif

#endif
