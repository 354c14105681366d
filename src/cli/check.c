/* check.c: `breathe --check`, a session's timeline and warnings (see
 * cli/modes.h). */
#include "cli/modes.h"

#include <stdlib.h>
#include <string.h>

#include "authoring/lint.h"
#include "base/text.h"
#include "cli/status.h"
#include "format/resonance.h"
#include "play/library.h"
#include "render/step_timing.h"

typedef struct {
    const timeline *timeline;
    FILE *out;
} check_context;

enum { LABEL_COLUMN = 30 };

/* One line per step: start, length, breaths a minute (breathe steps), the
 * label indented by repeat depth, then what the step is. */
static void print_step(void *context, const session_step *step, int depth, int64_t start,
                       int64_t length, long long rounds)
{
    check_context *c = context;
    int rate = timeline_rate(c->timeline);
    char at[32], span[32], pace[32] = "", what[256];
    timeline_format_time(at, sizeof at, start, rate);
    timeline_format_time(span, sizeof span, length, rate);
    const step_timing *timing = step_timings[step->type];
    timing->describe(c->timeline, step, rounds, what, sizeof what);
    if (timing->pace) {
        step_pace per_minute;
        timing->pace(step, &per_minute);
        if (per_minute.ramps)
            snprintf(pace, sizeof pace, "%.1f-%.1f", per_minute.from, per_minute.to);
        else
            snprintf(pace, sizeof pace, "%.1f", per_minute.from);
    }
    /* Pad by characters, not bytes, so labels in any language line up. */
    const char *label = step->label[0] ? step->label : "-";
    int shown = 2 * depth + text_characters(label);
    fprintf(c->out, "  %8s %8s %9s  %*s%s%*s  %s\n", at, span, pace, 2 * depth, "", label,
            shown < LABEL_COLUMN ? LABEL_COLUMN - shown : 0, "", what);
}

/* pattern = "resonance" with no rate saved: said once, at its first step. */
static void warn_resonance_unsaved(const loaded_session *l, const report_sink *sink)
{
    const session_step *step = session_first_resonance_step(l->session);
    if (!step || l->resonance_rate > 0)
        return;
    report_warning(sink, step->file ? step->file : l->session->path, step->line,
                   "pattern = \"resonance\": no resonance rate is saved yet, so it paces at "
                   "%g breaths a minute; measure yours with a heart-rate recording and "
                   "breathe --analyze RECORDING --save (docs/hrv.md)",
                   SESSION_RESONANCE_FALLBACK_RATE);
}

int cli_check(char **names, int count, FILE *out, const report_sink *sink)
{
    int worst = 0;
    for (int i = 0; i < count; i++) {
        loaded_session l;
        int code = library_load(names[i], &l, sink);
        if (code) {
            worst = code > worst ? code : worst;
            continue;
        }
        const session *s = l.session;
        fprintf(out, "%s: %s\n", s->path, s->title);
        if (s->description[0])
            fprintf(out, "  %s\n", s->description);
        if (s->author[0])
            fprintf(out, "  by %s\n", s->author);
        if (s->caution)
            fprintf(out, "  Caution: %s\n", s->caution);
        fprintf(out, "  %8s %8s %9s  %-*s  %s\n", "start", "length", "per min", LABEL_COLUMN,
                "label", "step");
        check_context c = { l.timeline, out };
        timeline_walk(l.timeline, print_step, &c);
        int64_t total = timeline_length(l.timeline);
        char length[32];
        timeline_format_time(length, sizeof length, total, s->sample_rate);
        if (total == TIMELINE_FOREVER)
            fprintf(out, "  total: runs until stopped\n");
        else
            fprintf(out, "  total: %s (%lld frames at %d Hz)\n", length, (long long)total,
                    s->sample_rate);
        fflush(out);
        warn_resonance_unsaved(&l, sink);
        lint_session_report(l.timeline, sink);
        library_unload(&l);
    }
    return worst;
}

