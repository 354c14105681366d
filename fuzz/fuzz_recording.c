/* fuzz_recording.c: libFuzzer harness for heart-rate recordings.
 *
 * Each input is a recording's text, parsed with recording_parse(). One that
 * is accepted is analysed as breathe --analyze does (artefacts corrected,
 * every paced rate measured, the resonance rate chosen), printed and drawn
 * to memory. A crash, a leak, undefined behaviour, a hang, an input that is
 * rejected without exactly one error or accepted with one, or a measure that
 * is not a finite number is a finding. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "hrv/analysis.h"
#include "hrv/plot.h"
#include "hrv/recording.h"
#include "hrv/summary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count_errors(void *context, const report_entry *entry)
{
    (void)entry;
    (*(int *)context)++;
}

static void check_finite(const hrv_analysis *a)
{
    for (size_t i = 0; i < a->rate_count; i++) {
        const hrv_rate *r = &a->rates[i];
        double values[] = {r->swing_bpm, r->swing_spread, r->lf_power, r->lf_peak_hz,
                           r->lf_peak_density, r->follow, r->phase_degrees, r->rmssd, r->sdnn};
        for (size_t k = 0; k < sizeof values / sizeof values[0]; k++)
            if (!isfinite(values[k]))
                abort();
    }
    for (size_t i = 0; i < a->beat_count; i++)
        if (!isfinite(a->beats[i].t) || !(a->beats[i].rr_ms > 0))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int errors = 0;
    report_sink sink = {count_errors, &errors};
    recording rec;
    int result = recording_parse("fuzz.tsv", (const char *)data, size, &rec, &sink);
    if ((result == RESULT_OK) != (errors == 0) || (result != RESULT_OK && errors != 1))
        abort();
    if (result != RESULT_OK)
        return 0;
    hrv_analysis analysis;
    if (hrv_analyse(&rec, &analysis) == RESULT_OK) {
        check_finite(&analysis);
        FILE *sink_file = fopen("/dev/null", "w");
        if (sink_file) {
            hrv_summary_print("fuzz.tsv", &rec, &analysis, sink_file);
            fclose(sink_file);
        }
        char *svg = NULL;
        size_t svg_size = 0;
        if (hrv_plot_svg("fuzz", &analysis, &svg, &svg_size) == 0)
            free(svg);
        hrv_analysis_free(&analysis);
    }
    recording_free(&rec);
    return 0;
}
