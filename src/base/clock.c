/* clock.c: see clock.h. */
#include "base/clock.h"

#include <time.h>

double clock_monotonic_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + now.tv_nsec / 1e9;
}
