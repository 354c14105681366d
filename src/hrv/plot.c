/* plot.c: heart rate under the breathing-rate bands, as SVG (plot.h). */
#include "hrv/plot.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/savefile.h"
#include "hrv/summary.h"

enum { IMAGE_WIDTH = 1000, TABLE_ROW = 20 };
static const double area_left = 70.0, area_right = 970.0, area_top = 90.0,
                    area_bottom = 390.0;
static const double break_seconds = 5.0;   /* no line across a dropout longer than this */

typedef struct {
    double t0, t1, hr_low, hr_high;
} scale;

static double x_of(const scale *s, double t)
{
    return area_left + (t - s->t0) / (s->t1 - s->t0) * (area_right - area_left);
}

static double y_of(const scale *s, double hr)
{
    return area_bottom - (hr - s->hr_low) / (s->hr_high - s->hr_low) * (area_bottom - area_top);
}

static void put_escaped(FILE *f, const char *text)
{
    for (const char *c = text; *c; c++) {
        switch (*c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            fputc((unsigned char)*c >= 0x20 ? *c : ' ', f);   /* XML 1.0 has no controls */
        }
    }
}

static scale choose_scale(const hrv_analysis *a)
{
    scale s = {0.0, 60.0, 50.0, 100.0};
    if (a->beat_count == 0)
        return s;
    s.t0 = 0.0;
    s.t1 = fmax(a->beats[a->beat_count - 1].t, 60.0);
    double low = INFINITY, high = 0.0;
    for (size_t i = 0; i < a->beat_count; i++) {
        double hr = 60000.0 / a->beats[i].rr_ms;
        low = fmin(low, hr);
        high = fmax(high, hr);
    }
    s.hr_low = floor(low / 5.0) * 5.0;
    s.hr_high = fmax(ceil(high / 5.0) * 5.0, s.hr_low + 10.0);
    return s;
}

static void draw_bands(FILE *f, const scale *s, const hrv_analysis *a)
{
    fputs("<g class=\"bands\">\n", f);
    for (size_t i = 0; i < a->rate_count; i++) {
        const hrv_rate *r = &a->rates[i];
        double x0 = x_of(s, r->start), x1 = x_of(s, r->end), xm = x_of(s, r->measured_from);
        bool chosen = a->resonance.outcome == RESONANCE_FOUND && a->resonance.best == i;
        fprintf(f, "<rect class=\"settle\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\"/>\n",
                x0, area_top, fmax(fmin(xm, x1) - x0, 0.0), area_bottom - area_top);
        if (x1 > xm)
            fprintf(f, "<rect class=\"rate%s%s\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" "
                       "height=\"%.1f\"/>\n", i % 2 ? " odd" : "", chosen ? " chosen" : "",
                    xm, area_top, x1 - xm, area_bottom - area_top);
        if (x1 - x0 >= 40.0)
            fprintf(f, "<text x=\"%.2f\" y=\"%.1f\" class=\"pace\">%g/min</text>\n",
                    (x0 + x1) / 2.0, area_top - 6.0, round(r->rate * 100.0) / 100.0);
    }
    fputs("</g>\n", f);
}

static void draw_axes(FILE *f, const scale *s)
{
    fputs("<g class=\"axis\">\n", f);
    double span = s->t1 - s->t0;
    double step = span <= 600 ? 60 : span <= 1800 ? 120 : span <= 3600 ? 300 : 600;
    for (double t = 0; t <= s->t1 + 1e-9; t += step) {
        char clock[16];
        hrv_format_clock(clock, sizeof clock, t);
        double x = x_of(s, t);
        fprintf(f, "<line x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\"/>\n", x, area_bottom, x,
                area_bottom + 5.0);
        fprintf(f, "<text x=\"%.2f\" y=\"%.1f\" class=\"tick\">%s</text>\n", x,
                area_bottom + 18.0, clock);
    }
    double hr_step = s->hr_high - s->hr_low > 40 ? 10.0 : 5.0;
    for (double hr = s->hr_low; hr <= s->hr_high + 1e-9; hr += hr_step) {
        double y = y_of(s, hr);
        fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.2f\" x2=\"%.1f\" y2=\"%.2f\"/>\n",
                area_left, y, area_right, y);
        fprintf(f, "<text x=\"%.1f\" y=\"%.2f\" class=\"side\">%.0f</text>\n", area_left - 8.0,
                y + 4.0, hr);
    }
    fprintf(f, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n",
            area_left, area_top, area_right - area_left, area_bottom - area_top);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"side\">beats/min</text>\n", area_left - 8.0,
            area_top - 6.0);
    fputs("</g>\n", f);
}

static void draw_heart_rate(FILE *f, const scale *s, const hrv_analysis *a)
{
    fputs("<g class=\"heart\">\n", f);
    bool open = false;
    for (size_t i = 0; i < a->beat_count; i++) {
        if (open && a->beats[i].t - a->beats[i - 1].t > break_seconds) {
            fputs("\"/>\n", f);
            open = false;
        }
        if (!open) {
            fputs("<polyline points=\"", f);
            open = true;
        }
        fprintf(f, "%.2f,%.2f ", x_of(s, a->beats[i].t), y_of(s, 60000.0 / a->beats[i].rr_ms));
    }
    if (open)
        fputs("\"/>\n", f);
    fputs("</g>\n", f);
}

static void draw_table(FILE *f, const hrv_analysis *a, double top)
{
    static const char *const headings[] = {"rate/min", "breaths", "swing bpm", "LF ms²",
                                           "LF peak Hz", "follow", "RMSSD ms", "SDNN ms"};
    static const double columns[] = {70, 160, 250, 370, 470, 580, 670, 770};
    fputs("<g class=\"table\">\n", f);
    for (size_t c = 0; c < sizeof headings / sizeof headings[0]; c++)
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" class=\"heading\">%s</text>\n", columns[c], top,
                headings[c]);
    for (size_t i = 0; i < a->rate_count; i++) {
        const hrv_rate *r = &a->rates[i];
        bool chosen = a->resonance.outcome == RESONANCE_FOUND && a->resonance.best == i;
        double y = top + (double)(i + 1) * TABLE_ROW;
        fprintf(f, "<g class=\"row%s\">", chosen ? " chosen" : "");
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\">%g%s</text>", columns[0], y,
                round(r->rate * 100.0) / 100.0, r->enough ? "" : " *");
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\">%zu</text>", columns[1], y, r->breaths);
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\">%.1f ± %.1f</text>", columns[2], y,
                r->swing_bpm, r->swing_spread);
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\">%.0f</text>", columns[3], y, r->lf_power);
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\">%.3f</text>", columns[4], y, r->lf_peak_hz);
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\">%.2f</text>", columns[5], y, r->follow);
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\">%.1f</text>", columns[6], y, r->rmssd);
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\">%.1f</text></g>\n", columns[7], y, r->sdnn);
    }
    double y = top + (double)(a->rate_count + 2) * TABLE_ROW;
    const resonance_choice *c = &a->resonance;
    fprintf(f, "<text x=\"70\" y=\"%.1f\" class=\"verdict\">", y);
    if (c->outcome == RESONANCE_FOUND)
        fprintf(f, "resonance: %g breaths a minute (%s choice: largest swing, %.1f standard "
                   "errors above the next)", round(a->rates[c->best].rate * 100.0) / 100.0,
                c->clear ? "a clear" : "a narrow", hrv_margin_shown(c->margin_errors));
    else if (c->outcome == RESONANCE_TIE)
        fputs("resonance: none chosen: a tie between the two largest swings", f);
    else
        fputs("resonance: none chosen: too few clean beats", f);
    fputs("</text>\n</g>\n", f);
}

static const char style[] =
    "<style>\n"
    "text { font-family: 'DejaVu Sans', Verdana, sans-serif; font-size: 12px; fill: #333; }\n"
    ".title { font-size: 20px; font-weight: bold; fill: #1d3557; }\n"
    ".note { font-size: 12px; fill: #666; }\n"
    ".pace { font-size: 10px; fill: #5a6f85; text-anchor: middle; }\n"
    ".tick { text-anchor: middle; fill: #555; }\n"
    ".side { text-anchor: end; fill: #555; }\n"
    ".bands .settle { fill: #eef3f8; }\n"
    ".bands .rate { fill: #dcebf8; } .bands .rate.odd { fill: #cfe2f4; }\n"
    ".bands .rate.chosen { fill: #e2f1de; }\n"
    ".axis line { stroke: #888; stroke-width: 1; }\n"
    ".axis .grid { stroke: #ffffff; stroke-opacity: 0.9; stroke-dasharray: 3 3; }\n"
    ".frame { fill: none; stroke: #999; stroke-width: 1; }\n"
    ".heart polyline { fill: none; stroke: #b23a48; stroke-width: 1.2; "
    "stroke-linejoin: round; }\n"
    ".table .heading { font-weight: bold; fill: #1d3557; }\n"
    ".table .chosen text { font-weight: bold; }\n"
    ".verdict { font-size: 14px; fill: #1d3557; }\n"
    "</style>\n";

int hrv_plot_svg(const char *title, const hrv_analysis *analysis, char **svg, size_t *size)
{
    *svg = NULL;
    *size = 0;
    FILE *f = open_memstream(svg, size);
    if (!f)
        return 1;
    int height = (int)area_bottom + 60 + (int)(analysis->rate_count + 4) * TABLE_ROW;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\">\n", IMAGE_WIDTH, height, IMAGE_WIDTH, height);
    fputs(style, f);
    fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", IMAGE_WIDTH, height);
    fprintf(f, "<text x=\"%.1f\" y=\"34\" class=\"title\">", area_left);
    put_escaped(f, title);
    fputs("</text>\n", f);
    fprintf(f, "<text x=\"%.1f\" y=\"56\" class=\"note\">Heart rate from the corrected beats "
               "(%zu), under the paced breathing rates; lighter: the first 15 s of a rate, "
               "left out</text>\n", area_left, analysis->beat_count);
    scale s = choose_scale(analysis);
    draw_bands(f, &s, analysis);
    draw_axes(f, &s);
    draw_heart_rate(f, &s, analysis);
    draw_table(f, analysis, area_bottom + 50.0);
    fputs("</svg>\n", f);
    bool failed = ferror(f) != 0;
    if (fclose(f) != 0 || failed) {
        free(*svg);
        *svg = NULL;
        *size = 0;
        return 1;
    }
    return 0;
}

int hrv_plot_write(const char *title, const hrv_analysis *analysis, const char *path,
                   const report_sink *report)
{
    char *svg = NULL;
    size_t size = 0;
    if (hrv_plot_svg(title, analysis, &svg, &size) != 0) {
        report_error(report, NULL, 0, "cannot draw '%s': out of memory", path);
        return 1;
    }
    int failure = savefile_write(path, svg, size, SAVEFILE_REPLACE);
    if (failure)
        report_error(report, NULL, 0, "cannot write '%s': %s", path,
                     failure == ENOMEM ? "out of memory" : strerror(failure));
    free(svg);
    return failure ? 1 : 0;
}
