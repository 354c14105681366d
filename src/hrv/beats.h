/* beats.h: finding and correcting the artefacts of a beat-to-beat series.
 *
 * A chest strap reports the interval between heart beats (RR, in
 * milliseconds). Some of them are not the heart's rhythm: a beat the strap
 * missed makes one interval about twice as long, a beat it saw twice makes
 * two short ones, an ectopic (premature) beat makes a short interval
 * followed by a long one, and poor contact makes intervals simply too long
 * or too short. One such interval in a hundred is enough to make RMSSD or
 * the low-frequency power meaningless.
 *
 * beats_classify() labels every interval with the method of Lipponen and
 * Tarvainen (2019, "A robust algorithm for heart rate variability time
 * series artefact correction using novel beat classification", J Med Eng
 * Technol 43:173-181). Successive differences dRR and differences from the
 * 11-beat median mRR are scaled by time-varying thresholds (5.2 times the
 * quartile deviation of their magnitudes over 91 beats), and the pattern of
 * each difference with its neighbours decides: an ectopic beat is a large
 * difference followed by one of the opposite sign (the subspace (S11, S12)
 * with c1 = 0.13, c2 = 0.17); a long or short interval is a large
 * difference that the next ones do not undo, or an interval far from the
 * median (|mRR| > 3); a long interval whose half is close to the median is
 * a missed beat, a short one that with the next is close to the median an
 * extra beat. The thresholds never fall below BEATS_THRESHOLD_FLOOR_MS:
 * in a quiet stretch the quartile deviation is small, and differences of
 * a few tens of milliseconds, ordinary from one beat to the next at rest,
 * would be taken for artefacts; a missed, extra or ectopic beat moves an
 * interval by a hundred milliseconds or more.
 *
 * beats_correct() then mends the series as the paper does: an extra beat is
 * removed (its interval joins the next), a missed beat is put back (the
 * long interval split in two equal halves), and ectopic, long and short
 * intervals are replaced by values interpolated from the clean intervals on
 * each side (linearly in time). Every beat keeps the time its interval
 * ended, so the corrected series lines up with the breathing.
 *
 * Pure functions of their input: no I/O, no globals; they allocate scratch
 * memory and return 1 when that fails, else 0. A series shorter than
 * BEATS_MIN_COUNT is left as it is (all normal): too few beats to estimate
 * the thresholds. */
#ifndef BREATHE_HRV_BEATS_H
#define BREATHE_HRV_BEATS_H

#include <stddef.h>

#define BEATS_MIN_COUNT 8
#define BEATS_THRESHOLD_FLOOR_MS 30.0

typedef enum {
    BEAT_NORMAL,
    BEAT_ECTOPIC,
    BEAT_MISSED,    /* the strap missed a beat: the interval holds two */
    BEAT_EXTRA,     /* the strap saw a beat that was not there */
    BEAT_LONG,
    BEAT_SHORT,
    BEAT_KIND_COUNT
} beat_kind;

/* One beat: when its interval ended (seconds since the recording began)
 * and the interval (milliseconds). */
typedef struct {
    double t;
    double rr_ms;
} beat;

/* How many intervals of each kind were found (of_kind[BEAT_NORMAL] are the
 * clean ones). */
typedef struct {
    size_t of_kind[BEAT_KIND_COUNT];
} beat_counts;

/* A word for the kind: "normal", "ectopic", "missed", "extra", "long",
 * "short". */
const char *beat_kind_name(beat_kind kind);

/* Labels each of the count intervals rr_ms[] in kinds[] (count entries). */
int beats_classify(const double *rr_ms, size_t count, beat_kind *kinds);

/* Classifies and corrects the count beats of in[] into out[], which has room
 * for 2 * count beats (each missed beat adds one); *out_count is set to the
 * beats written. kinds (count entries, may be NULL) receives each input
 * beat's kind, counts (may be NULL) how many of each. in and out must not
 * overlap. */
int beats_correct(const beat *in, size_t count, beat *out, size_t *out_count,
                  beat_kind *kinds, beat_counts *counts);

/* The artefacts among counts: everything but the normal beats. */
size_t beat_counts_artefacts(const beat_counts *counts);

#endif
