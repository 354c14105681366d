/* modes.h: the command line's modes that print and return, each in a file
 * of its own. Each prints on out, reports problems to the command line's
 * sink and returns an exit status (0, 1 or 2, as breathe(1) says). */
#ifndef BREATHE_CLI_MODES_H
#define BREATHE_CLI_MODES_H

#include <stdbool.h>
#include <stdio.h>

#include "base/report.h"
#include "play/play.h"

/* --check: each session's header, timeline and warnings; the worst status. */
int cli_check(char **names, int count, FILE *out, const report_sink *sink);

/* --list (--names): the installed sessions. */
int cli_list(bool names_only, FILE *out, const report_sink *sink);

/* Playing live, or rendering to request->options.output: the terminal front
 * end over the playback library. */
typedef struct {
    play_options options;
    bool quiet;                  /* only errors and a live session's caution */
    const char *defaults_path;   /* the defaults file, when it chose the device */
    const char *labels;          /* a render: write its steps here as an Audacity
                                    label track (--labels); NULL: none */
} cli_play_request;
int cli_play(const char *name, const cli_play_request *request, const report_sink *to,
             FILE *out, FILE *err);

/* --analyze RECORDING: a heart-rate recording's analysis per paced rate and
 * the resonance rate (docs/hrv.md); with --save that rate is kept for
 * pattern = "resonance", with --plot drawn to an SVG file. */
typedef struct {
    bool save;             /* --save */
    const char *plot;      /* --plot FILE.svg, or NULL */
    bool quiet;
} cli_analyze_request;
int cli_analyze(const char *recording_path, const cli_analyze_request *request, FILE *out,
                const report_sink *sink);
/* Programmes (docs/breathe-programme.5). --follow PROGRAMME: check it and
 * every session it names, and start following it today (already following
 * it: nothing changes). --plan: the weeks, what is done, due and next. */
int cli_follow(const char *name, bool quiet, FILE *out, const report_sink *sink);
int cli_plan(FILE *out, const report_sink *sink);
/* --today: *chosen becomes the session to play today (a new string), or
 * NULL when nothing more is due (said on out unless quiet). */
int cli_today_choose(char **chosen, bool quiet, FILE *out, const report_sink *sink);
/* --stats: the programme's progress, when one is followed. */
int cli_programme_stats(FILE *out, const report_sink *sink);
/* Before a session: whether a programme session other than `played` is
 * due today, and a line saying so on out (NULL: none). Says nothing and
 * returns false when anything is amiss. */
bool cli_programme_due_note(const char *played, FILE *out);

#endif
