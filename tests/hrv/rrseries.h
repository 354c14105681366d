/* rrseries.h: generated beat-to-beat series whose truth is known, for the
 * hrv tests: heart rate swinging with a paced breath at a chosen amplitude,
 * Gaussian noise from a seeded generator, and artefacts put in at chosen
 * beats. */
#ifndef BREATHE_TEST_RRSERIES_H
#define BREATHE_TEST_RRSERIES_H

#include <stddef.h>

#include "hrv/beats.h"

/* A deterministic Gaussian generator (xorshift and Box-Muller). */
typedef struct {
    unsigned long long state;
} rrseries_random;

double rrseries_gaussian(rrseries_random *random);

/* Beats from time start for seconds: the interval is mean_ms plus
 * swing_ms/2 * sin(2 pi rate/60 (t - start)) of the time t the beat ends (so
 * a stretch of whole breaths ends where the next begins), plus
 * noise_ms of Gaussian noise. Appends to beats[] from *count, up to
 * capacity; returns the beats written. */
size_t rrseries_paced(beat *beats, size_t *count, size_t capacity, double start,
                      double seconds, double mean_ms, double swing_ms, double rate_per_minute,
                      double noise_ms, rrseries_random *random);

#endif
