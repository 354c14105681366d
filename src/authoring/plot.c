/* plot.c: the SVG picture of a session. See plot.h. */
#include "authoring/plot.h"
#include "base/savefile.h"
#include "base/text.h"
#include "render/step_timing.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Work done per column and per window is bounded so that any session, even
 * one of seven days of very short steps, is drawn quickly: past these the
 * envelope of a column keeps what it has seen, and later marks are dropped. */
enum {
    SEGMENTS_PER_COLUMN = 64,
    MAX_SPANS_FOR_MARKS = 1000000,
};

/* A breath is drawn as a line when its shortest phase spans this many
 * columns, and with a thicker line from THICK_COLUMNS_PER_PHASE. */
#define FINE_COLUMNS_PER_PHASE 2.0
#define THICK_COLUMNS_PER_PHASE 12.0
#define LABEL_CHAR_WIDTH 6.6
#define LABEL_MIN_CHARS 4

enum { MARK_BELL = 1, MARK_CUE = 2, MARK_VOICE = 4 };
/* This many marked columns in a row are drawn as one bar. */
enum { MARK_RUN_COLUMNS = 4 };

typedef struct {
    bool breathing;        /* some frame of the column is in a breath phase */
    bool has_start;        /* the column's first frame is in a breath phase */
    double at_start;       /* fullness at the column's first frame */
    double low, high;      /* lowest and highest fullness in the column */
    int64_t low_at, high_at;  /* frames where they are */
    unsigned marks;
} column;

typedef struct {
    const timeline *t;
    int64_t from, frames;
    column columns[PLOT_COLUMNS];
    int64_t shortest_phase;
    int64_t longest_cycle;   /* frames */
} plot;

void plot_window(const timeline *t, int64_t start, int64_t length, int64_t *from,
                 int64_t *frames)
{
    int64_t total = timeline_length(t);
    if (start < 0)
        start = 0;
    *from = start;
    *frames = 0;
    if (total != TIMELINE_FOREVER && start >= total)
        return;
    int64_t left = total == TIMELINE_FOREVER ? TIMELINE_FOREVER : total - start;
    if (length == TIMELINE_FOREVER && total == TIMELINE_FOREVER)
        length = timeline_seconds_to_frames(t, PLOT_FOREVER_WINDOW_SECONDS);
    *frames = length < left ? length : left;
}

static int64_t column_start(const plot *p, int c)
{
    return p->from + (int64_t)((double)p->frames * c / PLOT_COLUMNS);
}

static double x_of(const plot *p, int64_t frame)
{
    return PLOT_AREA_LEFT + PLOT_AREA_WIDTH * (double)(frame - p->from) / (double)p->frames;
}

static double y_of(double fullness)
{
    return PLOT_AREA_TOP + PLOT_AREA_HEIGHT * (1.0 - fullness);
}

/* ---- the fullness curve, column by column ---- */

static void note_fullness(column *col, int64_t frame, double value)
{
    if (!col->breathing) {
        col->low = col->high = value;
        col->low_at = col->high_at = frame;
        col->breathing = true;
    }
    if (value < col->low) {
        col->low = value;
        col->low_at = frame;
    }
    if (value > col->high) {
        col->high = value;
        col->high_at = frame;
    }
}

/* Fullness is monotone inside a phase, so its extremes over a piece of a
 * phase are at the ends of the piece. */
static void measure_column(plot *p, int c)
{
    column *col = &p->columns[c];
    int64_t begin = column_start(p, c), end = column_start(p, c + 1);
    int64_t frame = begin;
    timeline_span span;
    for (int segment = 0; frame < end && segment < SEGMENTS_PER_COLUMN; segment++) {
        if (!timeline_locate(p->t, frame, &span))
            break;
        timeline_breath b;
        if (timeline_breath_at(p->t, &span, frame, &b)) {
            int64_t stop = b.start + b.length < end ? b.start + b.length : end;
            double first = timeline_fullness(&b, frame);
            if (frame == begin) {
                col->has_start = true;
                col->at_start = first;
            }
            note_fullness(col, frame, first);
            note_fullness(col, stop - 1, timeline_fullness(&b, stop - 1));
            if (p->shortest_phase == 0 || b.length < p->shortest_phase)
                p->shortest_phase = b.length;
            int64_t cycle = (int64_t)ceil(b.cycle_seconds * timeline_rate(p->t));
            if (cycle > p->longest_cycle)
                p->longest_cycle = cycle;
            frame = stop;
        } else if (step_timings[span.step->type]->breathes && frame < span.timed_start) {
            frame = span.timed_start;
        } else {
            frame = span.end;
        }
    }
}

/* ---- text ---- */

static void put_escaped(FILE *f, const char *text, size_t bytes)
{
    for (size_t i = 0; i < bytes && text[i]; i++) {
        switch (text[i]) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            /* Control characters are not allowed in XML 1.0. */
            if ((unsigned char)text[i] >= 0x20 || text[i] == '\t')
                fputc(text[i], f);
            else
                fputc(' ', f);
        }
    }
}

/* Text that fits `width`, shortened with an ellipsis; nothing when too narrow. */
static void put_label(FILE *f, double x, double y, double width, const char *text,
                      const char *attributes)
{
    double room = (width - 8.0) / LABEL_CHAR_WIDTH;
    if (room < LABEL_MIN_CHARS)
        return;
    int fits = (int)room;
    bool shortened = text_characters(text) > fits;
    size_t bytes = text_prefix_bytes(text, shortened ? fits - 1 : fits);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" %s>", x, y, attributes);
    put_escaped(f, text, bytes);
    fputs(shortened ? "\u2026</text>\n" : "</text>\n", f);
}

static void format_clock(char *out, size_t size, double seconds)
{
    long long s = llround(seconds);
    if (s >= 3600)
        snprintf(out, size, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(out, size, "%lld:%02lld", s / 60, s % 60);
}


/* Breaths a minute: "6.0/min", "6.0 to 5.5/min"; "" for steps that do not
 * pace breathing. */
static void format_pace(char *out, size_t size, const session_step *step)
{
    const step_timing *timing = step_timings[step->type];
    step_pace pace;
    out[0] = '\0';
    if (!timing->pace)
        return;
    timing->pace(step, &pace);
    if (pace.ramps && fabs(pace.from - pace.to) >= 0.05)
        snprintf(out, size, "%.1f to %.1f/min", pace.from, pace.to);
    else
        snprintf(out, size, "%.1f/min", pace.from);
}

/* ---- pieces of the picture ---- */

static void draw_header(FILE *f, const plot *p)
{
    const session *s = timeline_session(p->t);
    int rate = timeline_rate(p->t);
    int64_t total = timeline_length(p->t);
    char from[32], to[32], length[32];
    fprintf(f, "<text x=\"%.1f\" y=\"34\" class=\"title\">", PLOT_AREA_LEFT);
    put_escaped(f, s->title, strlen(s->title));
    fputs("</text>\n", f);
    format_clock(from, sizeof from, (double)p->from / rate);
    format_clock(to, sizeof to, (double)(p->from + p->frames) / rate);
    format_clock(length, sizeof length, (double)total / rate);
    fprintf(f, "<text x=\"%.1f\" y=\"56\" class=\"note\">", PLOT_AREA_LEFT);
    if (total == TIMELINE_FOREVER)
        fprintf(f, "%s to %s of a session that repeats until stopped", from, to);
    else if (p->from > 0 || p->frames < total)
        fprintf(f, "%s to %s of %s", from, to, length);
    else
        fprintf(f, "%s", length);
    fputs("</text>\n", f);
}

static void put_band(FILE *f, const char *class_name, double x0, double x1)
{
    fprintf(f, "<rect class=\"%s\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\"/>\n",
            class_name, x0, PLOT_AREA_TOP - PLOT_LABEL_STRIP, x1 - x0,
            PLOT_AREA_HEIGHT + PLOT_LABEL_STRIP);
}

/* One labelled band per span. Spans narrower than a column are drawn
 * together as one plain band, and the walk skips to the next column, so the
 * number of bands stays bounded however many steps the window holds. */
static void draw_bands(FILE *f, const plot *p)
{
    int64_t end = p->from + p->frames, frame = p->from;
    double column_width = PLOT_AREA_WIDTH / PLOT_COLUMNS;
    double crowd_from = -1.0;    /* where a run of narrow spans began, or < 0 */
    timeline_span span;
    fputs("<g class=\"steps\">\n", f);
    while (frame < end && timeline_locate(p->t, frame, &span)) {
        int64_t stop = span.end < end ? span.end : end;
        double x0 = x_of(p, frame), x1 = x_of(p, stop);
        if (x1 - x0 < column_width) {
            if (crowd_from < 0.0)
                crowd_from = x0;
            int c = (int)((x0 - PLOT_AREA_LEFT) / column_width) + 1;
            int64_t next = c >= PLOT_COLUMNS ? end : column_start(p, c);
            frame = next > stop ? next : stop;
            continue;
        }
        if (crowd_from >= 0.0) {
            put_band(f, "crowd", crowd_from, x0);
            put_label(f, crowd_from + 4.0, PLOT_AREA_TOP - 20.0, x0 - crowd_from, "short steps",
                      "class=\"label\"");
            crowd_from = -1.0;
        }
        char class_name[32], name[256], pace[64];
        snprintf(class_name, sizeof class_name, "%s%s", step_timings[span.step->type]->plot_band,
                 span.ordinal % 2 ? " odd" : "");
        put_band(f, class_name, x0, x1);
        step_timing_name(span.step, name, sizeof name);
        format_pace(pace, sizeof pace, span.step);
        put_label(f, x0 + 4.0, PLOT_AREA_TOP - 20.0, x1 - x0, name, "class=\"label\"");
        if (pace[0])
            put_label(f, x0 + 4.0, PLOT_AREA_TOP - 6.0, x1 - x0, pace, "class=\"pace\"");
        frame = stop;
    }
    if (crowd_from >= 0.0) {
        double x_end = x_of(p, end);
        put_band(f, "crowd", crowd_from, x_end);
        put_label(f, crowd_from + 4.0, PLOT_AREA_TOP - 20.0, x_end - crowd_from, "short steps",
                  "class=\"label\"");
    }
    fputs("</g>\n", f);
}

static void draw_axes(FILE *f, const plot *p)
{
    static const double steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600,
                                     7200, 10800, 21600, 43200, 86400 };
    int rate = timeline_rate(p->t);
    double seconds = (double)p->frames / rate, start = (double)p->from / rate;
    double every = steps[sizeof steps / sizeof steps[0] - 1];
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (seconds / steps[i] <= 10.0) {
            every = steps[i];
            break;
        }
    }
    double bottom = PLOT_AREA_TOP + PLOT_AREA_HEIGHT;
    fputs("<g class=\"axis\">\n", f);
    fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
            PLOT_AREA_LEFT, y_of(0.5), PLOT_AREA_LEFT + PLOT_AREA_WIDTH, y_of(0.5));
    for (double tick = ceil(start / every) * every; tick <= start + seconds + 1e-9;
         tick += every) {
        double x = PLOT_AREA_LEFT + PLOT_AREA_WIDTH * (tick - start) / seconds;
        char text[32];
        format_clock(text, sizeof text, tick);
        fprintf(f, "<line class=\"grid\" x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\"/>\n",
                x, PLOT_AREA_TOP, x, bottom);
        fprintf(f, "<line x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\"/>\n", x, bottom, x,
                bottom + 5.0);
        fprintf(f, "<text x=\"%.2f\" y=\"%.1f\" class=\"tick\">%s</text>\n", x, bottom + 18.0,
                text);
    }
    fprintf(f, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n",
            PLOT_AREA_LEFT, PLOT_AREA_TOP, PLOT_AREA_WIDTH, PLOT_AREA_HEIGHT);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"side\">full</text>\n", PLOT_AREA_LEFT - 8.0,
            y_of(1.0) + 4.0);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"side\">empty</text>\n",
            PLOT_AREA_LEFT - 8.0, y_of(0.0) + 4.0);
    fputs("</g>\n", f);
}

/* The next run of columns with breathing in them, from column *first on:
 * sets *first and *last to its first and last column, or returns false when
 * no breathing column is left. */
static bool next_breathing_run(const plot *p, int *first, int *last)
{
    int c = *first;
    while (c < PLOT_COLUMNS && !p->columns[c].breathing)
        c++;
    if (c >= PLOT_COLUMNS)
        return false;
    int end = c;
    while (end + 1 < PLOT_COLUMNS && p->columns[end + 1].breathing)
        end++;
    *first = c;
    *last = end;
    return true;
}

/* The band between the lowest and highest fullness around each column, one
 * polygon per run of columns with breathing in them. A column narrower than
 * a breath holds only part of one, so each column takes the range of its
 * neighbours within a breath's length: the band is smooth instead of
 * beating with the column grid. */
static void draw_envelope(FILE *f, const plot *p)
{
    double width = PLOT_AREA_WIDTH / PLOT_COLUMNS;
    double frames_per_column = (double)p->frames / PLOT_COLUMNS;
    int reach = (int)ceil((double)p->longest_cycle / frames_per_column);
    fputs("<g class=\"envelope\">\n", f);
    int last;
    for (int c = 0; next_breathing_run(p, &c, &last); c = last + 1) {
        double *low = malloc((size_t)(last - c + 1) * 2 * sizeof *low);
        if (!low)
            return;
        double *high = low + (last - c + 1);
        for (int i = c; i <= last; i++) {
            low[i - c] = p->columns[i].low;
            high[i - c] = p->columns[i].high;
            for (int j = i - reach < c ? c : i - reach; j <= i + reach && j <= last; j++) {
                low[i - c] = fmin(low[i - c], p->columns[j].low);
                high[i - c] = fmax(high[i - c], p->columns[j].high);
            }
        }
        fputs("<polygon points=\"", f);
        for (int i = c; i <= last; i++)
            fprintf(f, "%.2f,%.2f %.2f,%.2f ", PLOT_AREA_LEFT + width * i, y_of(high[i - c]),
                    PLOT_AREA_LEFT + width * (i + 1), y_of(high[i - c]));
        for (int i = last; i >= c; i--)
            fprintf(f, "%.2f,%.2f %.2f,%.2f ", PLOT_AREA_LEFT + width * (i + 1),
                    y_of(low[i - c]), PLOT_AREA_LEFT + width * i, y_of(low[i - c]));
        fputs("\"/>\n", f);
        free(low);
    }
    fputs("</g>\n", f);
}

static void put_point(FILE *f, const plot *p, int64_t frame, double fullness)
{
    fprintf(f, "%.3f,%.3f ", x_of(p, frame), y_of(fullness));
}

/* Exact samples of the curve: each column's first frame, then its lowest and
 * highest points in time order; one polyline per run of breathing columns. */
static void draw_curve(FILE *f, const plot *p, bool thick)
{
    fprintf(f, "<g class=\"fullness%s\">\n", thick ? " thick" : "");
    int last;
    for (int c = 0; next_breathing_run(p, &c, &last); c = last + 1) {
        fputs("<polyline points=\"", f);
        for (int i = c; i <= last; i++) {
            const column *col = &p->columns[i];
            int64_t start = column_start(p, i);
            if (col->has_start)
                put_point(f, p, start, col->at_start);
            bool low_first = col->low_at < col->high_at;
            int64_t first_at = low_first ? col->low_at : col->high_at;
            int64_t second_at = low_first ? col->high_at : col->low_at;
            double first = low_first ? col->low : col->high;
            double second = low_first ? col->high : col->low;
            if (first_at != start || !col->has_start)
                put_point(f, p, first_at, first);
            if (second_at != first_at)
                put_point(f, p, second_at, second);
        }
        fputs("\"/>\n", f);
    }
    fputs("</g>\n", f);
}

typedef struct {
    plot *plot;
    const timeline_span *span;
} mark_context;

static void note_event(void *context, const timeline_event *event)
{
    mark_context *m = context;
    plot *p = m->plot;
    int c = (int)((double)(event->start - p->from) * PLOT_COLUMNS / (double)p->frames);
    if (c < 0 || c >= PLOT_COLUMNS)
        return;
    if (event->kind == EVENT_BELL)
        p->columns[c].marks |= MARK_BELL;
    else if (event->kind == EVENT_CLIP)
        p->columns[c].marks |= step_timings[m->span->step->type]->breathes
                                       && event->start >= m->span->timed_start
                                   ? MARK_VOICE : MARK_CUE;
}

static void collect_marks(plot *p)
{
    int64_t end = p->from + p->frames, frame = p->from;
    timeline_span span;
    for (int n = 0; n < MAX_SPANS_FOR_MARKS && frame < end
                    && timeline_locate(p->t, frame, &span); n++) {
        mark_context m = { p, &span };
        timeline_span_events(p->t, &span, frame, span.end < end ? span.end : end, note_event, &m);
        frame = span.end;
    }
}

static bool column_shows(const plot *p, int c, unsigned kind)
{
    unsigned marks = p->columns[c].marks;
    if (marks & MARK_CUE)
        marks &= ~(unsigned)MARK_VOICE;
    return (marks & kind) != 0;
}

static const char *mark_class(unsigned kind)
{
    return kind == MARK_BELL ? "bell" : (kind == MARK_CUE ? "cue" : "voice");
}

static void draw_marks(FILE *f, const plot *p)
{
    double width = PLOT_AREA_WIDTH / PLOT_COLUMNS;
    double bells_y = PLOT_AREA_TOP + PLOT_AREA_HEIGHT + 42.0, cues_y = bells_y + 22.0;
    fputs("<g class=\"marks\">\n", f);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"side\">bells</text>\n", PLOT_AREA_LEFT - 8.0,
            bells_y + 4.0);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"side\">cues</text>\n", PLOT_AREA_LEFT - 8.0,
            cues_y + 4.0);
    fprintf(f, "<line class=\"row\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
            PLOT_AREA_LEFT, bells_y, PLOT_AREA_LEFT + PLOT_AREA_WIDTH, bells_y);
    fprintf(f, "<line class=\"row\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
            PLOT_AREA_LEFT, cues_y, PLOT_AREA_LEFT + PLOT_AREA_WIDTH, cues_y);
    for (int c = 0; c < PLOT_COLUMNS; c++) {
        unsigned marks = p->columns[c].marks;
        /* A cue hides a voice cue in the same column: they share the row. */
        if (marks & MARK_CUE)
            marks &= ~(unsigned)MARK_VOICE;
        for (unsigned kind = MARK_BELL; kind <= MARK_VOICE; kind <<= 1) {
            if (!(marks & kind) || (c > 0 && column_shows(p, c - 1, kind)))
                continue;
            int last = c;
            while (last + 1 < PLOT_COLUMNS && column_shows(p, last + 1, kind))
                last++;
            double x = PLOT_AREA_LEFT + width * (c + 0.5);
            double y = kind == MARK_BELL ? bells_y : cues_y;
            if (last - c >= MARK_RUN_COLUMNS - 1) {
                /* Marks in every column of a stretch: one bar for them all. */
                fprintf(f, "<rect class=\"%s\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" "
                           "height=\"8\" rx=\"4\"/>\n", mark_class(kind), x - 4.0, y - 4.0,
                        width * (last - c) + 8.0);
            } else {
                for (int i = c; i <= last; i++) {
                    x = PLOT_AREA_LEFT + width * (i + 0.5);
                    if (kind == MARK_BELL)
                        fprintf(f, "<circle class=\"bell\" cx=\"%.2f\" cy=\"%.1f\" r=\"4.5\"/>\n",
                                x, y);
                    else if (kind == MARK_CUE)
                        fprintf(f, "<path class=\"cue\" d=\"M%.2f %.1fl-5 -7h10z\"/>\n", x, y + 3.5);
                    else
                        fprintf(f, "<line class=\"voice\" x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" "
                                   "y2=\"%.1f\"/>\n", x, y - 5.0, x, y + 5.0);
                }
            }
        }
    }
    double legend_y = PLOT_IMAGE_HEIGHT - 14.0;
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"note\">The curve is how full the lungs "
               "are (top: full, bottom: empty). Bands are the steps. Triangles: spoken cues; "
               "strokes: voice cues on breaths; circles: bells.</text>\n",
            PLOT_AREA_LEFT, legend_y);
    fputs("</g>\n", f);
}

static const char style[] =
    "<style>\n"
    "text { font-family: 'DejaVu Sans', Verdana, sans-serif; font-size: 12px; fill: #333; }\n"
    ".title { font-size: 20px; font-weight: bold; fill: #1d3557; }\n"
    ".note { font-size: 12px; fill: #666; }\n"
    ".label { font-size: 11px; fill: #344; }\n"
    ".pace { font-size: 10px; fill: #5a6f85; }\n"
    ".tick { text-anchor: middle; fill: #555; }\n"
    ".side { text-anchor: end; fill: #555; }\n"
    ".steps rect { stroke: #fff; stroke-width: 1; }\n"
    ".breathe { fill: #dcebf8; } .breathe.odd { fill: #cfe2f4; }\n"
    ".timer { fill: #e2f1de; } .timer.odd { fill: #d6eacf; }\n"
    ".bell { fill: #f7eed8; } .bell.odd { fill: #f1e4c5; }\n"
    ".cue { fill: #eee6f5; } .cue.odd { fill: #e4d9ee; }\n"
    ".crowd { fill: #e8e8e8; }\n"
    ".axis line { stroke: #888; stroke-width: 1; }\n"
    ".axis .grid { stroke: #ffffff; stroke-opacity: 0.9; stroke-dasharray: 3 3; }\n"
    ".frame { fill: none; stroke: #999; stroke-width: 1; }\n"
    ".envelope polygon { fill: #2f6fab; fill-opacity: 0.35; stroke: none; }\n"
    ".fullness polyline { fill: none; stroke: #1f5a94; stroke-width: 1.2; "
    "stroke-linejoin: round; }\n"
    ".fullness.thick polyline { stroke-width: 2; }\n"
    ".marks .row { stroke: #ddd; }\n"
    ".marks .bell { fill: #d9a21b; stroke: #8a6410; stroke-width: 1; }\n"
    ".marks .cue { fill: #6a4c93; }\n"
    ".marks .voice { stroke: #8d7bb0; stroke-width: 1.5; }\n"
    ".marks rect.voice { fill: #8d7bb0; stroke: none; }\n"
    "</style>\n";

int plot_svg(const timeline *t, int64_t start, int64_t length, char **svg, size_t *size)
{
    *svg = NULL;
    *size = 0;
    plot *p = calloc(1, sizeof *p);
    if (!p)
        return 1;
    p->t = t;
    plot_window(t, start, length, &p->from, &p->frames);
    if (p->frames <= 0) {
        free(p);
        return 1;
    }
    for (int c = 0; c < PLOT_COLUMNS; c++)
        measure_column(p, c);
    collect_marks(p);
    double frames_per_column = (double)p->frames / PLOT_COLUMNS;
    double columns_per_phase = (double)p->shortest_phase / frames_per_column;
    bool fine = p->shortest_phase > 0 && columns_per_phase >= FINE_COLUMNS_PER_PHASE;

    FILE *f = open_memstream(svg, size);
    if (!f) {
        free(p);
        return 1;
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\">\n",
            PLOT_IMAGE_WIDTH, PLOT_IMAGE_HEIGHT, PLOT_IMAGE_WIDTH, PLOT_IMAGE_HEIGHT);
    fputs(style, f);
    fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", PLOT_IMAGE_WIDTH,
            PLOT_IMAGE_HEIGHT);
    draw_header(f, p);
    draw_bands(f, p);
    draw_axes(f, p);
    if (fine)
        draw_curve(f, p, columns_per_phase >= THICK_COLUMNS_PER_PHASE);
    else
        draw_envelope(f, p);
    draw_marks(f, p);
    fputs("</svg>\n", f);
    bool failed = ferror(f) != 0;
    if (fclose(f) != 0 || failed) {
        free(*svg);
        *svg = NULL;
        *size = 0;
        free(p);
        return 1;
    }
    free(p);
    return 0;
}

/* ---- writing ---- */

int plot_write(const timeline *t, int64_t start, int64_t length, const char *path,
               const report_sink *report)
{
    char *svg = NULL;
    size_t size = 0;
    if (plot_svg(t, start, length, &svg, &size) != 0) {
        report_error(report, NULL, 0, "cannot draw '%s': %s", path,
                     svg ? "out of memory" : "nothing to draw in that window or out of memory");
        return 1;
    }
    int failure = savefile_write(path, svg, size, SAVEFILE_REPLACE);
    if (failure)
        report_error(report, NULL, 0, "cannot write '%s': %s", path,
                     failure == ENOMEM ? "out of memory" : strerror(failure));
    free(svg);
    return failure ? 1 : 0;
}
