/* lint.c: warnings for session authors. See lint.h. */
#include "authoring/lint.h"
#include "render/step_timing.h"

#include <dirent.h>
#include <ebur128.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Every warning an author can see, printed as "FILE:LINE: warning: message". */
#define MSG_VOICE_CUE_TOO_LONG "the %s voice cue '%s' lasts %.1f s, longer than the %s it starts (%.1f s, cycle %lld), so it runs into the next phase; use a shorter recording or a longer phase"
#define MSG_STEP_CUE_TOO_LONG  "the cue '%s' lasts %.1f s, longer than the %s step it introduces (%.1f s); shorten the cue or lengthen the step"
#define MSG_LONG_HOLD          "a %s of %g s is longer than %g s and the session has no 'caution'; add one, like caution = \"Stop holding if you feel dizzy or short of breath.\";"
#define MSG_PACE               "%.1f breaths a minute is outside %g to %g and the session has no 'caution'; add one that says who the pace is for and when to stop"
#define MSG_NO_LABEL           "this %s step has no label; in a session of %s the label is how the listener knows where they are: add label = \"...\";"
#define MSG_CUE_CLIPS          "'%s' peaks at %+.2f dBFS, above %g dBFS: it is clipped or about to clip; lower it by a few dB in an audio editor"
#define MSG_CUE_SILENT         "'%s' is silent"
#define MSG_CUE_QUIET          "'%s' measures %.1f LUFS, below %g LUFS: it will hardly be heard; normalise the file (the bundled voice is at -20 LUFS)"
#define MSG_CUE_QUIETER        "'%s' measures %.1f LUFS, %.0f LU below the median of the session's cue files (%.1f LUFS); normalise it to match the others"
#define MSG_UNUSED_AUDIO       "'%s' in audio_dir '%s' is not used by this session"
#define MSG_AUDIO_DIR_MISSING  "audio_dir '%s' does not exist; relative audio paths are looked up next to the session and in the installed audio folders"

/* Extensions of audio files looked at in audio_dir (case does not matter). */
static const char *const audio_extensions[] = {
    "wav", "flac", "ogg", "oga", "opus", "mp3", "aif", "aiff", "aifc", "au", "caf", "w64",
    "rf64", NULL
};

/* Cycles whose voice cues are measured at the start of a step; the last cued
 * cycle is measured too. Ramps move phase lengths one way, so the shortest
 * phases are at one end of the cued cycles. */
enum { LINT_FIRST_CYCLES = 4, LINT_MAX_UNUSED_FILES = 4096 };

typedef struct {
    const timeline *timeline;
    const session *session;
    lint_report report;
    void *context;
    int count;
} linter;

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static void warn(linter *l, lint_kind kind, const char *file, int line, const char *format, ...)
{
    char message[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    l->report(l->context, kind, file ? file : l->session->path, line, message);
    l->count++;
}

static double frames_to_seconds(const linter *l, int64_t frames)
{
    return (double)frames / (double)timeline_rate(l->timeline);
}

/* ---- breathe steps ---- */

static void lint_pace_and_holds(linter *l, const session_step *step)
{
    if (l->session->caution)
        return;
    const breath_pattern *ends[2] = { &step->breathe.pattern, &step->breathe.ramp_to };
    double longest_hold = 0.0, slowest = INFINITY, fastest = 0.0;
    breath_kind hold_kind = BREATH_HOLD;
    for (int e = 0; e < 2; e++) {
        const breath_pattern *p = ends[e];
        for (int i = 0; i < p->count; i++) {
            bool hold = p->kind[i] == BREATH_HOLD || p->kind[i] == BREATH_HOLD_OUT;
            if (hold && p->seconds[i] > longest_hold) {
                longest_hold = p->seconds[i];
                hold_kind = p->kind[i];
            }
        }
        double per_minute = 60.0 / breath_pattern_seconds(p);
        slowest = fmin(slowest, per_minute);
        fastest = fmax(fastest, per_minute);
    }
    if (longest_hold > LINT_HOLD_SECONDS)
        warn(l, LINT_LONG_HOLD, step->file, step->line, MSG_LONG_HOLD, breath_kind_name(hold_kind),
             longest_hold, LINT_HOLD_SECONDS);
    if (slowest < LINT_PACE_MIN_PER_MINUTE || fastest > LINT_PACE_MAX_PER_MINUTE)
        warn(l, LINT_PACE, step->file, step->line, MSG_PACE,
             slowest < LINT_PACE_MIN_PER_MINUTE ? slowest : fastest,
             LINT_PACE_MIN_PER_MINUTE, LINT_PACE_MAX_PER_MINUTE);
}

/* First frame of cycle k in the span's timed part (a binary search over
 * frames: cycles only grow with the frame). */
static int64_t cycle_start_frame(const timeline *t, const timeline_span *span, long long k)
{
    int64_t low = span->timed_start, high = span->timed_end;
    while (low < high) {
        int64_t mid = low + (high - low) / 2;
        timeline_breath b;
        if (timeline_breath_at(t, span, mid, &b) && b.cycle >= k)
            high = mid;
        else
            low = mid + 1;
    }
    return low;
}

static void lint_voice_cycle(linter *l, const timeline_span *span, long long k,
                             bool reported[BREATH_KIND_COUNT])
{
    const session_step *step = span->step;
    const voice_settings *voice = &step->breathe.voice;
    int64_t frame = cycle_start_frame(l->timeline, span, k);
    timeline_breath b;
    while (frame < span->timed_end && timeline_breath_at(l->timeline, span, frame, &b)
           && b.cycle == k) {
        const audio_clip *cue = voice->cue[b.kind];
        if (cue && !reported[b.kind] && cue->frames > b.length) {
            reported[b.kind] = true;
            const char *kind = breath_kind_name(b.kind);
            warn(l, LINT_VOICE_CUE_TOO_LONG, step->file, step->line, MSG_VOICE_CUE_TOO_LONG, kind,
                 cue->path, frames_to_seconds(l, cue->frames), kind,
                 frames_to_seconds(l, b.length), k + 1);
        }
        frame = b.start + b.length;
    }
}

static void lint_voice_cues(linter *l, const timeline_span *span)
{
    const session_step *step = span->step;
    const voice_settings *voice = &step->breathe.voice;
    bool any = false;
    for (int k = 0; k < BREATH_KIND_COUNT; k++)
        any = any || voice->cue[k];
    if (!any)
        return;
    long long total = timeline_breathe_cycles(l->timeline, step);
    long long cued = voice->cycles == 0 || voice->cycles > total ? total : voice->cycles;
    bool reported[BREATH_KIND_COUNT] = { false };
    for (long long k = 0; k < cued && k < LINT_FIRST_CYCLES; k++)
        lint_voice_cycle(l, span, k, reported);
    if (cued > LINT_FIRST_CYCLES)
        lint_voice_cycle(l, span, cued - 1, reported);
}

/* ---- every step ---- */

static void visit_step(void *context, const session_step *step, int depth, int64_t start,
                       int64_t length, long long rounds)
{
    linter *l = context;
    (void)depth;
    (void)length;
    (void)rounds;
    int64_t total = timeline_length(l->timeline);
    bool long_session = total == TIMELINE_FOREVER
                        || frames_to_seconds(l, total) >= LINT_LABELS_FROM_SECONDS;
    const step_timing *timing = step_timings[step->type];
    bool runs_a_while = timing->lasts_a_while;
    if (long_session && runs_a_while && !step->label[0]) {
        char how_long[64];
        if (total == TIMELINE_FOREVER)
            snprintf(how_long, sizeof how_long, "that runs until stopped");
        else
            snprintf(how_long, sizeof how_long, "%.0f minutes", frames_to_seconds(l, total) / 60.0);
        warn(l, LINT_NO_LABEL, step->file, step->line, MSG_NO_LABEL, step_type_name(step->type), how_long);
    }
    if (timing->breathes)
        lint_pace_and_holds(l, step);

    timeline_span span;
    if (!runs_a_while || !timeline_locate(l->timeline, start, &span) || span.step != step)
        return;
    int64_t timed = span.timed_end - span.timed_start;
    if (step->precue && step->precue->frames > timed)
        warn(l, LINT_STEP_CUE_TOO_LONG, step->file, step->line, MSG_STEP_CUE_TOO_LONG, step->precue->path,
             frames_to_seconds(l, step->precue->frames), step_type_name(step->type),
             frames_to_seconds(l, timed));
    if (timing->breathes)
        lint_voice_cues(l, &span);
}

/* ---- cue files ---- */

/* A long clip is not held in memory: it is read from its file in pieces. */
static int add_streamed_clip(ebur128_state *state, const audio_clip *clip, int rate)
{
    enum { PIECE_FRAMES = 65536 };
    char why[256];
    audio_clip_reader *reader = NULL;
    float *piece = malloc(sizeof *piece * 2 * PIECE_FRAMES);
    int status = piece && audio_clip_reader_open(clip, rate, 0, &reader, why, sizeof why) == 0
                     ? 0 : 1;
    for (int64_t done = 0; status == 0 && done < clip->frames;) {
        int64_t got = audio_clip_reader_read(reader, piece, PIECE_FRAMES);
        if (got <= 0)
            break;
        if (ebur128_add_frames_float(state, piece, (size_t)got) != EBUR128_SUCCESS)
            status = 1;
        done += got;
    }
    if (reader)
        audio_clip_reader_close(reader);
    free(piece);
    return status;
}

int lint_clip_loudness(const audio_clip *clip, int rate, double *lufs, double *peak_dbfs)
{
    *lufs = -HUGE_VAL;
    *peak_dbfs = -HUGE_VAL;
    ebur128_state *state = ebur128_init(2, (unsigned long)rate,
                                        EBUR128_MODE_I | EBUR128_MODE_SAMPLE_PEAK);
    if (!state)
        return 1;
    int status = 0;
    if (clip->samples) {
        if (clip->frames > 0
            && ebur128_add_frames_float(state, clip->samples, (size_t)clip->frames)
                   != EBUR128_SUCCESS)
            status = 1;
    } else {
        status = add_streamed_clip(state, clip, rate);
    }
    double loudness = -HUGE_VAL, peak = 0.0;
    if (status == 0 && ebur128_loudness_global(state, &loudness) == EBUR128_SUCCESS)
        *lufs = loudness;
    for (unsigned channel = 0; channel < 2 && status == 0; channel++) {
        double channel_peak = 0.0;
        if (ebur128_sample_peak(state, channel, &channel_peak) == EBUR128_SUCCESS)
            peak = fmax(peak, channel_peak);
    }
    if (peak > 0.0)
        *peak_dbfs = 20.0 * log10(peak);
    ebur128_destroy(&state);
    return status;
}

typedef struct {
    const audio_clip **clips;
    size_t count, capacity;
} clip_set;

static void clip_set_add(void *context, const audio_clip *clip)
{
    clip_set *set = context;
    if (!clip)
        return;
    for (size_t i = 0; i < set->count; i++)
        if (set->clips[i] == clip)
            return;
    if (set->count == set->capacity) {
        size_t capacity = set->capacity ? set->capacity * 2 : 16;
        const audio_clip **grown = realloc(set->clips, capacity * sizeof *grown);
        if (!grown)
            return;
        set->clips = grown;
        set->capacity = capacity;
    }
    set->clips[set->count++] = clip;
}

/* The clips that are spoken or played as cues (not the background). */
static void collect_cues(clip_set *set, const session_step *steps, size_t count)
{
    for (size_t i = 0; i < count; i++)
        session_step_cues(&steps[i], clip_set_add, set);
}

/* Where a clip is first named: its line, and the file that line is in. */
static int clip_line(const session *s, const audio_clip *clip, const char **file)
{
    *file = NULL;
    for (size_t i = 0; i < s->clip_count; i++) {
        if (s->clips[i] == clip) {
            if (s->clip_files)
                *file = s->clip_files[i];
            return s->clip_lines ? s->clip_lines[i] : 1;
        }
    }
    return 1;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void lint_cue_files(linter *l)
{
    const session *s = l->session;
    clip_set set = { NULL, 0, 0 };
    collect_cues(&set, s->steps, s->step_count);
    double *lufs = calloc(set.count ? set.count : 1, sizeof *lufs);
    double *sorted = calloc(set.count ? set.count : 1, sizeof *sorted);
    if (!lufs || !sorted) {
        free(lufs);
        free(sorted);
        free(set.clips);
        return;
    }
    size_t measured = 0;
    for (size_t i = 0; i < set.count; i++) {
        double peak;
        const audio_clip *clip = set.clips[i];
        const char *file;
        int line = clip_line(s, clip, &file);
        lint_clip_loudness(clip, s->sample_rate, &lufs[i], &peak);
        if (peak > LINT_PEAK_DBFS)
            warn(l, LINT_CUE_CLIPS, file, line, MSG_CUE_CLIPS, clip->path, peak,
                 LINT_PEAK_DBFS);
        if (peak == -HUGE_VAL)
            warn(l, LINT_CUE_QUIET, file, line, MSG_CUE_SILENT, clip->path);
        else if (isfinite(lufs[i]) && lufs[i] < LINT_QUIET_LUFS)
            warn(l, LINT_CUE_QUIET, file, line, MSG_CUE_QUIET, clip->path, lufs[i], LINT_QUIET_LUFS);
        if (isfinite(lufs[i]))
            sorted[measured++] = lufs[i];
    }
    if (measured >= 2) {
        qsort(sorted, measured, sizeof *sorted, compare_doubles);
        double median = measured % 2 ? sorted[measured / 2]
                                     : 0.5 * (sorted[measured / 2 - 1] + sorted[measured / 2]);
        for (size_t i = 0; i < set.count; i++) {
            double below = median - lufs[i];
            if (isfinite(lufs[i]) && lufs[i] >= LINT_QUIET_LUFS
                && below >= LINT_QUIET_BELOW_MEDIAN_LU) {
                const char *file;
                int line = clip_line(s, set.clips[i], &file);
                warn(l, LINT_CUE_QUIET, file, line, MSG_CUE_QUIETER, set.clips[i]->path,
                     lufs[i], below, median);
            }
        }
    }
    free(lufs);
    free(sorted);
    free(set.clips);
}

/* ---- audio_dir ---- */

static bool has_audio_extension(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name)
        return false;
    for (int i = 0; audio_extensions[i]; i++)
        if (strcasecmp(dot + 1, audio_extensions[i]) == 0)
            return true;
    return false;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_used(const session *s, const char *real)
{
    bool used = false;
    for (size_t i = 0; i < s->clip_count && !used; i++) {
        char *clip_real = realpath(s->clips[i]->path, NULL);
        used = clip_real && strcmp(clip_real, real) == 0;
        free(clip_real);
    }
    return used;
}

/* Files directly inside audio_dir only: subfolders (like the installed
 * voice/) are taken to be shared between sessions. */
static void lint_unused_audio(linter *l)
{
    const session *s = l->session;
    if (!s->audio_dir)
        return;
    struct stat folder;
    if (stat(s->audio_dir, &folder) != 0 || !S_ISDIR(folder.st_mode)) {
        warn(l, LINT_AUDIO_DIR_MISSING, s->audio_dir_file, s->audio_dir_line,
             MSG_AUDIO_DIR_MISSING, s->audio_dir);
        return;
    }
    DIR *dir = opendir(s->audio_dir);
    if (!dir)
        return;
    char **names = NULL;
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) && count < LINT_MAX_UNUSED_FILES) {
        if (entry->d_name[0] == '.' || !has_audio_extension(entry->d_name))
            continue;
        char **grown = realloc(names, (count + 1) * sizeof *names);
        if (!grown)
            break;
        names = grown;
        if (!(names[count] = strdup(entry->d_name)))
            break;
        count++;
    }
    closedir(dir);
    if (count > 0)
        qsort(names, count, sizeof *names, compare_names);
    for (size_t i = 0; i < count; i++) {
        size_t n = strlen(s->audio_dir) + strlen(names[i]) + 2;
        char *path = malloc(n);
        if (path) {
            snprintf(path, n, "%s/%s", s->audio_dir, names[i]);
            struct stat info;
            char *real = stat(path, &info) == 0 && S_ISREG(info.st_mode)
                             ? realpath(path, NULL) : NULL;
            if (real && !is_used(s, real))
                warn(l, LINT_UNUSED_AUDIO, s->audio_dir_file, s->audio_dir_line,
                     MSG_UNUSED_AUDIO, names[i], s->audio_dir);
            free(real);
            free(path);
        }
        free(names[i]);
    }
    free(names);
}

int lint_session(const timeline *t, lint_report report, void *context)
{
    linter l = { t, timeline_session(t), report, context, 0 };
    timeline_walk(t, visit_step, &l);
    lint_cue_files(&l);
    lint_unused_audio(&l);
    return l.count;
}

static void warn_to_sink(void *context, lint_kind kind, const char *file, int line,
                         const char *message)
{
    (void)kind;
    report_warning(context, file, line, "%s", message);
}

int lint_session_report(const timeline *t, const report_sink *sink)
{
    return lint_session(t, warn_to_sink, (void *)sink);
}
