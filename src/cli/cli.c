/* cli.c: the command line. See cli.h and docs/breathe.1. */
#include "cli/cli.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "render/engine.h"
#include "cli/keys.h"
#include "authoring/lint.h"
#include "out/out.h"
#include "authoring/plot.h"
#include "cli/safety.h"
#include "format/session.h"
#include "authoring/starter.h"
#include "cli/status.h"
#include "render/timeline.h"
#include "render/transport.h"
#include "user/history.h"
#include "user/userconfig.h"
#include "user/xdgpath.h"

enum { EXIT_DONE = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_INTERRUPTED = 130 };

/* How long live playback waits for a lost audio device to come back:
 * DEVICE_RETRY_SECONDS, or BREATHE_DEVICE_RETRY_SECONDS when it holds a
 * whole number of seconds up to a day (for tests, and setups that would
 * rather give up at once); read when playback starts. */
enum { DEVICE_RETRY_SECONDS = 30, DEVICE_RETRY_MAX_SECONDS = 86400 };

static int device_retry_seconds(void)
{
    const char *text = getenv("BREATHE_DEVICE_RETRY_SECONDS");
    if (text == NULL || *text == '\0')
        return DEVICE_RETRY_SECONDS;
    char *end;
    errno = 0;
    long seconds = strtol(text, &end, 10);
    if (errno != 0 || *end != '\0' || seconds < 0 || seconds > DEVICE_RETRY_MAX_SECONDS)
        return DEVICE_RETRY_SECONDS;
    return (int)seconds;
}

static const char usage_text[] =
    "Usage: breathe [OPTIONS] SESSION          play a session live\n"
    "       breathe -o FILE [OPTIONS] SESSION  render it to FILE (WAV, FLAC, Ogg by extension)\n"
    "       breathe --check SESSION...         validate, print the timeline and warnings\n"
    "       breathe --plot FILE.svg SESSION    draw the session as an SVG picture\n"
    "       breathe --new FILE                 write a commented session to start from\n"
    "       breathe --list                     installed sessions: length, title, description\n"
    "       breathe --list-devices             audio output devices\n"
    "       breathe --stats                    your practice: totals, streaks, last 14 days\n"
    "       breathe --safety                   when to stop, and when to get medical help\n"
    "\n"
    "  -o, --output FILE        render to FILE instead of playing (.wav 32-bit float,\n"
    "                           .flac 24-bit, .ogg/.oga Vorbis, .opus)\n"
    "  -c, --check              check sessions, print their timelines and warnings\n"
    "                           (FILE:LINE: warning: ...); no audio\n"
    "      --plot FILE          draw the session to FILE (SVG): breaths, steps, cues,\n"
    "                           bells; --start and --length choose the part drawn\n"
    "      --new FILE           write a starting session to FILE (.cfg is added when\n"
    "                           missing); never replaces an existing file\n"
    "      --list               list installed sessions, each with its length and\n"
    "                           title, and its description and author under it\n"
    "      --list-devices       list output devices\n"
    "      --stats              sessions and minutes this week and in total, streaks,\n"
    "                           and the last 14 days, from the history of live sessions\n"
    "      --names              with --list or --list-devices: only the names, one a\n"
    "                           line (devices as INDEX<tab>NAME), for scripts\n"
    "      --safety             print when to stop an exercise and when to get help\n"
    "  -d, --device NAME|INDEX  play on this device (a name, part of one, or an index\n"
    "                           from --list-devices)\n"
    "      --volume DB          master gain in dB, added to the session's own volume\n"
    "      --latency SECONDS    live output buffer, 0.01 to 2 (default 0.1); more\n"
    "                           rides out a busy machine, less answers keys sooner\n"
    "      --start TIME         begin TIME into the session (90, 1.5m, 2m30s)\n"
    "      --length TIME        play or render only TIME (needed to render a session\n"
    "                           that repeats forever)\n"
    "  -q, --quiet              print only errors (and a live session's caution)\n"
    "  -h, --help               this help\n"
    "      --version            the version\n"
    "\n"
    "SESSION is a path to a .cfg file or the name of an installed session\n"
    "(box-breathing). Playing and rendering read defaults (device, volume, latency,\n"
    "quiet, session, history) from ~/.config/breathe/config; options override\n"
    "them. Each live session adds a line to ~/.local/state/breathe/history (see\n"
    "--stats).\n"
    "\n"
    "Keys while playing on a terminal: space pause/resume, + and - volume by 1 dB,\n"
    "n next step, q quit, h or ? these keys. Signals: SIGINT, SIGTERM, SIGHUP and\n"
    "SIGQUIT fade out and stop (status 130), SIGUSR1 pauses or resumes.\n"
    "\n"
    "Exit status: 0 done (or quit with q); 1 runtime failure (no device,\n"
    "unwritable file); 2 usage or session error; 130 stopped by a signal.\n";

typedef struct {
    const char *output;
    const char *plot;         /* --plot FILE */
    const char *new_session;  /* --new FILE */
    const char *device;
    bool check, list, list_devices, names_only, quiet, stats;
    bool record_history;   /* live sessions go into the history */
    const char *defaults_path;  /* the defaults file, when it chose the device */
    double volume_db;
    bool has_volume;
    double latency_seconds;  /* 0: the backend's default */
    double start_seconds, length_seconds;
    bool has_start, has_length;
} options;

/* ---- where sessions and audio live ---- */

enum { MAX_DIRS = 16 };

typedef struct {
    char *dirs[MAX_DIRS];
    int count;
} dir_list;

/* Adds dir (a new string, which the list takes; NULL adds nothing) unless
 * the list holds it already or is full. */
static void dirs_add_new(dir_list *list, char *dir)
{
    if (!dir)
        return;
    if (list->count == MAX_DIRS) {
        free(dir);
        return;
    }
    for (int i = 0; i < list->count; i++) {
        if (strcmp(list->dirs[i], dir) == 0) {
            free(dir);
            return;
        }
    }
    list->dirs[list->count++] = dir;
}

static void dirs_add(dir_list *list, const char *base, const char *suffix)
{
    if (!base || !*base || list->count == MAX_DIRS)
        return;
    size_t n = strlen(base) + strlen(suffix) + 2;
    char *dir = malloc(n);
    if (dir)
        snprintf(dir, n, "%s/%s", base, suffix);
    dirs_add_new(list, dir);
}

/* $XDG_DATA_HOME (else ~/.local/share), each of $XDG_DATA_DIRS that is an
 * absolute path (the rules ignore the others), the install prefix, then
 * $BREATHE_DATA_DIR (a build that has not been installed: the source tree). */
static void data_dirs(dir_list *list, const char *what)
{
    dirs_add_new(list,
                 xdgpath_user(XDGPATH_DATA, getenv("XDG_DATA_HOME"), getenv("HOME"), what));
    char buffer[4096];
    const char *data_dirs_env = getenv("XDG_DATA_DIRS");
    if (!data_dirs_env || !*data_dirs_env)
        data_dirs_env = "/usr/local/share:/usr/share";
    const char *p = data_dirs_env;
    while (*p) {
        size_t n = strcspn(p, ":");
        if (n > 0 && n < sizeof buffer - 16 && p[0] == '/') {
            snprintf(buffer, sizeof buffer, "%.*s/breathe", (int)n, p);
            dirs_add(list, buffer, what);
        }
        p += n;
        if (*p == ':')
            p++;
    }
    dirs_add(list, BREATHE_DATADIR, what);
    const char *extra = getenv("BREATHE_DATA_DIR");
    if (extra && extra[0] == '/')
        dirs_add(list, extra, what);
}

static void dirs_free(dir_list *list)
{
    for (int i = 0; i < list->count; i++)
        free(list->dirs[i]);
    list->count = 0;
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A path as given, or NAME.cfg from the session folders. Returns a new string. */
static char *find_session(const char *name, FILE *err)
{
    if (strchr(name, '/') || is_file(name))
        return strdup(name);
    size_t length = strlen(name);
    if (length > 4 && strcmp(name + length - 4, ".cfg") == 0)
        return strdup(name);
    dir_list dirs = { .count = 0 };
    data_dirs(&dirs, "sessions");
    char *found = NULL;
    for (int i = 0; i < dirs.count && !found; i++) {
        size_t n = strlen(dirs.dirs[i]) + length + 6;
        char *path = malloc(n);
        if (!path)
            break;
        snprintf(path, n, "%s/%s.cfg", dirs.dirs[i], name);
        if (is_file(path))
            found = path;
        else
            free(path);
    }
    if (!found) {
        fprintf(err, "breathe: no session named '%s' (looked in", name);
        for (int i = 0; i < dirs.count; i++)
            fprintf(err, "%s %s", i ? "," : "", dirs.dirs[i]);
        fprintf(err, "); see 'breathe --list'\n");
    }
    dirs_free(&dirs);
    return found;
}

static dir_list audio_dirs;
static const char *audio_dir_pointers[MAX_DIRS + 1];

static void set_audio_search_path(void)
{
    data_dirs(&audio_dirs, "audio");
    for (int i = 0; i < audio_dirs.count; i++)
        audio_dir_pointers[i] = audio_dirs.dirs[i];
    audio_dir_pointers[audio_dirs.count] = NULL;
    session_audio_search_path = audio_dir_pointers;
}

/* ---- loading ---- */

typedef struct {
    session *session;
    timeline *timeline;
} loaded;

static int load(const char *name, loaded *out, FILE *err)
{
    memset(out, 0, sizeof *out);
    char *path = find_session(name, err);
    if (!path)
        return EXIT_USAGE;
    int code = session_load(path, &out->session, err);
    free(path);
    if (code)
        return code == 1 ? EXIT_RUNTIME : EXIT_USAGE;
    code = timeline_build(out->session, &out->timeline, err);
    if (code) {
        session_free(out->session);
        out->session = NULL;
        return code == 1 ? EXIT_RUNTIME : EXIT_USAGE;
    }
    return EXIT_DONE;
}

static void unload(loaded *l)
{
    timeline_free(l->timeline);
    session_free(l->session);
}

/* ---- --check ---- */

static void format_pattern(char *out, size_t size, const breath_pattern *p)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < p->count && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%g", i ? "-" : "", p->seconds[i]);
}

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
    status_format_time(at, sizeof at, start, rate);
    status_format_time(span, sizeof span, length, rate);
    switch (step->type) {
    case STEP_CUE: {
        char *tidy = realpath(step->cue_step.file->path, NULL);
        snprintf(what, sizeof what, "cue %s", tidy ? tidy : step->cue_step.file->path);
        free(tidy);
        break;
    }
    case STEP_BELL:
        snprintf(what, sizeof what, "bell, %d strike%s", step->bell.strikes,
                 step->bell.strikes == 1 ? "" : "s");
        break;
    case STEP_TIMER:
        snprintf(what, sizeof what, "timer");
        break;
    case STEP_REPEAT:
        if (rounds == 0)
            snprintf(what, sizeof what, "repeat forever");
        else
            snprintf(what, sizeof what, "repeat %lld times", rounds);
        break;
    case STEP_BREATHE: {
        char from[96], to[96];
        format_pattern(from, sizeof from, &step->breathe.pattern);
        long long cycles = timeline_breathe_cycles(c->timeline, step);
        double cycle_from = 0.0, cycle_to = 0.0;
        for (int i = 0; i < step->breathe.pattern.count; i++) {
            cycle_from += step->breathe.pattern.seconds[i];
            cycle_to += step->breathe.ramp_to.seconds[i];
        }
        if (step->breathe.ramps) {
            format_pattern(to, sizeof to, &step->breathe.ramp_to);
            snprintf(pace, sizeof pace, "%.1f-%.1f", 60.0 / cycle_from, 60.0 / cycle_to);
            snprintf(what, sizeof what, "breathe %s to %s, %lld cycle%s", from, to, cycles,
                     cycles == 1 ? "" : "s");
        } else {
            snprintf(pace, sizeof pace, "%.1f", 60.0 / cycle_from);
            snprintf(what, sizeof what, "breathe %s, %lld cycle%s", from, cycles,
                     cycles == 1 ? "" : "s");
        }
        break;
    }
    }
    /* Pad by characters, not bytes, so labels in any language line up. */
    const char *label = step->label[0] ? step->label : "-";
    int shown = 2 * depth;
    for (const char *p = label; *p; p++)
        shown += ((unsigned char)*p & 0xC0) != 0x80;
    fprintf(c->out, "  %8s %8s %9s  %*s%s%*s  %s\n", at, span, pace, 2 * depth, "", label,
            shown < LABEL_COLUMN ? LABEL_COLUMN - shown : 0, "", what);
}

static void print_warning(void *context, lint_kind kind, const char *file, int line,
                          const char *message)
{
    FILE *err = context;
    (void)kind;
    fprintf(err, "%s:%d: warning: %s\n", file, line, message);
}

static int check_sessions(char **names, int count, FILE *out, FILE *err)
{
    int worst = EXIT_DONE;
    for (int i = 0; i < count; i++) {
        loaded l;
        int code = load(names[i], &l, err);
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
        status_format_time(length, sizeof length, total, s->sample_rate);
        if (total == TIMELINE_FOREVER)
            fprintf(out, "  total: runs until stopped\n");
        else
            fprintf(out, "  total: %s (%lld frames at %d Hz)\n", length, (long long)total,
                    s->sample_rate);
        fflush(out);
        lint_session(l.timeline, print_warning, err);
        unload(&l);
    }
    return worst;
}

/* ---- --plot and --new ---- */

static int plot_session(const options *o, const char *name, FILE *out, FILE *err)
{
    loaded l;
    int code = load(name, &l, err);
    if (code)
        return code;
    int64_t start = o->has_start ? timeline_seconds_to_frames(l.timeline, o->start_seconds) : 0;
    int64_t length = o->has_length ? timeline_seconds_to_frames(l.timeline, o->length_seconds)
                                   : TIMELINE_FOREVER;
    int64_t from, frames;
    plot_window(l.timeline, start, length, &from, &frames);
    if (frames <= 0) {
        fprintf(err, "breathe: --start is past the end of the session\n");
        unload(&l);
        return EXIT_USAGE;
    }
    code = plot_write(l.timeline, start, length, o->plot, err) ? EXIT_RUNTIME : EXIT_DONE;
    if (code == EXIT_DONE && !o->quiet)
        fprintf(out, "wrote %s\n", o->plot);
    unload(&l);
    return code;
}

static int new_session(const char *name, bool quiet, FILE *out, FILE *err)
{
    size_t length = strlen(name);
    bool has_extension = length > 4 && strcmp(name + length - 4, ".cfg") == 0;
    char *path = malloc(length + 5);
    if (!path)
        return EXIT_RUNTIME;
    snprintf(path, length + 5, "%s%s", name, has_extension ? "" : ".cfg");
    int code = starter_write(path, err) ? EXIT_RUNTIME : EXIT_DONE;
    if (code == EXIT_DONE && !quiet)
        fprintf(out, "wrote %s; check it with 'breathe --check %s', play it with "
                     "'breathe %s'\n", path, path, path);
    free(path);
    return code;
}

/* ---- --list ---- */

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Session names (NAME.cfg, without .cfg) in one folder, sorted. */
static int folder_sessions(const char *folder, char **names, int max)
{
    DIR *dir = opendir(folder);
    if (!dir)
        return 0;
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) && count < max) {
        size_t n = strlen(entry->d_name);
        if (n > 4 && strcmp(entry->d_name + n - 4, ".cfg") == 0 && entry->d_name[0] != '.') {
            char *name = strndup(entry->d_name, n - 4);
            if (name)
                names[count++] = name;
        }
    }
    closedir(dir);
    qsort(names, (size_t)count, sizeof names[0], compare_names);
    return count;
}

/* True when an earlier folder of the search order has NAME.cfg, so that
 * `breathe NAME` plays that one instead. */
static bool hidden_by_earlier(const dir_list *dirs, int folder, const char *name)
{
    char path[4096];
    for (int d = 0; d < folder; d++) {
        snprintf(path, sizeof path, "%s/%s.cfg", dirs->dirs[d], name);
        if (is_file(path))
            return true;
    }
    return false;
}

/* The width --list fills: the terminal's, or LIST_WIDTH when the output is
 * not a terminal (the same lines for every script). */
enum { LIST_WIDTH = 80, LIST_INDENT = 4, LIST_AUTHOR_MOST = 30, LIST_DESCRIPTION_LEAST = 16 };

static int list_width(FILE *out)
{
    struct winsize size;
    if (isatty(fileno(out)) && ioctl(fileno(out), TIOCGWINSZ, &size) == 0 && size.ws_col >= 40)
        return size.ws_col;
    return LIST_WIDTH;
}

/* Characters (not bytes) of UTF-8 text. */
static int text_characters(const char *text)
{
    int count = 0;
    for (const char *p = text; *p; p++)
        count += ((unsigned char)*p & 0xC0) != 0x80;
    return count;
}

/* Appends to `line` at most `characters` characters of text, control
 * characters as spaces, and "..." in place of the last three when it is
 * longer. */
static void append_shortened(char *line, size_t size, const char *text, int characters)
{
    size_t used = strlen(line);
    bool whole = text_characters(text) <= characters;
    int keep = whole ? characters : characters - 3;
    for (const char *p = text; *p && used + 4 < size; p++) {
        bool starts_character = ((unsigned char)*p & 0xC0) != 0x80;
        if (starts_character && keep-- <= 0)
            break;
        line[used++] = (unsigned char)*p < 0x20 || *p == 0x7F ? ' ' : *p;
    }
    if (!whole && characters >= 3) {
        memcpy(line + used, "...", 3);
        used += 3;
    }
    line[used] = '\0';
}

/* The line under a session in --list: its description and author, cut to
 * the width, keeping the author when there is room for both. */
static void print_about(FILE *out, const session *s, int width)
{
    if (!s->description[0] && !s->author[0])
        return;
    char line[4096] = "", author[512] = "";
    int room = width - 1 - LIST_INDENT;
    if (s->author[0]) {
        strcpy(author, s->description[0] ? " (by " : "by ");
        append_shortened(author, sizeof author - 1, s->author, LIST_AUTHOR_MOST);
        if (s->description[0])
            strcat(author, ")");
    }
    int author_characters = text_characters(author);
    if (!s->description[0]) {
        append_shortened(line, sizeof line, author, room);
    } else if (room - author_characters >= LIST_DESCRIPTION_LEAST) {
        append_shortened(line, sizeof line, s->description, room - author_characters);
        strcat(line, author);
    } else {
        append_shortened(line, sizeof line, s->description, room);
    }
    fprintf(out, "%*s%s\n", LIST_INDENT, "", line);
}

/* Every folder in search order with its sessions' length and title, and
 * under each its description and author. With names_only, just the names
 * `breathe NAME` finds, one per line. */
static int list_sessions(bool names_only, FILE *out, FILE *err)
{
    dir_list dirs = { .count = 0 };
    data_dirs(&dirs, "sessions");
    int shown = 0, width = list_width(out);
    FILE *quiet = fopen("/dev/null", "w");
    for (int d = 0; d < dirs.count; d++) {
        char *names[512];
        int count = folder_sessions(dirs.dirs[d], names, 512);
        if (count > 0 && !names_only)
            fprintf(out, "%s:\n", dirs.dirs[d]);
        for (int i = 0; i < count; i++) {
            bool hidden = hidden_by_earlier(&dirs, d, names[i]);
            if (names_only) {
                if (!hidden)
                    fprintf(out, "%s\n", names[i]);
                free(names[i]);
                continue;
            }
            char path[4096];
            snprintf(path, sizeof path, "%s/%s.cfg", dirs.dirs[d], names[i]);
            loaded l;
            if (load(path, &l, quiet ? quiet : err) == EXIT_DONE) {
                char length[32];
                status_format_time(length, sizeof length, timeline_length(l.timeline),
                                   l.session->sample_rate);
                fprintf(out, "  %-28s %8s  %s%s\n", names[i], length, l.session->title,
                        hidden ? "  (hidden by the one above)" : "");
                print_about(out, l.session, width);
                unload(&l);
            } else {
                fprintf(out, "  %-28s %8s  (does not load: try breathe --check %s)\n",
                        names[i], "?", path);
            }
            shown++;
            free(names[i]);
        }
    }
    if (quiet)
        fclose(quiet);
    if (shown == 0 && !names_only)
        fprintf(out, "no sessions installed\n");
    dirs_free(&dirs);
    return EXIT_DONE;
}

/* ---- playing and rendering ---- */

static transport *signal_transport;
static volatile sig_atomic_t interrupted;

static void on_signal(int number)
{
    (void)number;
    interrupted = 1;
    if (signal_transport)
        transport_request_stop(signal_transport);
}

static void on_pause_signal(int number)
{
    (void)number;
    if (signal_transport)
        transport_toggle_pause(signal_transport);
}

static void catch_signals(bool playing)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    /* The terminal went away (an SSH connection lost): stop as for SIGTERM,
     * with the fade and the history line, rather than die mid-sound. */
    sigaction(SIGHUP, &action, NULL);
    /* Ctrl-\ (the terminal's quit key, still live in raw mode) too: its
     * default would leave the terminal raw. */
    sigaction(SIGQUIT, &action, NULL);
    if (playing) {
        action.sa_handler = on_pause_signal;
        sigaction(SIGUSR1, &action, NULL);
    }
}

typedef struct {
    status display;
    transport *transport;
    const timeline *timeline;
    int64_t end;           /* where the render ends (for a skip past the last step) */
    stream_pool *streams;  /* live: the streamed files' pool, shared with skips' engines */
    atomic_int_least64_t *dropped_sounds;  /* counted by every engine of the run */
    bool stop_on_signal;   /* rendering stops at once; playing fades via the transport */
    bool keys;             /* key presses are read */
    bool quit;             /* stopped with q */
    FILE *err;
} run_context;

static const char keys_help[] =
    "keys: space pause/resume, + and - volume, n next step, q quit, h or ? this help\n";

/* n: prepares an engine at the next step for the transport to switch to. */
static void skip_to_next_step(run_context *r)
{
    transport *t = r->transport;
    transport_collect(t);
    int64_t position = atomic_load(&t->position);
    int64_t target = transport_next_step(r->timeline, position, r->end);
    engine_options eo = {
        .volume_db = transport_volume(t),
        .start = target,
        .length = r->end == TIMELINE_FOREVER ? TIMELINE_FOREVER : r->end - target,
        .streams = r->streams,
        .dropped_sounds = r->dropped_sounds,
    };
    engine *next = engine_create(r->timeline, &eo);
    if (next && !transport_skip(t, next))
        engine_free(next);   /* a skip is still under way: this press is dropped */
}

static void handle_key(run_context *r, int key)
{
    transport *t = r->transport;
    switch (key) {
    case ' ':
        transport_toggle_pause(t);
        break;
    case '+': case '=':
        transport_set_volume(t, round(transport_volume(t)) + 1.0);
        break;
    case '-': case '_':
        transport_set_volume(t, round(transport_volume(t)) - 1.0);
        break;
    case 'n': case 'N':
        skip_to_next_step(r);
        break;
    case 'q': case 'Q':
        r->quit = true;
        transport_request_stop(t);
        break;
    case 'h': case 'H': case '?':
        status_clear(&r->display);
        fputs(keys_help, r->display.stream);
        fflush(r->display.stream);
        break;
    default:
        break;
    }
}

static bool monitor(void *context, int64_t frames_done)
{
    run_context *r = context;
    (void)frames_done;
    if (r->keys) {
        for (int key; (key = keys_read()) >= 0;)
            handle_key(r, key);
    }
    if (!r->stop_on_signal) {
        transport_collect(r->transport);
        status_controls(&r->display, atomic_load(&r->transport->position),
                        atomic_load(&r->transport->paused), transport_volume(r->transport));
    }
    status_update(&r->display, atomic_load(&r->transport->position));
    return !(r->stop_on_signal && interrupted);
}

/* ---- the practice history ---- */

static char *history_file(void)
{
    return history_path(getenv("XDG_STATE_HOME"), getenv("HOME"));
}

/* Appends one line for a live session. A failure is only a warning: the
 * session itself has been played. */
static void record_session(const char *name, time_t started, bool completed, int64_t planned,
                           int64_t played, int rate, FILE *err)
{
    history_record record = {
        .start = (int64_t)started,
        .utc_offset = history_utc_offset(started),
        .outcome = completed ? HISTORY_COMPLETED : HISTORY_STOPPED,
        .planned_seconds = planned >= TIMELINE_FOREVER / 2 ? -1 : (planned + rate / 2) / rate,
        .played_seconds = played > 0 ? (played + rate / 2) / rate : 0,
    };
    snprintf(record.session, sizeof record.session, "%s", name);
    char *path = history_file();
    history_append(path, &record, err);
    free(path);
}

static int show_stats(FILE *out, FILE *err)
{
    char *path = history_file();
    history_record *records;
    size_t count;
    if (history_read(path, &records, &count, err) != 0) {
        free(path);
        return EXIT_RUNTIME;
    }
    time_t now = time(NULL);
    history_stats stats;
    history_compute(records, count, now, history_utc_offset(now), &stats);
    history_print(&stats, out);
    fprintf(out, "\nHistory: %s\n", path ? path : "none (neither XDG_STATE_HOME nor HOME is set)");
    free(records);
    free(path);
    return EXIT_DONE;
}

static double monotonic_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + now.tv_nsec / 1e9;
}

/* Live playback failed (the device went away, or stopped taking sound):
 * try to open it again, once a second for retry_seconds, and play on
 * from where it stopped with a fade-in. Returns the status of the last run;
 * OUT_STOPPED when a signal came while waiting. */
static int play_on_after_failures(const out_backend *backend, out_stream **stream,
                                  const out_params *params, run_context *r, out_source source,
                                  int retry_seconds, FILE *err)
{
    transport *t = r->transport;
    int rate = timeline_rate(r->timeline);
    char *why = NULL;
    size_t why_size = 0;
    int ran = OUT_FAILED;
    while (ran == OUT_FAILED && !interrupted) {
        /* What the device held went with it: where the sound stopped is
         * what was last heard. Playing on continues the same render (so it
         * stays the offline render, sample for sample) from where it had
         * got to, one output latency later. */
        int64_t given = atomic_load(&t->position);
        int64_t heard = given - (backend->unheard ? backend->unheard(*stream) : 0);
        if (heard < 0)
            heard = 0;
        char at[32];
        status_clear(&r->display);
        status_format_time(at, sizeof at, heard, rate);
        fprintf(err, "breathe: lost the audio device at %s; trying again for %d s\n", at,
                retry_seconds);
        fflush(err);
        double give_up = monotonic_seconds() + retry_seconds;
        bool reopened = false;
        while (!reopened && !interrupted && monotonic_seconds() < give_up) {
            free(why);
            why = NULL;
            FILE *attempt = open_memstream(&why, &why_size);
            FILE *to = attempt ? attempt : err;
            backend->close(*stream, false, to);
            *stream = NULL;
            for (int i = 0; i < 10 && !interrupted; i++)
                nanosleep(&(struct timespec){ .tv_nsec = 100000000 }, NULL);
            reopened = !interrupted && backend->open(stream, params, to) == 0;
            if (attempt)
                fclose(attempt);
        }
        if (interrupted)
            return OUT_STOPPED;
        if (!reopened) {
            atomic_store(&t->position, heard);   /* for the --start to resume from */
            break;
        }
        fprintf(err, "breathe: the audio device is back; playing on from %s\n", at);
        fflush(err);
        transport_fade_in(t);
        ran = backend->run(*stream, source, monitor, r, err);
    }
    if (ran == OUT_FAILED && why && *why)
        fputs(why, err);
    free(why);
    return ran;
}

static int run(const options *o, const char *name, FILE *out, FILE *err)
{
    loaded l;
    int code = load(name, &l, err);
    if (code)
        return code;
    const session *s = l.session;
    int rate = s->sample_rate;
    int64_t total = timeline_length(l.timeline);
    engine_options eo = { .volume_db = o->volume_db, .start = 0, .length = TIMELINE_FOREVER };
    if (o->has_start) {
        eo.start = timeline_seconds_to_frames(l.timeline, o->start_seconds);
        if (total != TIMELINE_FOREVER && eo.start >= total) {
            char length[32];
            status_format_time(length, sizeof length, total, rate);
            fprintf(err, "breathe: --start is past the end of the session (it lasts %s)\n",
                    length);
            unload(&l);
            return EXIT_USAGE;
        }
    }
    if (o->has_length)
        eo.length = timeline_seconds_to_frames(l.timeline, o->length_seconds);
    if (o->output && total == TIMELINE_FOREVER && !o->has_length) {
        fprintf(err, "breathe: '%s' repeats forever; give --length to render part of it\n",
                s->path);
        unload(&l);
        return EXIT_USAGE;
    }
    /* Live, long files are read ahead by a thread of their own (stream.h);
     * every engine of the playback (skips make new ones) shares its pool. */
    stream_pool *streams = NULL;
    if (!o->output && engine_needs_streams(l.timeline)) {
        /* When it starts, the output takes its whole buffer at once, and
         * more (2.75 s at --latency 2 through PulseAudio): half as much
         * again is allowed for. Without --latency, about the backend's own. */
        double buffer = o->latency_seconds > 0.0 ? o->latency_seconds : 0.2;
        streams = stream_pool_create(rate, true, 1.5 * buffer);
        if (!streams) {
            fprintf(err, "breathe: out of memory\n");
            unload(&l);
            return EXIT_RUNTIME;
        }
    }
    eo.streams = streams;
    atomic_int_least64_t dropped_sounds;
    atomic_init(&dropped_sounds, 0);
    eo.dropped_sounds = &dropped_sounds;
    engine *e = engine_create(l.timeline, &eo);
    if (!e) {
        fprintf(err, "breathe: out of memory\n");
        stream_pool_free(streams);
        unload(&l);
        return EXIT_RUNTIME;
    }
    transport t;
    transport_init(&t, e, rate, o->volume_db);
    run_context r = { .transport = &t, .timeline = l.timeline, .end = engine_end(e),
                      .streams = streams, .dropped_sounds = &dropped_sounds,
                      .stop_on_signal = o->output != NULL, .err = err };

    const out_backend *backend = o->output ? &out_file_backend : &out_portaudio_backend;
    out_params params = { .sample_rate = rate, .device = o->device, .path = o->output,
                          .latency_seconds = o->latency_seconds };
    out_stream *stream = NULL;
    int result = EXIT_DONE;
    if (backend->open(&stream, &params, err) != 0) {
        if (!o->output && o->defaults_path)
            fprintf(err, "breathe: the device '%s' is set in %s; give -d to choose another\n",
                    o->device, o->defaults_path);
        result = EXIT_RUNTIME;
        goto done;
    }
    if (streams && stream_pool_start(streams) != 0) {
        fprintf(err, "breathe: cannot start reading audio files\n");
        backend->close(stream, false, err);
        result = EXIT_RUNTIME;
        goto done;
    }
    /* The caution is a safety note for the person about to practise: -q
     * and quiet = true do not hide it. A render is not practice. */
    if (!o->output) {
        if (!o->quiet)
            fprintf(out, "%s\n", s->title);
        if (s->caution)
            fprintf(out, "Caution: %s\n", s->caution);
        fflush(out);
    }
    status_begin(&r.display, out, o->quiet, o->output ? STATUS_RENDERING : STATUS_PLAYING,
                 l.timeline, engine_end(e), o->output);
    signal_transport = &t;
    catch_signals(!o->output);
    if (!o->output)
        r.keys = keys_open();
    if (r.keys && !o->quiet) {
        fputs(keys_help, out);
        fflush(out);
    }
    out_source source = { transport_render, &t };
    int retry_seconds = device_retry_seconds();
    time_t started = time(NULL);
    int ran = backend->run(stream, source, monitor, &r, err);
    if (ran == OUT_FAILED && !o->output)
        ran = play_on_after_failures(backend, &stream, &params, &r, source, retry_seconds,
                                     err);
    signal_transport = NULL;
    keys_close();
    int64_t reached = atomic_load(&t.position);
    bool stopped = ran == OUT_STOPPED || atomic_load(&t.stopped_early) || interrupted;
    if (ran == OUT_FAILED) {
        status_end(&r.display, reached, NULL);
        result = EXIT_RUNTIME;
        if (!o->output) {
            char at[32];
            status_format_time(at, sizeof at, reached, rate);
            fprintf(err, "breathe: playback stopped at %s; resume with --start %lld\n", at,
                    (long long)(reached / rate));
        }
    } else if (stopped) {
        status_end(&r.display, reached, o->output ? NULL : "stopped");
        result = r.quit && !interrupted ? EXIT_DONE : EXIT_INTERRUPTED;
    } else {
        status_end(&r.display, reached, o->output ? NULL : "finished");
    }
    /* A file that could not be read: live, it played as silence and is
     * reported; a render would hold that silence, so it is not kept. */
    stream_report report;
    stream_pool_report(streams ? streams : engine_streams(t.engine), &report);
    stream_report_print(&report, rate, err);
    /* The session's own doing, the same live and offline: said, not failed. */
    int64_t dropped = atomic_load(&dropped_sounds);
    if (dropped > 0)
        fprintf(err, "breathe: %lld sound%s left out: more than %d were sounding at once "
                     "(bells, bowls, ticks and cues together)\n",
                (long long)dropped, dropped == 1 ? " was" : "s were", ENGINE_MAX_VOICES);
    if (o->output && report.failures > 0 && result == EXIT_DONE)
        result = EXIT_RUNTIME;
    if (backend->close(stream, result == EXIT_DONE, err) != 0 && result == EXIT_DONE)
        result = EXIT_RUNTIME;
    if (!o->output && o->record_history)
        record_session(name, started, ran == OUT_DONE && !stopped, r.end - eo.start,
                       reached - eo.start, rate, err);
    if (result == EXIT_DONE && o->output && !o->quiet) {
        char length[32];
        status_format_time(length, sizeof length, reached - eo.start, rate);
        fprintf(out, "wrote %s (%s)\n", o->output, length);
    }
done:
    transport_free_engines(&t);
    stream_pool_free(streams);
    unload(&l);
    return result;
}

/* ---- the user's defaults ---- */

/* Fills what the command line left unset from the settings file. Device
 * and volume apply to live playback only: a render is the same whoever
 * makes it. Returns 0, or 2 when the file has a problem. */
static int load_defaults(options *o, userconfig *defaults, FILE *err)
{
    char *path = userconfig_path(getenv("XDG_CONFIG_HOME"), getenv("HOME"));
    int code = userconfig_load(path, defaults, err);
    free(path);
    if (code)
        return EXIT_USAGE;
    if (!o->output && !o->device && defaults->device) {
        o->device = defaults->device;
        o->defaults_path = defaults->path;
    }
    if (!o->output && !o->has_volume)
        o->volume_db = defaults->volume_db;
    if (o->latency_seconds == 0.0)
        o->latency_seconds = defaults->latency_seconds;
    o->quiet = o->quiet || defaults->quiet;
    o->record_history = defaults->history;
    return EXIT_DONE;
}

/* ---- arguments ---- */

static int usage_error(FILE *err, const char *message, const char *value)
{
    fprintf(err, "breathe: %s%s%s\nTry 'breathe --help'.\n", message, value ? " " : "",
            value ? value : "");
    return EXIT_USAGE;
}

static int parse_time(const char *option, const char *text, double *seconds, FILE *err)
{
    char why[256];
    if (parse_duration_text(text, seconds, why, sizeof why) != 0) {
        fprintf(err, "breathe: %s '%s': %s\nTry 'breathe --help'.\n", option, text, why);
        return EXIT_USAGE;
    }
    return EXIT_DONE;
}

int cli_main(int argc, char **argv)
{
    FILE *out = stdout, *err = stderr;
    enum { OPT_LIST = 256, OPT_LIST_DEVICES, OPT_VOLUME, OPT_START, OPT_LENGTH, OPT_VERSION,
           OPT_NAMES, OPT_SAFETY, OPT_STATS, OPT_PLOT, OPT_NEW, OPT_LATENCY };
    static const struct option long_options[] = {
        { "output", required_argument, NULL, 'o' },
        { "check", no_argument, NULL, 'c' },
        { "list", no_argument, NULL, OPT_LIST },
        { "list-devices", no_argument, NULL, OPT_LIST_DEVICES },
        { "names", no_argument, NULL, OPT_NAMES },
        { "device", required_argument, NULL, 'd' },
        { "volume", required_argument, NULL, OPT_VOLUME },
        { "latency", required_argument, NULL, OPT_LATENCY },
        { "start", required_argument, NULL, OPT_START },
        { "length", required_argument, NULL, OPT_LENGTH },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, OPT_VERSION },
        { "safety", no_argument, NULL, OPT_SAFETY },
        { "stats", no_argument, NULL, OPT_STATS },
        { "plot", required_argument, NULL, OPT_PLOT },
        { "new", required_argument, NULL, OPT_NEW },
        { NULL, 0, NULL, 0 },
    };
    options o = { .volume_db = 0.0, .record_history = true };
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":o:cd:qh", long_options, NULL)) != -1) {
        switch (c) {
        case 'o': o.output = optarg; break;
        case 'c': o.check = true; break;
        case 'd': o.device = optarg; break;
        case 'q': o.quiet = true; break;
        case OPT_LIST: o.list = true; break;
        case OPT_LIST_DEVICES: o.list_devices = true; break;
        case OPT_NAMES: o.names_only = true; break;
        case OPT_STATS: o.stats = true; break;
        case OPT_PLOT: o.plot = optarg; break;
        case OPT_NEW: o.new_session = optarg; break;
        case OPT_VOLUME: {
            char *end = NULL;
            errno = 0;
            o.volume_db = strtod(optarg, &end);
            o.has_volume = true;
            if (end == optarg || *end || errno || !isfinite(o.volume_db)
                || o.volume_db < -120.0 || o.volume_db > 40.0)
                return usage_error(err, "--volume takes a gain in dB from -120 to 40, not",
                                   optarg);
            break;
        }
        case OPT_LATENCY: {
            char *end = NULL;
            errno = 0;
            o.latency_seconds = strtod(optarg, &end);
            if (end == optarg || *end || errno || !isfinite(o.latency_seconds)
                || o.latency_seconds < LATENCY_MIN_SECONDS
                || o.latency_seconds > LATENCY_MAX_SECONDS)
                return usage_error(err, "--latency takes seconds from 0.01 to 2, not", optarg);
            break;
        }
        case OPT_START:
            if (parse_time("--start", optarg, &o.start_seconds, err))
                return EXIT_USAGE;
            o.has_start = true;
            break;
        case OPT_LENGTH:
            if (parse_time("--length", optarg, &o.length_seconds, err))
                return EXIT_USAGE;
            if (o.length_seconds <= 0.0)
                return usage_error(err, "--length must be longer than 0, not", optarg);
            o.has_length = true;
            break;
        case 'h':
            fputs(usage_text, out);
            return EXIT_DONE;
        case OPT_VERSION:
            fprintf(out, "breathe %s\n", BREATHE_VERSION);
            return EXIT_DONE;
        case OPT_SAFETY:
            safety_print(out);
            return EXIT_DONE;
        case ':':
            return usage_error(err, "this option needs a value:", argv[optind - 1]);
        default:
            return usage_error(err, "unknown option", argv[optind - 1]);
        }
    }
    set_audio_search_path();
    int operands = argc - optind;
    userconfig defaults = { .history = true };
    int result;
    if (o.list_devices) {
        int listed = o.names_only ? out_portaudio_list_device_names(out, err)
                                  : out_portaudio_list_devices(out, err);
        result = listed == 0 ? EXIT_DONE : EXIT_RUNTIME;
    } else if (o.list) {
        result = list_sessions(o.names_only, out, err);
    } else if (o.stats) {
        result = show_stats(out, err);
    } else if (o.new_session) {
        result = operands > 0 ? usage_error(err, "--new takes only a file name, not",
                                            argv[optind])
                              : new_session(o.new_session, o.quiet, out, err);
    } else if (o.check) {
        result = operands < 1 ? usage_error(err, "--check needs at least one session", NULL)
                              : check_sessions(argv + optind, operands, out, err);
    } else if (o.plot) {
        result = operands != 1 ? usage_error(err, operands == 0 ? "--plot needs a session"
                                                                : "--plot draws one session, not",
                                             operands == 0 ? NULL : "several")
                               : plot_session(&o, argv[optind], out, err);
    } else if (o.output && !out_file_format_known(o.output)) {
        result = usage_error(err, "cannot tell the output format from the name (use .wav, "
                                  ".flac, .ogg, .oga or .opus):", o.output);
    } else if ((result = load_defaults(&o, &defaults, err)) != EXIT_DONE) {
        /* Only playing and rendering read the defaults file: the settings
         * file has a problem, already reported. */
    } else if (operands == 0 && defaults.session) {
        result = run(&o, defaults.session, out, err);
    } else if (operands != 1) {
        result = usage_error(err, operands == 0 ? "no session given" : "give one session, not",
                             operands == 0 ? NULL : "several");
    } else {
        result = run(&o, argv[optind], out, err);
    }
    userconfig_free(&defaults);
    dirs_free(&audio_dirs);
    return result;
}
