/* timeline.c: steps to frames. See timeline.h for the model. */
#include "render/timeline.h"

#include "format/messages.h"
#include "render/ease.h"
#include "render/timeline_parts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* What each step type does is in render/steps/ (step_timing.h); this file
 * holds what they share: the tree of steps and repeats, breath plans, and
 * events in order. */
#define MIN_BREATH_PHASE_SECONDS 0.001

/* A breathe step's cycles in closed form. Cycle k starts at t(k) seconds
 * after the timed part starts; its phases last p + (q - p) * w(k). */
typedef struct {
    int count;
    double from[SESSION_MAX_PHASES];   /* pattern */
    double to[SESSION_MAX_PHASES];     /* ramp_to (or pattern) */
    breath_kind kind[SESSION_MAX_PHASES];
    double from_sum, to_sum;           /* cycle lengths at both ends */
    bool by_cycles;
    long long cycles;                  /* the count asked for, by_cycles */
    double duration;                   /* by duration */
    double growth;                     /* by duration: t(k+1) = t(k) * (1 + growth) + from_sum */
    long long total_cycles;            /* cycles the step plays */
    double later_start_fullness;       /* fullness when any cycle after the first starts */
} breath_plan;

typedef struct timeline_leaf node;
struct timeline_leaf {
    const session_step *step;
    int64_t length;               /* whole node, TIMELINE_FOREVER when endless */
    bool is_leaf;                 /* a step that is not a repeat */
    /* Every step: its spoken cue before, its timed part (a repeat's rounds),
     * its gap after */
    int64_t precue_frames, timed_frames, gap_frames;
    breath_plan plan;
    /* Repeats (and the session's step list, a repeat of one round) */
    node *children;
    size_t child_count;
    int64_t *child_offsets;       /* child_count + 1 offsets inside one round */
    int64_t *child_ordinals;      /* leaf spans before each child inside one round */
    int64_t round_length;
    long long rounds;             /* 0: forever */
    int64_t leaves_per_round;
    int64_t leaves;               /* leaf spans in the whole node (saturating) */
};

struct timeline {
    const session *session;
    int rate;
    node root;
    int64_t longest_event;
};

static int64_t seconds_to_frames(int rate, double seconds)
{
    return (int64_t)llround(seconds * rate);
}

int64_t timeline_seconds_to_frames(const timeline *t, double seconds)
{
    return seconds_to_frames(t->rate, seconds);
}

static int64_t saturating_add(int64_t a, int64_t b)
{
    if (a == TIMELINE_FOREVER || b == TIMELINE_FOREVER || a > TIMELINE_FOREVER - b)
        return TIMELINE_FOREVER;
    return a + b;
}

static int64_t saturating_multiply(int64_t a, long long b)
{
    if (a == TIMELINE_FOREVER || b == 0)
        return b == 0 ? 0 : TIMELINE_FOREVER;
    if (a != 0 && b > TIMELINE_FOREVER / a)
        return TIMELINE_FOREVER;
    return a * b;
}

/* ---- breath cycles ---- */

static double plan_cycle_start_seconds(const breath_plan *p, long long k)
{
    double kd = (double)k;
    if (p->by_cycles) {
        if (p->cycles <= 1)
            return kd * p->from_sum;
        return kd * p->from_sum
               + (p->to_sum - p->from_sum) * kd * (kd - 1.0) / (2.0 * (double)(p->cycles - 1));
    }
    if (fabs(p->growth) < 1e-15)
        return kd * p->from_sum;
    return p->from_sum * expm1(kd * log1p(p->growth)) / p->growth;
}

/* How far cycle k has moved from pattern (0) to ramp_to (1). */
static double plan_cycle_weight(const breath_plan *p, long long k)
{
    double w;
    if (p->by_cycles)
        w = p->cycles <= 1 ? 0.0 : (double)k / (double)(p->cycles - 1);
    else
        w = plan_cycle_start_seconds(p, k) / p->duration;
    return w < 0.0 ? 0.0 : (w > 1.0 ? 1.0 : w);
}

static void plan_cycle_phases(const breath_plan *p, long long k, double seconds[])
{
    double w = plan_cycle_weight(p, k);
    for (int i = 0; i < p->count; i++)
        seconds[i] = p->from[i] + (p->to[i] - p->from[i]) * w;
}

static int breath_direction(breath_kind kind)
{
    return kind == BREATH_INHALE ? 1 : (kind == BREATH_EXHALE ? -1 : 0);
}

/* Fullness at the end of each phase of a cycle that starts at `start`.
 * Consecutive phases moving the same way (holds between them do not break
 * the run) share one stroke to full or empty, each by its share of time. */
static void plan_cycle_fullness(const breath_plan *p, const double seconds[], double start,
                                double end_fullness[])
{
    double fullness = start;
    int i = 0;
    while (i < p->count) {
        int direction = breath_direction(p->kind[i]);
        if (direction == 0) {
            end_fullness[i++] = fullness;
            continue;
        }
        int stroke_end = i;
        double stroke_seconds = 0.0;
        for (int j = i; j < p->count; j++) {
            int d = breath_direction(p->kind[j]);
            if (d == -direction)
                break;
            if (d == direction) {
                stroke_seconds += seconds[j];
                stroke_end = j;
            }
        }
        double goal = direction > 0 ? 1.0 : 0.0;
        double stroke_start = fullness, done = 0.0;
        for (int j = i; j <= stroke_end; j++) {
            if (breath_direction(p->kind[j]) == direction) {
                done += seconds[j];
                fullness = stroke_seconds > 0.0
                               ? stroke_start + (goal - stroke_start) * (done / stroke_seconds)
                               : goal;
                if (j == stroke_end)
                    fullness = goal;
            }
            end_fullness[j] = fullness;
        }
        i = stroke_end + 1;
    }
}

static long long plan_count_cycles(const breath_plan *p)
{
    if (p->by_cycles)
        return p->cycles;
    if (p->from_sum >= p->duration)
        return 1;
    /* Smallest k >= 1 whose start is at or after the duration. */
    long long low = 1, high = 1;
    while (plan_cycle_start_seconds(p, high) < p->duration)
        high *= 2;
    while (low < high) {
        long long mid = low + (high - low) / 2;
        if (plan_cycle_start_seconds(p, mid) >= p->duration)
            high = mid;
        else
            low = mid + 1;
    }
    return low;
}

static int64_t plan_cycle_start_frame(const breath_plan *p, int rate, long long k)
{
    return seconds_to_frames(rate, plan_cycle_start_seconds(p, k));
}

static void plan_init(breath_plan *p, const session_step *step)
{
    memset(p, 0, sizeof *p);
    const breath_pattern *from = &step->breathe.pattern;
    const breath_pattern *to = step->breathe.ramps ? &step->breathe.ramp_to : from;
    p->count = from->count;
    for (int i = 0; i < p->count; i++) {
        p->from[i] = from->seconds[i];
        p->to[i] = to->seconds[i];
        p->kind[i] = from->kind[i];
    }
    p->from_sum = breath_pattern_seconds(from);
    p->to_sum = breath_pattern_seconds(to);
    p->by_cycles = step->breathe.cycles > 0;
    p->cycles = step->breathe.cycles;
    p->duration = step->breathe.duration_seconds;
    if (!p->by_cycles)
        p->growth = (p->to_sum - p->from_sum) / p->duration;
    p->total_cycles = plan_count_cycles(p);

    double seconds[SESSION_MAX_PHASES], end_fullness[SESSION_MAX_PHASES];
    plan_cycle_phases(p, 0, seconds);
    plan_cycle_fullness(p, seconds, 0.0, end_fullness);
    p->later_start_fullness = end_fullness[p->count - 1];
}

/* ---- building ---- */

struct timeline_builder {
    const session *session;
    int rate;
    const report_sink *report;
    int64_t longest_event;
};
typedef timeline_builder builder;

static void note_event_length(builder *b, int64_t frames)
{
    if (frames > b->longest_event)
        b->longest_event = frames;
}

void timeline_note_event(timeline_builder *b, int64_t frames)
{
    note_event_length(b, frames);
}

int64_t timeline_builder_frames(const timeline_builder *b, double seconds)
{
    return seconds_to_frames(b->rate, seconds);
}

static int build_list(builder *b, node *list, const session_step *steps, size_t count,
                      long long rounds);

/* The file a step was read from (an @include or the session) for errors. */
static const char *file_of(const builder *b, const session_step *step)
{
    return step && step->file ? step->file : b->session->path;
}

static int build_leaf(builder *b, node *n)
{
    const session_step *step = n->step;
    int rate = b->rate;
    n->precue_frames = step->precue ? step->precue->frames : 0;
    n->gap_frames = seconds_to_frames(rate, step->gap_seconds);
    if (step->precue)
        note_event_length(b, step->precue->frames);
    /* A step that breathes: its cycles are planned here, once, in closed
     * form (breath_plan), and its timed part lasts as long as they do. */
    if (step_timings[step->type]->breathes) {
        const breath_pattern *patterns[2] = { &step->breathe.pattern, &step->breathe.ramp_to };
        for (int which = 0; which < (step->breathe.ramps ? 2 : 1); which++) {
            for (int i = 0; i < patterns[which]->count; i++) {
                if (breath_direction(patterns[which]->kind[i]) != 0
                    && patterns[which]->seconds[i] < MIN_BREATH_PHASE_SECONDS) {
                    report_error(b->report, file_of(b, step), step->line, MSG_PHASE_TOO_SHORT);
                    return 2;
                }
            }
            if (breath_pattern_seconds(patterns[which]) <= 0.0) {
                report_error(b->report, file_of(b, step), step->line, MSG_EMPTY_CYCLE);
                return 2;
            }
        }
        plan_init(&n->plan, step);
        double total = plan_cycle_start_seconds(&n->plan, n->plan.total_cycles);
        if (!(total <= SESSION_MAX_TOTAL_SECONDS)) {
            report_error(b->report, file_of(b, step), step->line, MSG_STEP_OVER_LIMIT,
                         total / 3600.0, SESSION_MAX_TOTAL_SECONDS / CLOCK_SECONDS_PER_DAY);
            return 2;
        }
        n->timed_frames = plan_cycle_start_frame(&n->plan, rate, n->plan.total_cycles);
    }
    int status = step_timings[step->type]->build(b, step, &n->timed_frames);
    if (status)
        return status;
    n->length = n->precue_frames + n->timed_frames + n->gap_frames;
    n->leaves = 1;
    n->is_leaf = true;
    return 0;
}

static int check_total(builder *b, const node *n, const session_step *where)
{
    int64_t limit = seconds_to_frames(b->rate, SESSION_MAX_TOTAL_SECONDS);
    if (n->length != TIMELINE_FOREVER && n->length > limit) {
        report_error(b->report, file_of(b, where), where ? where->line : 1,
                     MSG_SESSION_OVER_LIMIT,
                     (double)n->length / b->rate / CLOCK_SECONDS_PER_DAY,
                     SESSION_MAX_TOTAL_SECONDS / CLOCK_SECONDS_PER_DAY);
        return 2;
    }
    return 0;
}

/* A repeat's own cue plays once before its first round and its gap follows
 * the last one; timeline_locate() makes each a span of its own, of the
 * repeat step, with no timed part. */
static int build_repeat(builder *b, node *n)
{
    const session_step *step = n->step;
    int status = build_list(b, n, step->repeat.steps, step->repeat.step_count,
                            step->repeat.forever ? 0 : step->repeat.count);
    if (status)
        return status;
    n->precue_frames = step->precue ? step->precue->frames : 0;
    n->gap_frames = seconds_to_frames(b->rate, step->gap_seconds);
    if (step->precue)
        note_event_length(b, step->precue->frames);
    n->timed_frames = n->length;
    n->length = saturating_add(saturating_add(n->precue_frames, n->timed_frames), n->gap_frames);
    n->leaves = saturating_add(n->leaves, (n->precue_frames > 0) + (n->gap_frames > 0));
    return check_total(b, n, step);
}

static int build_node(builder *b, node *n, const session_step *step)
{
    n->step = step;
    if (step_timings[step->type]->build)
        return build_leaf(b, n);
    return build_repeat(b, n);
}

static int build_list(builder *b, node *list, const session_step *steps, size_t count,
                      long long rounds)
{
    list->children = calloc(count, sizeof *list->children);
    list->child_offsets = calloc(count + 1, sizeof *list->child_offsets);
    list->child_ordinals = calloc(count + 1, sizeof *list->child_ordinals);
    if (!list->children || !list->child_offsets || !list->child_ordinals) {
        report_out_of_memory(b->report);
        return 1;
    }
    list->child_count = count;
    list->rounds = rounds;
    for (size_t i = 0; i < count; i++) {
        int status = build_node(b, &list->children[i], &steps[i]);
        if (status)
            return status;
        list->child_offsets[i + 1] = saturating_add(list->child_offsets[i],
                                                    list->children[i].length);
        list->child_ordinals[i + 1] = saturating_add(list->child_ordinals[i],
                                                     list->children[i].leaves);
    }
    list->round_length = list->child_offsets[count];
    list->leaves_per_round = list->child_ordinals[count];
    if (rounds == 0) {
        list->length = list->round_length == 0 ? 0 : TIMELINE_FOREVER;
        list->leaves = TIMELINE_FOREVER;
    } else {
        list->length = saturating_multiply(list->round_length, rounds);
        list->leaves = saturating_multiply(list->leaves_per_round, rounds);
    }
    return check_total(b, list, list->step ? list->step : (count ? &steps[0] : NULL));
}

static void free_node(node *n)
{
    for (size_t i = 0; i < n->child_count; i++)
        free_node(&n->children[i]);
    free(n->children);
    free(n->child_offsets);
    free(n->child_ordinals);
}

int timeline_build(const session *s, timeline **out, const report_sink *report)
{
    *out = NULL;
    timeline *t = calloc(1, sizeof *t);
    if (!t) {
        report_out_of_memory(report);
        return 1;
    }
    t->session = s;
    t->rate = s->sample_rate;
    builder b = { .session = s, .rate = s->sample_rate, .report = report };
    note_event_length(&b, seconds_to_frames(t->rate, TIMELINE_TICK_SECONDS));
    int status = build_list(&b, &t->root, s->steps, s->step_count, 1);
    if (status) {
        timeline_free(t);
        return status;
    }
    t->longest_event = b.longest_event;
    *out = t;
    return 0;
}

void timeline_free(timeline *t)
{
    if (!t)
        return;
    free_node(&t->root);
    free(t);
}

const session *timeline_session(const timeline *t) { return t->session; }
int timeline_rate(const timeline *t) { return t->rate; }
int64_t timeline_length(const timeline *t) { return t->root.length; }
int64_t timeline_longest_event(const timeline *t) { return t->longest_event; }

/* ---- locating ---- */

bool timeline_locate(const timeline *t, int64_t frame, timeline_span *span)
{
    if (frame < 0 || frame >= t->root.length)
        return false;
    const node *n = &t->root;
    int64_t base = 0, ordinal = 0;
    while (!n->is_leaf) {
        if (n->precue_frames > 0 || n->gap_frames > 0) {
            /* A repeat's cue before its rounds, or its gap after them. */
            int64_t relative = frame - base;
            int64_t rounds_end = saturating_add(n->precue_frames, n->timed_frames);
            if (relative < n->precue_frames || relative >= rounds_end) {
                bool cue = relative < n->precue_frames;
                span->leaf = n;
                span->step = n->step;
                span->start = cue ? base : base + rounds_end;
                span->timed_start = span->timed_end = cue ? base + n->precue_frames : span->start;
                span->end = cue ? span->timed_start : span->start + n->gap_frames;
                span->ordinal = cue ? ordinal
                                    : saturating_add(ordinal, n->leaves - 1);
                return frame < span->end;
            }
            base += n->precue_frames;
            ordinal = saturating_add(ordinal, n->precue_frames > 0);
        }
        if (n->round_length <= 0)
            return false;
        int64_t relative = frame - base;
        int64_t round = relative / n->round_length;
        if (n->round_length == TIMELINE_FOREVER)
            round = 0;
        base += round * (n->round_length == TIMELINE_FOREVER ? 0 : n->round_length);
        ordinal = saturating_add(ordinal, saturating_multiply(n->leaves_per_round, round));
        relative = frame - base;
        /* Last child whose offset is at or before `relative`. */
        size_t low = 0, high = n->child_count;
        while (high - low > 1) {
            size_t mid = (low + high) / 2;
            if (n->child_offsets[mid] <= relative)
                low = mid;
            else
                high = mid;
        }
        while (low + 1 < n->child_count && n->children[low].length == 0)
            low++;
        base += n->child_offsets[low];
        ordinal = saturating_add(ordinal, n->child_ordinals[low]);
        n = &n->children[low];
    }
    span->leaf = n;
    span->step = n->step;
    span->start = base;
    span->timed_start = base + n->precue_frames;
    span->timed_end = span->timed_start + n->timed_frames;
    span->end = base + n->length;
    span->ordinal = ordinal;
    return frame < span->end;
}

/* ---- breath phases ---- */

/* Largest cycle k whose start frame is at or before `relative`. */
static long long cycle_at(const breath_plan *p, int rate, int64_t relative)
{
    long long low = 0, high = p->total_cycles;
    while (high - low > 1) {
        long long mid = low + (high - low) / 2;
        if (plan_cycle_start_frame(p, rate, mid) <= relative)
            low = mid;
        else
            high = mid;
    }
    return low;
}

/* Describes every phase of cycle k at once (a phase may have no frames). */
static void describe_cycle(const breath_plan *p, int rate, int64_t timed_start, long long k,
                           timeline_breath out[])
{
    double seconds[SESSION_MAX_PHASES], end_fullness[SESSION_MAX_PHASES];
    plan_cycle_phases(p, k, seconds);
    double start_fullness = k == 0 ? 0.0 : p->later_start_fullness;
    plan_cycle_fullness(p, seconds, start_fullness, end_fullness);
    double cycle_start = plan_cycle_start_seconds(p, k), cycle_seconds = 0.0;
    for (int i = 0; i < p->count; i++)
        cycle_seconds += seconds[i];
    int64_t cycle_begin = plan_cycle_start_frame(p, rate, k);
    int64_t cycle_end = plan_cycle_start_frame(p, rate, k + 1);
    double offset = 0.0;
    for (int i = 0; i < p->count; i++) {
        int64_t start = seconds_to_frames(rate, cycle_start + offset);
        offset += seconds[i];
        int64_t end = i + 1 == p->count ? cycle_end : seconds_to_frames(rate, cycle_start + offset);
        start = start < cycle_begin ? cycle_begin : start;
        end = end > cycle_end ? cycle_end : end;
        timeline_breath *b = &out[i];
        b->kind = p->kind[i];
        b->previous_kind = i > 0 ? p->kind[i - 1] : (k > 0 ? p->kind[p->count - 1] : p->kind[0]);
        b->start = timed_start + start;
        b->length = end > start ? end - start : 0;
        b->fullness_from = i > 0 ? end_fullness[i - 1] : start_fullness;
        b->fullness_to = end_fullness[i];
        b->cycle = k;
        b->index = i;
        b->cycle_seconds = cycle_seconds;
    }
}

static bool breath_at(const node *leaf, int rate, const timeline_span *span, int64_t frame,
                      timeline_breath *out)
{
    if (!step_timings[span->step->type]->breathes || frame < span->timed_start
        || frame >= span->timed_end)
        return false;
    const breath_plan *p = &leaf->plan;
    long long k = cycle_at(p, rate, frame - span->timed_start);
    timeline_breath cycle[SESSION_MAX_PHASES];
    describe_cycle(p, rate, span->timed_start, k, cycle);
    for (int i = 0; i < p->count; i++) {
        if (cycle[i].length > 0 && frame < cycle[i].start + cycle[i].length) {
            *out = cycle[i];
            return true;
        }
    }
    return false;
}

bool timeline_breath_at(const timeline *t, const timeline_span *span, int64_t frame,
                        timeline_breath *out)
{
    return span->leaf && breath_at(span->leaf, t->rate, span, frame, out);
}

double timeline_fullness(const timeline_breath *b, int64_t frame)
{
    double u = b->length > 0 ? (double)(frame - b->start) / (double)b->length : 1.0;
    return b->fullness_from + (b->fullness_to - b->fullness_from) * ease_raised_cosine(u);
}

long long timeline_breathe_cycles(const timeline *t, const session_step *step)
{
    if (!step_timings[step->type]->breathes)
        return 0;
    breath_plan p;
    plan_init(&p, step);
    (void)t;
    return p.total_cycles;
}

/* ---- a breathe span's cycles ---- */

long long timeline_span_cycles(const timeline_span *span)
{
    return span->leaf->plan.total_cycles;
}

long long timeline_cycle_at(const timeline *t, const timeline_span *span, int64_t relative)
{
    return cycle_at(&span->leaf->plan, t->rate, relative);
}

int64_t timeline_cycle_start(const timeline *t, const timeline_span *span, long long k)
{
    return plan_cycle_start_frame(&span->leaf->plan, t->rate, k);
}

int timeline_cycle_phases(const timeline *t, const timeline_span *span, long long k,
                          timeline_breath out[SESSION_MAX_PHASES])
{
    describe_cycle(&span->leaf->plan, t->rate, span->timed_start, k, out);
    return span->leaf->plan.count;
}

/* ---- events ---- */

static void batch_flush(event_batch *batch)
{
    /* Few events per call: insertion sort by start keeps equal starts in order. */
    for (int i = 1; i < batch->count; i++) {
        timeline_event e = batch->events[i];
        int j = i - 1;
        while (j >= 0 && batch->events[j].start > e.start) {
            batch->events[j + 1] = batch->events[j];
            j--;
        }
        batch->events[j + 1] = e;
    }
    for (int i = 0; i < batch->count; i++)
        batch->emit(batch->context, &batch->events[i]);
    batch->count = 0;
}

void event_batch_add(event_batch *batch, const timeline_event *event)
{
    if (event->start < batch->from || event->start >= batch->to)
        return;
    if (batch->count == TIMELINE_BATCH_EVENTS)
        batch_flush(batch);
    batch->events[batch->count++] = *event;
}

void event_batch_clip(event_batch *batch, int64_t start, const audio_clip *clip,
                      double level_db, bool is_voice)
{
    timeline_event e = { .kind = EVENT_CLIP, .start = start, .clip = clip,
                         .level_db = level_db, .is_voice = is_voice };
    event_batch_add(batch, &e);
}

void event_batch_bell(event_batch *batch, timeline_event_kind kind, int64_t start, double hz,
                      double level_db, int64_t ring_frames)
{
    timeline_event e = { .kind = kind, .start = start, .hz = hz, .level_db = level_db,
                         .ring_frames = ring_frames };
    event_batch_add(batch, &e);
}

void timeline_index_range(int64_t base, int64_t every, int64_t from, int64_t to,
                          long long *first, long long *last)
{
    *first = from <= base ? 0 : (long long)((from - base + every - 1) / every);
    *last = to <= base ? -1 : (long long)((to - 1 - base) / every);
}

void timeline_span_events(const timeline *t, const timeline_span *span, int64_t from, int64_t to,
                          timeline_emit emit, void *context)
{
    const node *leaf = span->leaf;
    if (!leaf || from >= to)
        return;
    /* Set field by field: an initializer would clear the whole event array
     * on every call, which costs more than the events themselves. */
    event_batch batch;
    batch.count = 0;
    batch.from = from;
    batch.to = to;
    batch.emit = emit;
    batch.context = context;
    const session_step *step = span->step;
    /* A repeat's gap is a span of its own, without the cue. */
    if (step->precue && span->timed_start > span->start)
        event_batch_clip(&batch, span->start, step->precue, 0.0, true);
    const step_timing *timing = step_timings[step->type];
    if (timing->events)
        timing->events(t, span, &batch);
    batch_flush(&batch);
}

/* ---- walking ---- */

static void walk(const node *n, int depth, int64_t start, timeline_visit visit, void *context)
{
    for (size_t i = 0; i < n->child_count; i++) {
        const node *child = &n->children[i];
        int64_t at = saturating_add(start, n->child_offsets[i]);
        if (!child->is_leaf) {
            visit(context, child->step, depth, at, child->length,
                  child->rounds);
            walk(child, depth + 1, saturating_add(at, child->precue_frames), visit, context);
        } else {
            visit(context, child->step, depth, at, child->length, 1);
        }
    }
}

void timeline_walk(const timeline *t, timeline_visit visit, void *context)
{
    walk(&t->root, 0, 0, visit, context);
}

void timeline_format_time(char *out, size_t size, int64_t frames, int rate)
{
    if (frames == TIMELINE_FOREVER) {
        snprintf(out, size, "forever");
        return;
    }
    long long seconds = (long long)((frames + rate / 2) / rate);
    if (seconds >= 3600)
        snprintf(out, size, "%lld:%02lld:%02lld", seconds / 3600, seconds / 60 % 60,
                 seconds % 60);
    else
        snprintf(out, size, "%lld:%02lld", seconds / 60, seconds % 60);
}
