/* analysis.h: how heart rate followed each paced breathing rate, and the
 * rate at which it swung most (the resonance rate).
 *
 * hrv_analyse() takes a recording (recording.h) and:
 *
 * 1. corrects the artefacts of each stretch between dropouts from the raw
 *    intervals (beats.h: Lipponen and Tarvainen 2019);
 * 2. cuts the recording into rates: consecutive beats paced at the same
 *    breathing rate (within HRV_RATE_TOLERANCE, so a rate easing slowly
 *    stays one stretch). A rate starts halfway between the last beat of
 *    the one before and its own first beat; its first HRV_SETTLE_SECONDS
 *    or first breath, whichever is longer, are left out while heart rate
 *    settles to the new rhythm;
 * 3. measures each rate over the rest:
 *    - swing: breath cycles are laid from the rate's start at its period
 *      (60 / rate seconds); for each whole cycle with beats no more than
 *      HRV_MAX_BEAT_GAP apart, the highest minus the lowest instantaneous
 *      heart rate (60000 / RR) of its beats; the mean over the cycles and
 *      their standard deviation;
 *    - the low-frequency band: the corrected RR intervals resampled at
 *      4 Hz from the first beat to the last by linear interpolation,
 *      linearly detrended, and a periodogram with a Hann window taken
 *      over the whole stretch (Welch's method with one segment),
 *      zero-padded to HRV_SPECTRUM_POINTS points; LF power is the density
 *      summed over 0.04-0.15 Hz times the bin width (ms²), the LF peak the
 *      bin of highest density there, and the peaks counted are the local
 *      maxima in the band above half its height (no spectrum when the
 *      beats are sparser than one in 4 s on average: long dropouts);
 *    - how closely heart rate follows the breath: a sinusoid at the paced
 *      frequency fitted by least squares to the detrended resampled RR;
 *      "follow" is the share of its variance that sinusoid explains (0 to
 *      1), "phase" where in the breath cycle heart rate peaks (degrees,
 *      0 = the cycle's start, the in-breath; only as exact as the rate's
 *      start, about half a beat);
 *    - RMSSD (root mean square of successive differences, never across a
 *      dropout) and SDNN (sample standard deviation) of the corrected
 *      intervals, in ms;
 * 4. chooses the resonance rate among the rates with enough clean beats
 *    (at least HRV_MIN_BREATHS measured cycles and no more than
 *    HRV_MAX_ARTEFACT_SHARE of the rate's beats corrected): the largest
 *    mean swing (Shaffer and Meehan 2020's first criterion). The margin
 *    over the next best rate is measured in standard errors of the
 *    difference (the breath-to-breath spread of both, over the square root
 *    of their cycles): under HRV_TIE_MARGIN (about 95 % confidence) the
 *    two cannot be told apart and the choice is a tie; from
 *    HRV_CLEAR_MARGIN it is clear, in between narrow. The other criteria
 *    are counted beside it: the largest LF peak, the closest following,
 *    and one LF peak at the breathing frequency (within 0.01 Hz).
 *
 * Pure: the recording in, numbers out; returns RESULT_FAILED when memory
 * runs out, else RESULT_OK (too few beats is a result, not an error). */
#ifndef BREATHE_HRV_ANALYSIS_H
#define BREATHE_HRV_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>

#include "hrv/beats.h"
#include "hrv/recording.h"

#define HRV_RATE_TOLERANCE 0.05       /* breaths a minute */
#define HRV_SETTLE_SECONDS 15.0
#define HRV_MAX_BEAT_GAP 2.5          /* seconds between beats within a cycle */
#define HRV_RESAMPLE_HZ 4.0
#define HRV_SPECTRUM_POINTS 4096
#define HRV_LF_LOW_HZ 0.04
#define HRV_LF_HIGH_HZ 0.15
#define HRV_MIN_BREATHS 4
#define HRV_MAX_ARTEFACT_SHARE 0.05
#define HRV_PEAK_NEAR_HZ 0.01
#define HRV_MAX_SAMPLES_PER_BEAT 16   /* sparser than a beat in 4 s: no spectrum */

typedef struct {
    double rate;              /* breaths a minute */
    double start, end;        /* seconds: when the rate began and its last beat */
    double measured_from;     /* after settling */
    size_t beats;             /* corrected beats measured */
    size_t artefacts;         /* raw beats in the measured stretch that were corrected */
    size_t breaths;           /* whole breath cycles measured */
    double swing_bpm;         /* mean highest minus lowest heart rate per breath */
    double swing_spread;      /* standard deviation of those swings */
    double lf_power;          /* ms² in 0.04-0.15 Hz */
    double lf_peak_hz;
    double lf_peak_density;   /* ms²/Hz at the peak */
    int lf_peaks;             /* local maxima above half the peak's height */
    double follow;            /* 0 to 1 */
    double phase_degrees;     /* where heart rate peaks in the breath, 0 to 360 */
    double rmssd, sdnn;       /* ms */
    bool enough;              /* enough clean beats to take part in the choice */
} hrv_rate;

typedef enum {
    RESONANCE_FOUND,
    RESONANCE_TIE,
    RESONANCE_TOO_FEW,        /* fewer than two rates with enough clean beats */
} resonance_outcome;

typedef enum {
    CRITERION_SWING,
    CRITERION_LF_PEAK,
    CRITERION_FOLLOW,
    CRITERION_ONE_PEAK,
    CRITERION_COUNT
} resonance_criterion;

typedef struct {
    resonance_outcome outcome;
    size_t best, runner_up;       /* indices into rates (when two took part) */
    size_t rates_with_enough;
    double margin_errors;         /* (best - runner-up swing) / its standard error */
    bool clear;                   /* margin of HRV_CLEAR_MARGIN errors or more */
    bool criteria[CRITERION_COUNT];   /* which criteria the best rate meets */
} resonance_choice;

#define HRV_TIE_MARGIN 2.0
#define HRV_CLEAR_MARGIN 3.0

typedef struct {
    hrv_rate *rates;
    size_t rate_count;
    beat *beats;              /* every corrected beat, in time order */
    size_t beat_count;
    size_t raw_beats;         /* intervals in the recording */
    size_t gaps;              /* dropouts */
    beat_counts artefacts;    /* over the whole recording */
    double rmssd, sdnn;       /* over the whole recording */
    resonance_choice resonance;
} hrv_analysis;

int hrv_analyse(const recording *rec, hrv_analysis *out);
void hrv_analysis_free(hrv_analysis *analysis);

/* A few words for a criterion: "largest swing", "largest LF peak"... */
const char *resonance_criterion_name(resonance_criterion criterion);

#endif
