/* analyze.c: `breathe --analyze RECORDING [--save] [--plot FILE.svg]` (see
 * cli/modes.h and docs/hrv.md). */
#include "cli/modes.h"

#include <stdlib.h>
#include <time.h>

#include "hrv/analysis.h"
#include "hrv/plot.h"
#include "hrv/recording.h"
#include "hrv/summary.h"
#include "user/resonance.h"

static char *saved_rate_path(void)
{
    return resonance_saved_path(getenv("XDG_STATE_HOME"), getenv("HOME"));
}

static int save_rate(const char *recording_path, const hrv_analysis *a, bool quiet, FILE *out,
                     const report_sink *sink)
{
    if (a->resonance.outcome != RESONANCE_FOUND) {
        report_error(sink, NULL, 0, "--save: no resonance rate was found in %s, so none is "
                                    "saved (the rate saved before, if any, is kept)",
                     recording_path);
        return 2;
    }
    double rate = a->rates[a->resonance.best].rate;
    if (rate < RESONANCE_MIN_RATE || rate > RESONANCE_MAX_RATE) {
        report_error(sink, NULL, 0, "--save: %g breaths a minute is outside the resonance "
                                    "rates breathe paces (%g to %g); not saved", rate,
                     RESONANCE_MIN_RATE, RESONANCE_MAX_RATE);
        return 2;
    }
    char *path = saved_rate_path();
    char *absolute = realpath(recording_path, NULL);
    int failed = resonance_saved_write(path, rate, time(NULL),
                                       absolute ? absolute : recording_path, sink);
    if (!failed && !quiet)
        fprintf(out, "saved: %g breaths a minute in %s; sessions with pattern = \"resonance\" "
                     "now pace at it\n", rate, path);
    free(absolute);
    free(path);
    return failed ? 1 : 0;
}

int cli_analyze(const char *recording_path, const cli_analyze_request *request, FILE *out,
                const report_sink *sink)
{
    recording rec;
    int code = recording_read(recording_path, &rec, sink);
    if (code != 0)
        return code;
    hrv_analysis analysis;
    if (hrv_analyse(&rec, &analysis) != 0) {
        report_out_of_memory(sink);
        recording_free(&rec);
        return 1;
    }
    hrv_summary_print(recording_path, &rec, &analysis, out);
    if (request->plot) {
        char title[512];
        snprintf(title, sizeof title, "Heart rate: %s", rec.session ? rec.session : recording_path);
        code = hrv_plot_write(title, &analysis, request->plot, sink);
        if (code == 0 && !request->quiet)
            fprintf(out, "wrote %s\n", request->plot);
    }
    if (code == 0 && request->save)
        code = save_rate(recording_path, &analysis, request->quiet, out, sink);
    hrv_analysis_free(&analysis);
    recording_free(&rec);
    return code;
}
