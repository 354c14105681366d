/* rrseries.c: generated beat-to-beat series (rrseries.h). */
#include "rrseries.h"

#include <math.h>

static double uniform(rrseries_random *random)
{
    unsigned long long x = random->state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    random->state = x;
    return ((double)(x >> 11) + 0.5) / 9007199254740992.0;
}

double rrseries_gaussian(rrseries_random *random)
{
    double u = uniform(random), v = uniform(random);
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

size_t rrseries_paced(beat *beats, size_t *count, size_t capacity, double start,
                      double seconds, double mean_ms, double swing_ms, double rate_per_minute,
                      double noise_ms, rrseries_random *random)
{
    size_t first = *count;
    double t = start;
    while (*count < capacity) {
        /* the interval ending at t + rr: solved by a few fixed-point steps */
        double rr = mean_ms;
        for (int step = 0; step < 4; step++)
            rr = mean_ms + swing_ms / 2.0 *
                 sin(2.0 * M_PI * rate_per_minute / 60.0 * (t + rr / 1000.0 - start));
        rr += noise_ms * rrseries_gaussian(random);
        if (t + rr / 1000.0 > start + seconds)
            break;
        t += rr / 1000.0;
        beats[(*count)++] = (beat){t, rr};
    }
    return *count - first;
}
