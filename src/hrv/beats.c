/* beats.c: Lipponen and Tarvainen's beat classification and correction
 * (beats.h says what and why). */
#include "hrv/beats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The paper's constants. */
enum { THRESHOLD_WINDOW = 91, MEDIAN_WINDOW = 11 };
static const double threshold_scale = 5.2;   /* covers 99.95 % of normal beats */
static const double ectopic_slope = 0.13;    /* c1 */
static const double ectopic_offset = 0.17;   /* c2 */
static const double far_from_median = 3.0;  /* |mRR| beyond this: long or short */

const char *beat_kind_name(beat_kind kind)
{
    static const char *const names[] = {
        [BEAT_NORMAL] = "normal", [BEAT_ECTOPIC] = "ectopic", [BEAT_MISSED] = "missed",
        [BEAT_EXTRA] = "extra", [BEAT_LONG] = "long", [BEAT_SHORT] = "short",
    };
    _Static_assert(sizeof names / sizeof names[0] == BEAT_KIND_COUNT, "a name for every kind");
    return (unsigned)kind < BEAT_KIND_COUNT ? names[kind] : "?";
}

size_t beat_counts_artefacts(const beat_counts *counts)
{
    size_t artefacts = 0;
    for (int kind = BEAT_NORMAL + 1; kind < BEAT_KIND_COUNT; kind++)
        artefacts += counts->of_kind[kind];
    return artefacts;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The q-quantile of sorted[0..count), interpolated linearly between ranks. */
static double quantile_of_sorted(const double *sorted, size_t count, double q)
{
    double position = q * (double)(count - 1);
    size_t below = (size_t)position;
    if (below + 1 >= count)
        return sorted[count - 1];
    double fraction = position - (double)below;
    return sorted[below] + fraction * (sorted[below + 1] - sorted[below]);
}

/* The values of the window of `width` centred on index (cut at the ends),
 * sorted into window[]; returns how many. */
static size_t sorted_window(const double *values, size_t count, size_t index, size_t width,
                            double *window)
{
    size_t half = width / 2;
    size_t first = index > half ? index - half : 0;
    size_t last = index + half < count ? index + half : count - 1;
    size_t size = last - first + 1;
    memcpy(window, values + first, size * sizeof *window);
    qsort(window, size, sizeof *window, compare_doubles);
    return size;
}

/* threshold[i]: 5.2 quartile deviations of magnitude[] around i, floored. */
static void time_varying_threshold(const double *magnitude, size_t count, double *threshold)
{
    double window[THRESHOLD_WINDOW];
    for (size_t i = 0; i < count; i++) {
        size_t size = sorted_window(magnitude, count, i, THRESHOLD_WINDOW, window);
        double quartile_deviation = (quantile_of_sorted(window, size, 0.75) -
                                     quantile_of_sorted(window, size, 0.25)) / 2.0;
        threshold[i] = fmax(threshold_scale * quartile_deviation, BEATS_THRESHOLD_FLOOR_MS);
    }
}

/* The scratch series of the classification, all count long. */
typedef struct {
    double *drr;        /* successive differences, scaled by their threshold (S11) */
    double *mrr;        /* difference from the local median, scaled (negative doubled) */
    double *median;     /* the 11-beat median */
    double *median_threshold;   /* mRR's threshold in milliseconds (Th2) */
    double *scratch;
} classification;

static void classification_free(classification *c)
{
    free(c->drr);
    free(c->mrr);
    free(c->median);
    free(c->median_threshold);
    free(c->scratch);
}

static int classification_compute(classification *c, const double *rr, size_t count)
{
    *c = (classification){0};
    c->drr = malloc(count * sizeof *c->drr);
    c->mrr = malloc(count * sizeof *c->mrr);
    c->median = malloc(count * sizeof *c->median);
    c->median_threshold = malloc(count * sizeof *c->median_threshold);
    c->scratch = malloc(count * sizeof *c->scratch);
    if (!c->drr || !c->mrr || !c->median || !c->median_threshold || !c->scratch) {
        classification_free(c);
        return 1;
    }
    /* dRR, its first value the mean of the others (there is no beat before) */
    double sum = 0.0;
    for (size_t i = 1; i < count; i++) {
        c->drr[i] = rr[i] - rr[i - 1];
        sum += c->drr[i];
    }
    c->drr[0] = sum / (double)(count - 1);
    for (size_t i = 0; i < count; i++)
        c->scratch[i] = fabs(c->drr[i]);
    double *threshold = c->median_threshold;   /* Th1, for the moment */
    time_varying_threshold(c->scratch, count, threshold);
    for (size_t i = 0; i < count; i++)
        c->drr[i] /= threshold[i];

    double window[MEDIAN_WINDOW];
    for (size_t i = 0; i < count; i++) {
        size_t size = sorted_window(rr, count, i, MEDIAN_WINDOW, window);
        c->median[i] = quantile_of_sorted(window, size, 0.5);
        double difference = rr[i] - c->median[i];
        c->mrr[i] = difference < 0 ? 2.0 * difference : difference;
        c->scratch[i] = fabs(c->mrr[i]);
    }
    time_varying_threshold(c->scratch, count, c->median_threshold);
    for (size_t i = 0; i < count; i++)
        c->mrr[i] /= c->median_threshold[i];
    return 0;
}

/* S12: the neighbour of the same sign's opposite, the larger one for a
 * positive difference and the smaller for a negative one. */
static double ectopic_partner(const double *drr, size_t count, size_t i)
{
    if (i == 0 || i + 1 >= count)
        return 0.0;
    return drr[i] >= 0 ? fmax(drr[i - 1], drr[i + 1]) : fmin(drr[i - 1], drr[i + 1]);
}

/* S22: whether the next two differences undo this one. */
static double long_short_partner(const double *drr, size_t count, size_t i)
{
    if (i + 2 >= count)
        return 0.0;
    return drr[i] >= 0 ? fmin(drr[i + 1], drr[i + 2]) : fmax(drr[i + 1], drr[i + 2]);
}

static int is_ectopic(double s11, double s12)
{
    return (s11 > 1.0 && s12 < -ectopic_slope * s11 - ectopic_offset) ||
           (s11 < -1.0 && s12 > -ectopic_slope * s11 + ectopic_offset);
}

static double median_of(const double *values, size_t count, double *scratch)
{
    memcpy(scratch, values, count * sizeof *scratch);
    qsort(scratch, count, sizeof *scratch, compare_doubles);
    return quantile_of_sorted(scratch, count, 0.5);
}

static void label_beats(const classification *c, const double *rr, size_t count,
                        beat_kind *kinds)
{
    const double *drr = c->drr;
    double overall_median = median_of(rr, count, c->scratch);
    for (size_t i = 0; i < count; i++) {
        kinds[i] = BEAT_NORMAL;
        if (i >= 2 && i + 2 < count && is_ectopic(drr[i], ectopic_partner(drr, count, i))) {
            kinds[i] = BEAT_ECTOPIC;
            continue;
        }
        if (i == 0 || i + 1 == count)
            continue;   /* no long or short intervals at the edges */
        double s22 = long_short_partner(drr, count, i);
        int far = fabs(c->mrr[i]) > far_from_median;
        int is_long = (drr[i] > 1.0 && s22 < -1.0) || (far && rr[i] > overall_median);
        int is_short = (drr[i] < -1.0 && s22 > 1.0) || (far && rr[i] <= overall_median);
        /* a run of two: the next interval is flagged too when its difference
         * is smaller than the one after it (the series has not come back) */
        if (!is_long && !is_short && i >= 1 &&
            (kinds[i - 1] == BEAT_LONG || kinds[i - 1] == BEAT_SHORT) &&
            i + 1 < count && fabs(drr[i]) < fabs(drr[i + 1])) {
            is_long = kinds[i - 1] == BEAT_LONG;
            is_short = kinds[i - 1] == BEAT_SHORT;
        }
        if (is_long)
            kinds[i] = fabs(rr[i] / 2.0 - c->median[i]) < c->median_threshold[i]
                           ? BEAT_MISSED : BEAT_LONG;
        else if (is_short)
            kinds[i] = fabs(rr[i] + rr[i + 1] - c->median[i]) < c->median_threshold[i]
                           ? BEAT_EXTRA : BEAT_SHORT;
    }
    /* An extra beat's interval joins the next one, which is then no
     * artefact of its own (unless it is the second of an ectopic pair). */
    for (size_t i = 0; i + 1 < count; i++)
        if (kinds[i] == BEAT_EXTRA && kinds[i + 1] != BEAT_ECTOPIC)
            kinds[++i] = BEAT_NORMAL;
    /* An ectopic beat is the second of a pair of intervals with the
     * misplaced beat between them: the first of the pair is not an
     * artefact of its own. */
    for (size_t i = 1; i < count; i++)
        if (kinds[i] == BEAT_ECTOPIC && kinds[i - 1] != BEAT_ECTOPIC)
            kinds[i - 1] = BEAT_NORMAL;
}

int beats_classify(const double *rr_ms, size_t count, beat_kind *kinds)
{
    for (size_t i = 0; i < count; i++)
        kinds[i] = BEAT_NORMAL;
    if (count < BEATS_MIN_COUNT)
        return 0;
    classification c;
    if (classification_compute(&c, rr_ms, count) != 0)
        return 1;
    label_beats(&c, rr_ms, count, kinds);
    classification_free(&c);
    return 0;
}

/* The interval at beat i from the normal intervals on each side, linear in
 * time; the median when neither side has one. */
static double interpolated_interval(const beat *in, const beat_kind *kinds, size_t count,
                                    size_t i, double fallback)
{
    size_t before = i, after = i;
    int has_before = 0, has_after = 0;
    while (before > 0)
        if (kinds[--before] == BEAT_NORMAL) {
            has_before = 1;
            break;
        }
    while (++after < count)
        if (kinds[after] == BEAT_NORMAL) {
            has_after = 1;
            break;
        }
    if (has_before && has_after) {
        double span = in[after].t - in[before].t;
        double weight = span > 0 ? (in[i].t - in[before].t) / span : 0.5;
        return in[before].rr_ms + weight * (in[after].rr_ms - in[before].rr_ms);
    }
    if (has_before)
        return in[before].rr_ms;
    if (has_after)
        return in[after].rr_ms;
    return fallback;
}

int beats_correct(const beat *in, size_t count, beat *out, size_t *out_count,
                  beat_kind *kinds, beat_counts *counts)
{
    *out_count = 0;
    if (counts)
        *counts = (beat_counts){0};
    if (count == 0)
        return 0;
    beat_kind *labels = malloc(count * sizeof *labels);
    double *rr = malloc(count * sizeof *rr);
    if (!labels || !rr) {
        free(labels);
        free(rr);
        return 1;
    }
    for (size_t i = 0; i < count; i++)
        rr[i] = in[i].rr_ms;
    if (beats_classify(rr, count, labels) != 0) {
        free(labels);
        free(rr);
        return 1;
    }
    qsort(rr, count, sizeof *rr, compare_doubles);   /* rr is done with: for its median */
    double overall_median = quantile_of_sorted(rr, count, 0.5);
    free(rr);

    size_t written = 0;
    for (size_t i = 0; i < count; i++) {
        switch (labels[i]) {
        case BEAT_NORMAL:
            out[written++] = in[i];
            break;
        case BEAT_EXTRA:
            if (i + 1 < count) {   /* the next beat ends the interval this one split */
                out[written++] = (beat){in[i + 1].t, in[i].rr_ms + in[i + 1].rr_ms};
                i++;
            } else {
                out[written++] = in[i];
            }
            break;
        case BEAT_MISSED: {
            double half = in[i].rr_ms / 2.0;
            out[written++] = (beat){in[i].t - half / 1000.0, half};
            out[written++] = (beat){in[i].t, half};
            break;
        }
        case BEAT_ECTOPIC: {
            /* the misplaced beat moves halfway between its neighbours: the
             * pair's two intervals become equal, their sum kept */
            double half = (in[i - 1].rr_ms + in[i].rr_ms) / 2.0;
            if (written > 0)
                out[written - 1] = (beat){in[i].t - half / 1000.0, half};
            out[written++] = (beat){in[i].t, half};
            break;
        }
        case BEAT_LONG:
        case BEAT_SHORT:
            out[written++] = (beat){in[i].t,
                                    interpolated_interval(in, labels, count, i, overall_median)};
            break;
        case BEAT_KIND_COUNT:
            break;
        }
    }
    *out_count = written;
    if (counts) {
        for (size_t i = 0; i < count; i++)
            counts->of_kind[labels[i]]++;
    }
    if (kinds)
        memcpy(kinds, labels, count * sizeof *kinds);
    free(labels);
    return 0;
}
