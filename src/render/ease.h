/* ease.h: the raised-cosine ease, 0.5 - 0.5 cos(pi u), which shapes the
 * breath's fullness and every fade of the render core.
 *
 * It is computed at every block edge (750 times a second), so it comes
 * from a polynomial instead of libm's cos(): within 1e-11 of it (the
 * series' first term left out, below), about a fifth of the cost, and the
 * same on every target. 0 at and below u = 0, 1 at and above u = 1,
 * exactly; never outside [0, 1] between. */
#ifndef BREATHE_EASE_H
#define BREATHE_EASE_H

#include <math.h>

static inline double ease_raised_cosine(double u)
{
    if (u <= 0.0)
        return 0.0;
    if (u >= 1.0)
        return 1.0;
    /* 0.5 - 0.5 cos(pi u) = 0.5 + 0.5 sin(x) with x = pi (u - 0.5) in
     * [-pi/2, pi/2], where sine's Taylor series to x^15 is off by less than
     * x^17 / 17! (6e-12). Ending on a negative term, the sum stays at or
     * below sin(x) for positive x (and above it for negative), so the ease
     * never leaves [0, 1]. */
    double x = M_PI * (u - 0.5), x2 = x * x;
    double sine = x * (1.0 + x2 * (-1.0 / 6.0 + x2 * (1.0 / 120.0 + x2 * (-1.0 / 5040.0
                  + x2 * (1.0 / 362880.0 + x2 * (-1.0 / 39916800.0 + x2 * (1.0 / 6227020800.0
                  + x2 * (-1.0 / 1307674368000.0))))))));
    return 0.5 + 0.5 * sine;
}

#endif
