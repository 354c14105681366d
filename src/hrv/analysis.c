/* analysis.c: each paced rate measured and the resonance rate chosen
 * (analysis.h says how and why). */
#include "hrv/analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *resonance_criterion_name(resonance_criterion criterion)
{
    static const char *const names[] = {
        [CRITERION_SWING] = "largest swing",
        [CRITERION_LF_PEAK] = "largest LF peak",
        [CRITERION_FOLLOW] = "heart rate follows the breath most closely",
        [CRITERION_ONE_PEAK] = "one LF peak, at the breathing rate",
    };
    _Static_assert(sizeof names / sizeof names[0] == CRITERION_COUNT, "a name for each");
    return (unsigned)criterion < CRITERION_COUNT ? names[criterion] : "?";
}

/* Every corrected beat with the stretch between dropouts it belongs to
 * (successive differences never cross a dropout). */
typedef struct {
    beat *beats;
    int *run;
    size_t count;
    beat_kind *raw_kinds;   /* per recording row; normal for gap rows */
} corrected_series;

static int correct_runs(const recording *rec, corrected_series *series, hrv_analysis *out)
{
    size_t rows = rec->count;
    series->beats = malloc((2 * rows + 1) * sizeof *series->beats);
    series->run = malloc((2 * rows + 1) * sizeof *series->run);
    series->raw_kinds = calloc(rows + 1, sizeof *series->raw_kinds);
    beat *raw = malloc((rows + 1) * sizeof *raw);
    if (!series->beats || !series->run || !series->raw_kinds || !raw) {
        free(raw);
        return RESULT_FAILED;
    }
    int run = 0;
    for (size_t first = 0; first < rows;) {
        if (rec->rows[first].gap) {
            out->gaps++;
            first++;
            continue;
        }
        size_t last = first;
        while (last < rows && !rec->rows[last].gap) {
            raw[last - first] = (beat){rec->rows[last].t, rec->rows[last].rr_raw_ms};
            last++;
        }
        size_t written = 0;
        beat_counts counts;
        if (beats_correct(raw, last - first, series->beats + series->count, &written,
                          series->raw_kinds + first, &counts) != 0) {
            free(raw);
            return RESULT_FAILED;
        }
        for (size_t i = 0; i < written; i++)
            series->run[series->count + i] = run;
        series->count += written;
        for (int kind = 0; kind < BEAT_KIND_COUNT; kind++)
            out->artefacts.of_kind[kind] += counts.of_kind[kind];
        out->raw_beats += last - first;
        run++;
        first = last;
    }
    free(raw);
    return RESULT_OK;
}

/* RMSSD and SDNN of beats [first, last), successive differences within a run. */
static void time_domain(const corrected_series *s, size_t first, size_t last, double *rmssd,
                        double *sdnn)
{
    double sum = 0.0, squares = 0.0, differences = 0.0;
    size_t count = last - first, pairs = 0;
    for (size_t i = first; i < last; i++) {
        sum += s->beats[i].rr_ms;
        if (i > first && s->run[i] == s->run[i - 1]) {
            double d = s->beats[i].rr_ms - s->beats[i - 1].rr_ms;
            differences += d * d;
            pairs++;
        }
    }
    double mean = count ? sum / (double)count : 0.0;
    for (size_t i = first; i < last; i++)
        squares += (s->beats[i].rr_ms - mean) * (s->beats[i].rr_ms - mean);
    *rmssd = pairs ? sqrt(differences / (double)pairs) : 0.0;
    *sdnn = count > 1 ? sqrt(squares / (double)(count - 1)) : 0.0;
}

/* The first beat at or after time t. */
static size_t first_beat_from(const corrected_series *s, double t)
{
    size_t low = 0, high = s->count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (s->beats[middle].t < t)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

static void measure_swing(const corrected_series *s, hrv_rate *rate)
{
    double period = 60.0 / rate->rate;
    double first_cycle = ceil((rate->measured_from - rate->start) / period - 1e-9);
    double sum = 0.0, squares = 0.0;
    size_t cycles = 0;
    for (double k = first_cycle;; k++) {
        double from = rate->start + k * period, to = from + period;
        if (to > rate->end + 1e-9)
            break;
        size_t first = first_beat_from(s, from), last = first_beat_from(s, to);
        if (last - first < 3 || s->beats[first].t - from > HRV_MAX_BEAT_GAP ||
            to - s->beats[last - 1].t > HRV_MAX_BEAT_GAP)
            continue;
        double highest = 0.0, lowest = INFINITY;
        bool whole = true;
        for (size_t i = first; i < last; i++) {
            if (i > first && s->beats[i].t - s->beats[i - 1].t > HRV_MAX_BEAT_GAP)
                whole = false;
            double heart_rate = 60000.0 / s->beats[i].rr_ms;
            highest = fmax(highest, heart_rate);
            lowest = fmin(lowest, heart_rate);
        }
        if (!whole)
            continue;
        double swing = highest - lowest;
        sum += swing;
        squares += swing * swing;
        cycles++;
    }
    rate->breaths = cycles;
    rate->swing_bpm = cycles ? sum / (double)cycles : 0.0;
    rate->swing_spread = cycles > 1
        ? sqrt(fmax(0.0, (squares - sum * sum / (double)cycles) / (double)(cycles - 1))) : 0.0;
}

/* The RR tachogram of beats [first, last) resampled evenly from the first
 * beat, linearly interpolated; returns the samples written (at most
 * capacity). */
static size_t resample(const corrected_series *s, size_t first, size_t last, double *samples,
                       size_t capacity)
{
    double t0 = s->beats[first].t;
    size_t count = 0, j = first;
    for (; count < capacity; count++) {
        double t = t0 + (double)count / HRV_RESAMPLE_HZ;
        if (t > s->beats[last - 1].t + 1e-9)
            break;
        while (j + 2 < last && s->beats[j + 1].t < t)
            j++;
        const beat *a = &s->beats[j], *b = &s->beats[j + 1 < last ? j + 1 : j];
        double span = b->t - a->t;
        double weight = span > 0 ? (t - a->t) / span : 0.0;
        samples[count] = a->rr_ms + fmin(fmax(weight, 0.0), 1.0) * (b->rr_ms - a->rr_ms);
    }
    return count;
}

static void detrend(double *x, size_t n)
{
    double mean_index = (double)(n - 1) / 2.0, mean = 0.0;
    for (size_t i = 0; i < n; i++)
        mean += x[i];
    mean /= (double)n;
    double covariance = 0.0, variance = 0.0;
    for (size_t i = 0; i < n; i++) {
        covariance += ((double)i - mean_index) * (x[i] - mean);
        variance += ((double)i - mean_index) * ((double)i - mean_index);
    }
    double slope = variance > 0 ? covariance / variance : 0.0;
    for (size_t i = 0; i < n; i++)
        x[i] -= mean + slope * ((double)i - mean_index);
}

/* One-sided power spectral density at bin k of HRV_SPECTRUM_POINTS, of x
 * with the (periodic) Hann window, in ms²/Hz. */
static double density_at(const double *x, size_t n, size_t k, double window_power)
{
    double real = 0.0, imaginary = 0.0;
    double step = 2.0 * M_PI * (double)k / HRV_SPECTRUM_POINTS;
    for (size_t i = 0; i < n; i++) {
        double w = 0.5 - 0.5 * cos(2.0 * M_PI * (double)i / (double)n);
        real += w * x[i] * cos(step * (double)i);
        imaginary -= w * x[i] * sin(step * (double)i);
    }
    return 2.0 * (real * real + imaginary * imaginary) / (HRV_RESAMPLE_HZ * window_power);
}

static void measure_spectrum(const double *x, size_t n, hrv_rate *rate)
{
    double window_power = 0.0;
    for (size_t i = 0; i < n; i++) {
        double w = 0.5 - 0.5 * cos(2.0 * M_PI * (double)i / (double)n);
        window_power += w * w;
    }
    double bin = HRV_RESAMPLE_HZ / HRV_SPECTRUM_POINTS;
    size_t low = (size_t)ceil(HRV_LF_LOW_HZ / bin), high = (size_t)floor(HRV_LF_HIGH_HZ / bin);
    double density[HRV_SPECTRUM_POINTS / 2];
    for (size_t k = low - 1; k <= high + 1; k++)
        density[k] = density_at(x, n, k, window_power);
    double power = 0.0, peak = -1.0;
    size_t peak_bin = low;
    for (size_t k = low; k <= high; k++) {
        power += density[k] * bin;
        if (density[k] > peak) {
            peak = density[k];
            peak_bin = k;
        }
    }
    int peaks = 0;
    for (size_t k = low; k <= high; k++)
        if (density[k] > density[k - 1] && density[k] >= density[k + 1] &&
            density[k] >= 0.5 * peak)
            peaks++;
    rate->lf_power = power;
    rate->lf_peak_hz = (double)peak_bin * bin;
    rate->lf_peak_density = peak;
    rate->lf_peaks = peaks;
}

/* The sinusoid at the breathing frequency fitted to x (samples from time
 * t0, the breath cycles laid from start). */
static void measure_following(const double *x, size_t n, double t0, hrv_rate *rate)
{
    double omega = 2.0 * M_PI * rate->rate / 60.0;
    double cc = 0, ss = 0, cs = 0, xc = 0, xs = 0, xx = 0;
    for (size_t i = 0; i < n; i++) {
        double tau = t0 + (double)i / HRV_RESAMPLE_HZ - rate->start;
        double c = cos(omega * tau), s = sin(omega * tau);
        cc += c * c;
        ss += s * s;
        cs += c * s;
        xc += x[i] * c;
        xs += x[i] * s;
        xx += x[i] * x[i];
    }
    double determinant = cc * ss - cs * cs;
    if (determinant <= 0 || xx <= 0) {
        rate->follow = 0.0;
        rate->phase_degrees = 0.0;
        return;
    }
    double a = (xc * ss - xs * cs) / determinant, b = (xs * cc - xc * cs) / determinant;
    double explained = a * xc + b * xs;   /* the fit's sum of squares */
    rate->follow = fmin(fmax(explained / xx, 0.0), 1.0);
    /* RR is a cos(w t) + b sin(w t) = A cos(w t - phi): longest at phi, so
     * heart rate is highest half a cycle later */
    double degrees = (atan2(b, a) + M_PI) * 180.0 / M_PI;
    rate->phase_degrees = fmod(fmod(degrees, 360.0) + 360.0, 360.0);
}

static int measure_rate(const corrected_series *s, const recording *rec, hrv_rate *rate)
{
    size_t first = first_beat_from(s, rate->measured_from);
    size_t last = first_beat_from(s, rate->end + 1e-9);
    rate->beats = last > first ? last - first : 0;
    for (size_t i = 0; i < rec->count; i++)
        if (rec->rows[i].t >= rate->measured_from && rec->rows[i].t <= rate->end + 1e-9 &&
            s->raw_kinds[i] != BEAT_NORMAL)
            rate->artefacts++;
    if (rate->beats < 2)
        return RESULT_OK;
    time_domain(s, first, last, &rate->rmssd, &rate->sdnn);
    measure_swing(s, rate);
    size_t capacity = (size_t)((s->beats[last - 1].t - s->beats[first].t) * HRV_RESAMPLE_HZ) + 2;
    if (capacity > HRV_MAX_SAMPLES_PER_BEAT * rate->beats)
        return RESULT_OK;   /* too few beats for a spectrum: long dropouts */
    double *samples = malloc(capacity * sizeof *samples);
    if (!samples)
        return RESULT_FAILED;
    size_t n = resample(s, first, last, samples, capacity);
    if (n >= 8) {
        detrend(samples, n);
        measure_spectrum(samples, n, rate);
        measure_following(samples, n, s->beats[first].t, rate);
    }
    free(samples);
    rate->enough = rate->breaths >= HRV_MIN_BREATHS &&
                   (double)rate->artefacts <= HRV_MAX_ARTEFACT_SHARE * (double)rate->beats;
    return RESULT_OK;
}

/* The rates paced, from the rows' bpm column (analysis.h, step 2). */
static int find_rates(const recording *rec, hrv_analysis *out)
{
    size_t capacity = 0;
    double previous_t = -1.0;
    hrv_rate *current = NULL;
    for (size_t i = 0; i < rec->count; i++) {
        const recording_row *row = &rec->rows[i];
        if (row->gap)
            continue;
        if (row->bpm <= 0) {
            current = NULL;
        } else if (current && fabs(row->bpm - current->rate) <= HRV_RATE_TOLERANCE) {
            current->end = row->t;
        } else {
            if (out->rate_count == capacity) {
                capacity = capacity ? 2 * capacity : 8;
                hrv_rate *rates = realloc(out->rates, capacity * sizeof *rates);
                if (!rates)
                    return RESULT_FAILED;
                out->rates = rates;
            }
            current = &out->rates[out->rate_count++];
            double start = previous_t >= 0 ? (previous_t + row->t) / 2.0
                                           : row->t - row->rr_ms / 1000.0;
            *current = (hrv_rate){.rate = row->bpm, .start = fmax(start, 0.0), .end = row->t};
            current->measured_from =
                current->start + fmax(HRV_SETTLE_SECONDS, 60.0 / row->bpm);
        }
        previous_t = row->t;
    }
    return RESULT_OK;
}

static void choose_resonance(hrv_analysis *out)
{
    resonance_choice *choice = &out->resonance;
    *choice = (resonance_choice){.outcome = RESONANCE_TOO_FEW};
    bool have_best = false, have_runner_up = false;
    for (size_t i = 0; i < out->rate_count; i++) {
        const hrv_rate *rate = &out->rates[i];
        if (!rate->enough)
            continue;
        choice->rates_with_enough++;
        if (!have_best || rate->swing_bpm > out->rates[choice->best].swing_bpm) {
            if (have_best) {
                choice->runner_up = choice->best;
                have_runner_up = true;
            }
            choice->best = i;
            have_best = true;
        } else if (!have_runner_up || rate->swing_bpm > out->rates[choice->runner_up].swing_bpm) {
            choice->runner_up = i;
            have_runner_up = true;
        }
    }
    if (!have_runner_up)
        return;
    const hrv_rate *best = &out->rates[choice->best], *next = &out->rates[choice->runner_up];
    double error = sqrt(best->swing_spread * best->swing_spread / (double)best->breaths +
                        next->swing_spread * next->swing_spread / (double)next->breaths);
    double margin = best->swing_bpm - next->swing_bpm;
    choice->margin_errors = error > 0 ? margin / error : (margin > 0 ? INFINITY : 0.0);
    choice->outcome = choice->margin_errors < HRV_TIE_MARGIN ? RESONANCE_TIE : RESONANCE_FOUND;
    choice->clear = choice->margin_errors >= HRV_CLEAR_MARGIN;
    choice->criteria[CRITERION_SWING] = true;
    choice->criteria[CRITERION_LF_PEAK] = true;
    choice->criteria[CRITERION_FOLLOW] = true;
    for (size_t i = 0; i < out->rate_count; i++) {
        const hrv_rate *rate = &out->rates[i];
        if (!rate->enough || i == choice->best)
            continue;
        if (rate->lf_peak_density > best->lf_peak_density)
            choice->criteria[CRITERION_LF_PEAK] = false;
        if (rate->follow > best->follow)
            choice->criteria[CRITERION_FOLLOW] = false;
    }
    choice->criteria[CRITERION_ONE_PEAK] =
        best->lf_peaks == 1 && fabs(best->lf_peak_hz - best->rate / 60.0) <= HRV_PEAK_NEAR_HZ;
}

int hrv_analyse(const recording *rec, hrv_analysis *out)
{
    *out = (hrv_analysis){0};
    corrected_series series = {0};
    int result = correct_runs(rec, &series, out);
    if (result == RESULT_OK)
        result = find_rates(rec, out);
    for (size_t i = 0; result == RESULT_OK && i < out->rate_count; i++)
        result = measure_rate(&series, rec, &out->rates[i]);
    if (result == RESULT_OK) {
        time_domain(&series, 0, series.count, &out->rmssd, &out->sdnn);
        choose_resonance(out);
        out->beats = series.beats;
        out->beat_count = series.count;
        series.beats = NULL;
    }
    free(series.beats);
    free(series.run);
    free(series.raw_kinds);
    if (result != RESULT_OK)
        hrv_analysis_free(out);
    return result;
}

void hrv_analysis_free(hrv_analysis *analysis)
{
    free(analysis->rates);
    free(analysis->beats);
    *analysis = (hrv_analysis){0};
}
