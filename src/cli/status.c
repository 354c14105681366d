/* status.c: see status.h. */
#include "cli/status.h"

#include <math.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>


const char *status_phase_words(breath_kind kind)
{
    switch (kind) {
    case BREATH_INHALE: return "breathe in";
    case BREATH_HOLD: return "hold";
    case BREATH_EXHALE: return "breathe out";
    case BREATH_HOLD_OUT: return "hold, empty";
    case BREATH_KIND_COUNT: break;   /* not a phase */
    }
    return "";
}

int status_terminal_columns(FILE *stream, int least, int otherwise)
{
    struct winsize size;
    if (isatty(fileno(stream)) && ioctl(fileno(stream), TIOCGWINSZ, &size) == 0
        && size.ws_col >= least)
        return size.ws_col;
    return otherwise;
}

void status_begin(status *s, FILE *stream, bool quiet, status_mode mode, const timeline *t,
                  int64_t end, const char *target)
{
    memset(s, 0, sizeof *s);
    s->stream = stream;
    s->terminal = isatty(fileno(stream));
    s->quiet = quiet;
    s->mode = mode;
    s->timeline = t;
    s->end = end;
    s->target = target;
    s->last_ordinal = -1;
    s->volume_db = NAN;
    s->width = status_terminal_columns(stream, STATUS_LEAST_COLUMNS, STATUS_COLUMNS);
}

/* The step (and breath phase) at frame, in words. */
static void describe(const status *s, int64_t frame, char *out, size_t size)
{
    timeline_span span;
    out[0] = '\0';
    if (!timeline_locate(s->timeline, frame, &span))
        return;
    const session_step *step = span.step;
    const char *label = step->label[0] ? step->label : step_type_name(step->type);
    timeline_breath breath;
    if (timeline_breath_at(s->timeline, &span, frame, &breath)) {
        int rate = timeline_rate(s->timeline);
        long long left = (long long)((breath.start + breath.length - frame + rate - 1) / rate);
        snprintf(out, size, "%s: %s %lld", label, status_phase_words(breath.kind), left);
    } else if (frame < span.timed_start) {
        snprintf(out, size, "%s (cue)", label);
    } else if (frame >= span.timed_end) {
        snprintf(out, size, "%s (pause)", label);
    } else {
        snprintf(out, size, "%s", label);
    }
}

static void log_step(status *s, int64_t frame)
{
    timeline_span span;
    if (!timeline_locate(s->timeline, frame, &span) || span.ordinal == s->last_ordinal)
        return;
    s->last_ordinal = span.ordinal;
    char at[32];
    timeline_format_time(at, sizeof at, frame, timeline_rate(s->timeline));
    const session_step *step = span.step;
    fprintf(s->stream, "[%s] %s%s%s\n", at, step_type_name(step->type),
            step->label[0] ? ": " : "", step->label);
    fflush(s->stream);
}

void status_controls(status *s, int64_t frame, bool paused, double volume_db)
{
    bool pause_changed = paused != s->paused;
    bool volume_changed = !isnan(s->volume_db) && volume_db != s->volume_db;
    s->paused = paused;
    if (volume_changed)
        s->volume_shown = true;
    s->volume_db = volume_db;
    if (s->quiet || s->terminal || !(pause_changed || volume_changed))
        return;
    char at[32];
    timeline_format_time(at, sizeof at, frame, timeline_rate(s->timeline));
    if (pause_changed)
        fprintf(s->stream, "[%s] %s\n", at, paused ? "paused" : "resumed");
    if (volume_changed)
        fprintf(s->stream, "[%s] volume %+g dB\n", at, volume_db);
    fflush(s->stream);
}

/* "  HR 64 swing 9", "  HR --" while no beats come. */
static void describe_heart(const hr_state *heart, char *out, size_t size)
{
    if (!heart->connected || isnan(heart->heart_rate)) {
        snprintf(out, size, "  HR --");
        return;
    }
    if (isnan(heart->swing))
        snprintf(out, size, "  HR %.0f", heart->heart_rate);
    else
        snprintf(out, size, "  HR %.0f swing %.0f", heart->heart_rate, heart->swing);
}

void status_heart(status *s, int64_t frame, const hr_state *heart)
{
    bool was_connected = s->heart_shown && s->heart.connected;
    bool first = !s->heart_shown;
    s->heart_shown = true;
    s->heart = *heart;
    if (s->quiet || s->terminal || (!first && was_connected == heart->connected))
        return;
    if (first && !heart->connected)
        return;
    char at[32];
    timeline_format_time(at, sizeof at, frame, timeline_rate(s->timeline));
    if (heart->connected)
        fprintf(s->stream, "[%s] heart rate: beats from %s\n", at, heart->source);
    else if (heart->ended)
        fprintf(s->stream, "[%s] heart rate: %s has ended\n", at, heart->source);
    else
        fprintf(s->stream, "[%s] heart rate: %s dropped out; waiting for it\n", at,
                heart->source);
    fflush(s->stream);
}

void status_heart_summary(const status *s, const hr_state *heart, const char *recording)
{
    if (s->quiet)
        return;
    fprintf(s->stream, "heart rate: %lld beats, %lld corrected (threshold), %lld gap%s",
            (long long)heart->beats, (long long)heart->artefacts, (long long)heart->gaps,
            heart->gaps == 1 ? "" : "s");
    if (heart->rejected > 0)
        fprintf(s->stream, ", %lld notification%s unreadable", (long long)heart->rejected,
                heart->rejected == 1 ? "" : "s");
    fprintf(s->stream, "\n");
    if (recording)
        fprintf(s->stream, "recorded in %s\n", recording);
    fflush(s->stream);
}

void status_clear(status *s)
{
    if (s->drawn) {
        fprintf(s->stream, "\r\033[K");
        fflush(s->stream);
        s->drawn = false;
    }
}

void status_update(status *s, int64_t frame)
{
    if (s->quiet)
        return;
    if (!s->terminal) {
        if (s->mode == STATUS_PLAYING)
            log_step(s, frame);
        return;
    }
    int rate = timeline_rate(s->timeline);
    char elapsed[32], total[32], words[160];
    /* Positions are the session's own, so --start 2m shows 2:00 at first. */
    timeline_format_time(elapsed, sizeof elapsed, frame, rate);
    timeline_format_time(total, sizeof total, s->end, rate);
    if (s->mode == STATUS_RENDERING)
        snprintf(words, sizeof words, "rendering %s", s->target);
    else if (s->paused)
        snprintf(words, sizeof words, "paused (space resumes)");
    else
        describe(s, frame, words, sizeof words);
    char tail[192], heart[64] = "";
    if (s->heart_shown)
        describe_heart(&s->heart, heart, sizeof heart);
    if (s->volume_shown)
        snprintf(tail, sizeof tail, "%s %s / %s  vol %+g dB", heart, elapsed, total, s->volume_db);
    else
        snprintf(tail, sizeof tail, "%s %s / %s", heart, elapsed, total);
    int room = s->width - 1 - (int)strlen(tail);
    int bar = room / 3 > 40 ? 40 : room / 3;
    int words_room = room - (bar > 0 ? bar + 3 : 0);
    if (words_room < 0)
        words_room = 0;
    char line[512];
    int n = snprintf(line, sizeof line, "%-*.*s", words_room, words_room, words);
    if (bar > 0 && n < (int)sizeof line - bar - 4) {
        double done = s->end == TIMELINE_FOREVER || s->end <= 0
                          ? 0.0 : (double)frame / (double)s->end;
        int filled = (int)(done * bar + 0.5);
        line[n++] = ' ';
        line[n++] = '[';
        for (int i = 0; i < bar; i++)
            line[n++] = i < filled ? '#' : '-';
        line[n++] = ']';
        line[n] = '\0';
    }
    fprintf(s->stream, "\r%s%s\033[K", line, tail);
    fflush(s->stream);
    s->drawn = true;
}

void status_end(status *s, int64_t frame, const char *how)
{
    status_clear(s);
    if (s->quiet || !how)
        return;
    char at[32], total[32];
    int rate = timeline_rate(s->timeline);
    timeline_format_time(at, sizeof at, frame, rate);
    timeline_format_time(total, sizeof total, s->end, rate);
    fprintf(s->stream, "%s at %s of %s\n", how, at, total);
    fflush(s->stream);
}
