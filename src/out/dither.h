/* dither.h: float samples to 16 bits with TPDF dither.
 *
 * Each sample gets the difference of two uniform values (triangular over
 * +-1 step) added before it is rounded down, so the error is noise of a
 * quarter step squared (-96.3 dB below full scale) whatever the signal,
 * never distortion that follows it. The uniform values come from a fixed
 * seed: the same samples in the same blocks give the same bytes every
 * time and on every target. Samples beyond full scale are clamped, and a
 * sample that is not a number becomes 0. */
#ifndef BREATHE_DITHER_H
#define BREATHE_DITHER_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    /* Two pairs of xorshift streams, each pair drawn side by side: the
     * first pair for groups 0, 2, 4... of four samples, the second for
     * groups 1, 3, 5..., so that two groups' draws do not wait for each
     * other. */
    uint64_t random[4];
    int odd;              /* the next group is an odd one */
} out_dither;

void out_dither_init(out_dither *d);

/* Converts `samples` floats (full scale +-1) to 16-bit samples. */
void out_dither_to_16(out_dither *d, const float *in, int16_t *out, size_t samples);

#endif
