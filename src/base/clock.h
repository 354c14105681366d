/* clock.h: wall-clock waiting for the edges (device retries, services).
 * Never for positions in a session: those are frames. */
#ifndef BREATHE_BASE_CLOCK_H
#define BREATHE_BASE_CLOCK_H

/* A day, for limits said in days and hours. */
#define CLOCK_SECONDS_PER_DAY 86400

/* Seconds on the monotonic clock. */
double clock_monotonic_seconds(void);

#endif
