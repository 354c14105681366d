/* summary.c: an analysis as text (summary.h). */
#include "hrv/summary.h"

#include <math.h>

/* A rate as people write it: 6.5, 6, 5.25. */
#define RATE_SHOWN(rate) (round((rate) * 100.0) / 100.0)

double hrv_margin_shown(double margin_errors)
{
    return isfinite(margin_errors) ? floor(margin_errors * 10.0) / 10.0 : margin_errors;
}

void hrv_format_clock(char *text, size_t size, double seconds)
{
    long long s = llround(seconds);
    if (s >= 3600)
        snprintf(text, size, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(text, size, "%lld:%02lld", s / 60, s % 60);
}

static void print_header(const char *path, const recording *rec, const hrv_analysis *a,
                         FILE *out)
{
    fprintf(out, "Recording: %s\n", path);
    if (rec->session || rec->started || rec->source)
        fprintf(out, "  session %s, started %s, source %s\n", rec->session ? rec->session : "?",
                rec->started ? rec->started : "?", rec->source ? rec->source : "?");
    size_t corrected = beat_counts_artefacts(&a->artefacts);
    fprintf(out, "Beats: %zu intervals, %zu dropout%s; corrected (Lipponen and Tarvainen "
                 "2019): %zu", a->raw_beats, a->gaps, a->gaps == 1 ? "" : "s", corrected);
    for (int kind = BEAT_NORMAL + 1; kind < BEAT_KIND_COUNT; kind++)
        fprintf(out, "%s%zu %s", kind == BEAT_NORMAL + 1 ? " (" : ", ",
                a->artefacts.of_kind[kind], beat_kind_name((beat_kind)kind));
    fprintf(out, ", %.1f %%)\n",
            a->raw_beats ? 100.0 * (double)corrected / (double)a->raw_beats : 0.0);
    fprintf(out, "Whole recording: RMSSD %.1f ms, SDNN %.1f ms\n", a->rmssd, a->sdnn);
}

static void print_table(const hrv_analysis *a, FILE *out)
{
    if (a->rate_count == 0) {
        fputs("\nNo paced breathing in this recording (the bpm column is empty).\n", out);
        return;
    }
    fputs("\n rate/min   from  breaths  beats  corrected  swing bpm     LF ms²  LF peak Hz"
          "  follow  phase  RMSSD ms  SDNN ms\n", out);
    bool short_rates = false;
    for (size_t i = 0; i < a->rate_count; i++) {
        const hrv_rate *r = &a->rates[i];
        char from[16];
        hrv_format_clock(from, sizeof from, r->start);
        fprintf(out, "%9.2f %6s %8zu %6zu %10zu %5.1f ± %4.1f %10.1f %11.3f %7.2f %5.0f° "
                     "%9.1f %8.1f%s\n",
                r->rate, from, r->breaths, r->beats, r->artefacts, r->swing_bpm,
                r->swing_spread, r->lf_power, r->lf_peak_hz, r->follow, r->phase_degrees,
                r->rmssd, r->sdnn, r->enough ? "" : " *");
        short_rates = short_rates || !r->enough;
    }
    fputs("\nswing: highest minus lowest heart rate within each breath, mean ± standard "
          "deviation;\nLF: 0.04-0.15 Hz power of the RR series resampled at 4 Hz, detrended, "
          "Hann-windowed periodogram;\nfollow: share of the RR variation at the breathing "
          "rate (0-1); phase: where in the breath\nheart rate peaks (0° = the in-breath "
          "starts); the first 15 s of each rate are left out.\n", out);
    if (short_rates)
        fprintf(out, "* too few clean beats: fewer than %d whole breaths, or more than %.0f %% "
                     "of beats corrected; not considered\n",
                HRV_MIN_BREATHS, 100.0 * HRV_MAX_ARTEFACT_SHARE);
}

static void print_choice(const hrv_analysis *a, FILE *out)
{
    const resonance_choice *c = &a->resonance;
    fputc('\n', out);
    if (c->outcome == RESONANCE_TOO_FEW) {
        fprintf(out, "resonance: none chosen: too few clean beats (%zu of %zu rate%s measured "
                     "well enough; at least 2 are needed to compare)\n",
                c->rates_with_enough, a->rate_count, a->rate_count == 1 ? "" : "s");
        return;
    }
    const hrv_rate *best = &a->rates[c->best], *next = &a->rates[c->runner_up];
    if (c->outcome == RESONANCE_TIE) {
        fprintf(out, "resonance: none chosen: a tie between %g and %g breaths a minute "
                     "(swing %.1f and %.1f bpm, %.1f standard errors apart, less than %g); "
                     "repeat the assessment\n",
                RATE_SHOWN(best->rate), RATE_SHOWN(next->rate), best->swing_bpm, next->swing_bpm,
                hrv_margin_shown(c->margin_errors), HRV_TIE_MARGIN);
        return;
    }
    fprintf(out, "resonance: %g breaths a minute\n", RATE_SHOWN(best->rate));
    fprintf(out, "  chosen by the largest swing, %.1f bpm against %.1f at %g a minute: "
                 "%.1f standard errors apart, %s\n",
            best->swing_bpm, next->swing_bpm, RATE_SHOWN(next->rate), hrv_margin_shown(c->margin_errors),
            c->clear ? "a clear choice" : "a narrow choice (3 or more would be clear)");
    int met = 0;
    for (int k = 0; k < CRITERION_COUNT; k++)
        met += c->criteria[k];
    fprintf(out, "  %d of %d criteria agree (Shaffer and Meehan 2020):", met, CRITERION_COUNT);
    for (int k = 0; k < CRITERION_COUNT; k++)
        fprintf(out, "%s %s%s", k ? ";" : "", c->criteria[k] ? "" : "not: ",
                resonance_criterion_name((resonance_criterion)k));
    fputc('\n', out);
}

void hrv_summary_print(const char *path, const recording *rec,
                       const hrv_analysis *analysis, FILE *out)
{
    print_header(path, rec, analysis, out);
    print_table(analysis, out);
    print_choice(analysis, out);
}
