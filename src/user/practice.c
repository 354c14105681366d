/* practice.c: the report of --stats and the web remote (see practice.h). */
#include "user/practice.h"

#include <stdlib.h>

#include "user/resonance.h"

int practice_stats(time_t now, history_stats *stats, char **path, const report_sink *sink)
{
    *path = history_path(getenv("XDG_STATE_HOME"), getenv("HOME"));
    history_record *records;
    size_t count;
    if (history_read(*path, &records, &count, sink) != 0)
        return 1;
    history_compute(records, count, now, history_utc_offset(now), stats);
    free(records);
    return 0;
}

static int print_resonance_rate(FILE *out, const report_sink *sink)
{
    char *path = resonance_saved_path(getenv("XDG_STATE_HOME"), getenv("HOME"));
    resonance_saved saved;
    int code = resonance_saved_read(path, &saved, sink);
    if (code == 0 && saved.saved)
        fprintf(out, "Resonance rate: %g breaths a minute, measured %s%s%s\n", saved.rate,
                saved.measured[0] ? saved.measured : "(no time given)",
                saved.recording ? " from " : "", saved.recording ? saved.recording : "");
    else if (code == 0)
        fputs("Resonance rate: none saved; pattern = \"resonance\" paces at 6 breaths a "
              "minute (measure yours: breathe --analyze RECORDING --save)\n", out);
    resonance_saved_free(&saved);
    free(path);
    return code;
}

int practice_print(FILE *out, const report_sink *sink)
{
    history_stats stats;
    char *path;
    if (practice_stats(time(NULL), &stats, &path, sink) != 0) {
        free(path);
        return 1;
    }
    history_print(&stats, out);
    fprintf(out, "\nHistory: %s\n", path ? path : "none (neither XDG_STATE_HOME nor HOME is set)");
    free(path);
    return print_resonance_rate(out, sink);
}
