/* cli.c: the command line. See cli.h and docs/breathe.1. */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "authoring/plot.h"
#include "authoring/starter.h"
#include "base/clock.h"
#include "base/level.h"
#include "base/text.h"
#include "cli/keys.h"
#include "cli/modes.h"
#include "play/safety.h"
#include "cli/status.h"
#include "hr/strap.h"
#include "out/out.h"
#include "play/library.h"
#include "play/programmes.h"
#include "render/engine.h"
#include "render/transport.h"
#include "serve/serve.h"
#include "user/history.h"
#include "user/practice.h"
#include "user/userconfig.h"

enum { EXIT_DONE = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_INTERRUPTED = 130 };

/* A number defined elsewhere, spelled in the help as it is in the code. */
#define TEXT_OF(macro) TEXT_OF_VALUE(macro)
#define TEXT_OF_VALUE(value) #value

static const char usage_text[] =
    "Usage: breathe [OPTIONS] SESSION          play a session live\n"
    "       breathe -o FILE [OPTIONS] SESSION  render it to FILE (WAV, FLAC, Ogg, Opus, MP3)\n"
    "       breathe --check SESSION...         validate, print the timeline and warnings\n"
    "       breathe --plot FILE.svg SESSION    draw the session as an SVG picture\n"
    "       breathe --new FILE                 write a commented session to start from\n"
    "       breathe --list                     installed sessions: length, title, description\n"
    "       breathe --list-devices             audio output devices\n"
    "       breathe --stats                    your practice: totals, streaks, last 14 days\n"
    "       breathe --safety                   when to stop, and when to get medical help\n"
    "       breathe --serve                    play sessions asked for over D-Bus (MPRIS)\n"
    "       breathe --hr-scan                  heart-rate straps in range (Bluetooth)\n"
    "       breathe --analyze RECORDING        heart rate at each breathing rate of a\n"
    "                                          recording, and your resonance rate\n"
    "       breathe --follow PROGRAMME         follow a programme of weeks of sessions\n"
    "       breathe --today [OPTIONS]          play today's session of the programme\n"
    "       breathe --plan                     the programme's weeks: done, due and next\n"
    "\n";

/* The options; the help is in parts because ISO C promises string
 * literals of 4095 characters, no more. First, rendering to a file. */
static const char usage_render_text[] =
    "  -o, --output FILE        render to FILE instead of playing, in the format its\n"
    "                           extension names: .wav 32-bit float (the render\n"
    "                           exactly, for editing), .flac 24-bit (lossless, its\n"
    "                           noise far below hearing), .mp3 variable bitrate V"
    TEXT_OF(OUT_MP3_DEFAULT_QUALITY) "\n"
    "                           (plays everywhere; clear voice and tones at about\n"
    "                           a tenth of 16-bit WAV's size), .ogg/.oga Vorbis, .opus;\n"
    "                           -o - writes to standard output (WAV, or --format), for\n"
    "                           a pipe: breathe -o - box-breathing | sox -t wav - ...\n"
    "      --format NAME        with -o: write wav, flac, ogg, opus or mp3 whatever\n"
    "                           the file's name\n"
    "      --bits 16|24|32f     with -o: the sample format of .wav (16, 24, 32f) or\n"
    "                           .flac (16, 24); 16 bits are dithered (TPDF), for\n"
    "                           players and car stereos that take nothing else\n"
    "      --quality Q          with -o to .mp3: 0 (best) to 9 for a variable bitrate\n"
    "                           (default " TEXT_OF(OUT_MP3_DEFAULT_QUALITY) "), or a constant bitrate such as 128k\n"
    "      --labels FILE        with -o: write the steps to FILE as an Audacity label\n"
    "                           track (start and end seconds, label; tab-separated)\n";

/* The other modes and options. */
static const char usage_options_text[] =
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
    "                           (and the programme followed: weeks done, due today)\n"
    "      --names              with --list or --list-devices: only the names, one a\n"
    "                           line (devices as INDEX<tab>NAME), for scripts\n"
    "      --safety             print when to stop an exercise and when to get help\n"
    "      --serve              serve org.mpris.MediaPlayer2.breathe on the session bus:\n"
    "                           playerctl -p breathe open breathe:NAME, play, pause,\n"
    "                           next, position, volume, stop (see breathe(1))\n"
    "      --listen ADDR:PORT   with --serve: also serve the web remote, a page to\n"
    "                           choose, start and follow sessions from a phone\n"
    "                           (0.0.0.0:8089, [::]:8089; 127.0.0.1:8089 needs no token)\n"
    "      --new-token          with --serve: replace the web remote's token\n"
    "      --follow PROGRAMME   follow a programme (neck-and-upper-back, or a .cfg\n"
    "                           file) from today; following it again keeps its progress\n"
    "      --today              play the session the programme has due today (what is\n"
    "                           due, missed, and which week, from the history)\n"
    "      --plan               show the programme's weeks: done, now, next; this\n"
    "                           week's sessions done and due\n"
    "  -d, --device NAME|INDEX  play on this device (a name, part of one, or an index\n"
    "                           from --list-devices)\n"
    "      --hr STRAP|FILE      follow the heart rate while playing: a Bluetooth strap\n"
    "                           by name or address (see --hr-scan), or a file or\n"
    "                           named pipe of RR intervals (ms a line, or Polar\n"
    "                           Sensor Logger's RR file); the status shows it and\n"
    "                           each beat is recorded (see breathe(1)); none: no\n"
    "                           source, whatever the defaults' hr_device says\n"
    "      --hr-scan            list heart-rate straps in range: address, name, signal\n"
    "      --volume DB          master gain in dB, added to the session's own volume\n"
    "      --latency SECONDS    live output buffer, 0.01 to 2 (default "
    TEXT_OF(OUT_DEFAULT_LATENCY_SECONDS) "); more\n"
    "                           rides out a busy machine, less answers keys sooner\n"
    "      --start TIME         begin TIME into the session (90, 1.5m, 2m30s)\n"
    "      --length TIME        play or render only TIME (needed to render a session\n"
    "                           that repeats forever)\n"
    "  -q, --quiet              print only errors (and a live session's caution)\n"
    "  -h, --help               this help\n"
    "      --version            the version\n";

/* The options of heart-rate analysis (docs/hrv.md). */
static const char usage_hrv_text[] =
    "      --analyze RECORDING  analyse a heart-rate recording (.tsv, docs/hrv.md): for\n"
    "                           each paced breathing rate the heart-rate swing per\n"
    "                           breath, LF power and peak, how closely heart rate\n"
    "                           follows the breath, RMSSD and SDNN; then the resonance\n"
    "                           rate, the one with the largest swing, and how clear\n"
    "      --save               with --analyze: keep the resonance rate found in\n"
    "                           ~/.local/state/breathe/resonance; sessions with\n"
    "                           pattern = \"resonance\" pace at it, --stats shows it\n"
    "      --plot FILE.svg      with --analyze: draw heart rate over time under the\n"
    "                           breathing-rate bands, with the table\n";

/* The rest of the help. */
static const char usage_more_text[] =
    "\n"
    "Choose at most one of -o, -c, --plot, --new, --list, --list-devices,\n"
    "--stats, --serve, --hr-scan, --analyze, --follow, --today and --plan, with\n"
    "only the options it uses: -d, --latency and --hr when playing (--today\n"
    "plays), --volume when playing or rendering, --format, --bits, --quality\n"
    "and --labels when rendering, --start and --length when playing, rendering\n"
    "or plotting, --names with --list or --list-devices, --save and --plot\n"
    "with --analyze, --listen and --new-token with --serve.\n"
    "\n"
    "SESSION is a path to a .cfg file or the name of an installed session\n"
    "(box-breathing). Playing and rendering read defaults (device, volume, latency,\n"
    "quiet, session, history, hr_device) from ~/.config/breathe/config; options\n"
    "override them. Each live session adds a line to ~/.local/state/breathe/history\n"
    "(see --stats); with a heart-rate source, its beats go to\n"
    "~/.local/state/breathe/recordings/.\n"
    "\n"
    "A programme (breathe-programme(5)) lays out weeks of sessions with their dose.\n"
    "--follow keeps which one and since when in ~/.local/state/breathe/programme;\n"
    "a week moves on only when its sessions were done, and a missed week is done\n"
    "again. BREATHE_TODAY=YYYY-MM-DD sets today's date, for tests.\n"
    "\n"
    "Keys while playing on a terminal: space pause/resume, + and - volume by 1 dB,\n"
    "n next step, q quit, h or ? these keys. Signals: SIGINT, SIGTERM, SIGHUP and\n"
    "SIGQUIT fade out and stop (status 130), SIGUSR1 pauses or resumes.\n"
    "\n"
    "Exit status: 0 done (or quit with q); 1 runtime failure (no device,\n"
    "unwritable file); 2 usage or session error; 130 stopped by a signal.\n";

/* What the command line asks for: one mode, and the options that go with it. */
typedef enum {
    MODE_PLAY, MODE_RENDER, MODE_CHECK, MODE_PLOT, MODE_NEW, MODE_LIST, MODE_LIST_DEVICES,
    MODE_STATS, MODE_SERVE, MODE_HR_SCAN,
    MODE_ANALYZE, MODE_FOLLOW, MODE_TODAY, MODE_PLAN,
} mode;

/* Options that only some modes take, as bits. */
enum {
    TAKES_DEVICE = 1 << 0,    /* -d, --latency: live playback */
    TAKES_VOLUME = 1 << 1,    /* --volume */
    TAKES_WINDOW = 1 << 2,    /* --start, --length */
    TAKES_NAMES = 1 << 3,     /* --names */
    TAKES_FORMAT = 1 << 4,    /* --format, --bits, --quality, --labels: a render's files */
    TAKES_HEART_RATE = 1 << 5,  /* --hr: live playback */
    TAKES_WEB = 1 << 6,       /* --listen, --new-token: the web remote of --serve */
};

static const struct {
    const char *option;   /* how the mode is asked for; NULL: playing, the default */
    unsigned takes;
} modes[] = {
    [MODE_PLAY] = { NULL, TAKES_DEVICE | TAKES_VOLUME | TAKES_WINDOW | TAKES_HEART_RATE },
    [MODE_RENDER] = { "--output", TAKES_VOLUME | TAKES_WINDOW | TAKES_FORMAT },
    [MODE_CHECK] = { "--check", 0 },
    [MODE_PLOT] = { "--plot", TAKES_WINDOW },
    [MODE_NEW] = { "--new", 0 },
    [MODE_LIST] = { "--list", TAKES_NAMES },
    [MODE_LIST_DEVICES] = { "--list-devices", TAKES_NAMES },
    [MODE_STATS] = { "--stats", 0 },
    [MODE_SERVE] = { "--serve", TAKES_WEB },
    [MODE_HR_SCAN] = { "--hr-scan", 0 },
    [MODE_ANALYZE] = { "--analyze", 0 },
    [MODE_FOLLOW] = { "--follow", 0 },
    [MODE_TODAY] = { "--today", TAKES_DEVICE | TAKES_VOLUME | TAKES_HEART_RATE },
    [MODE_PLAN] = { "--plan", 0 },
};

typedef struct {
    mode mode;
    const char *output;       /* -o FILE */
    const char *plot;         /* --plot FILE */
    const char *new_session;  /* --new FILE */
    const char *device;
    bool quiet;
    unsigned given;           /* TAKES_* bits of the options given */
    const char *given_names[7];  /* the first option given for each bit, for messages */
    bool record_history;      /* live sessions go into the history */
    const char *defaults_path;  /* the defaults file, when it chose the device */
    double volume_db;
    double latency_seconds;   /* 0: the backend's default */
    double start_seconds, length_seconds;
    out_format format;        /* --format, --bits, --quality */
    const char *labels;       /* --labels FILE */
    const char *heart_rate;   /* --hr STRAP|FILE */
    bool no_heart_rate;       /* --hr none: not even the defaults' hr_device */
    bool heart_rate_from_defaults;   /* heart_rate is the defaults' hr_device */
    const char *analyze;      /* --analyze RECORDING */
    bool save;                /* --save, with --analyze */
    serve_web_options web;    /* --listen, --new-token */
    const char *follow;       /* --follow PROGRAMME */
} options;

/* ---- --plot and --new ---- */

static int plot_session(const options *o, const char *name, FILE *out, FILE *err,
                        const report_sink *sink)
{
    loaded_session l;
    int code = library_load(name, &l, sink);
    if (code)
        return code;
    int64_t start = timeline_seconds_to_frames(l.timeline, o->start_seconds);
    int64_t length = o->length_seconds > 0.0
                         ? timeline_seconds_to_frames(l.timeline, o->length_seconds)
                         : TIMELINE_FOREVER;
    int64_t from, frames;
    plot_window(l.timeline, start, length, &from, &frames);
    if (frames <= 0) {
        fprintf(err, "breathe: --start is past the end of the session\n");
        library_unload(&l);
        return EXIT_USAGE;
    }
    code = plot_write(l.timeline, start, length, o->plot, sink) ? EXIT_RUNTIME : EXIT_DONE;
    if (code == EXIT_DONE && !o->quiet)
        fprintf(out, "wrote %s\n", o->plot);
    library_unload(&l);
    return code;
}

static int new_session(const char *name, bool quiet, FILE *out, const report_sink *sink)
{
    size_t length = strlen(name);
    bool has_extension = text_has_suffix(name, SESSION_FILE_SUFFIX)
                         && length > strlen(SESSION_FILE_SUFFIX);
    size_t size = length + sizeof SESSION_FILE_SUFFIX;
    char *path = malloc(size);
    if (!path)
        return EXIT_RUNTIME;
    snprintf(path, size, "%s%s", name, has_extension ? "" : SESSION_FILE_SUFFIX);
    int code = starter_write(path, sink) ? EXIT_RUNTIME : EXIT_DONE;
    if (code == EXIT_DONE && !quiet)
        fprintf(out, "wrote %s; check it with 'breathe --check %s', play it with "
                     "'breathe %s'\n", path, path, path);
    free(path);
    return code;
}

/* ---- --list ---- */

/* ---- the practice history ---- */

/* The report is user/practice.c's, which the web remote shows too. */
static int show_stats(FILE *out, const report_sink *sink)
{
    int code = practice_print(out, sink);
    int programme_code = cli_programme_stats(out, sink);
    return code != EXIT_DONE ? code : programme_code;
}

/* ---- --hr-scan ---- */

static int scan_straps(FILE *out, FILE *err, const report_sink *to)
{
    int seconds = hr_scan_seconds();
    int found = hr_scan(out, seconds, to);
    if (found < 0)
        return EXIT_RUNTIME;
    if (found == 0)
        fprintf(err, "breathe: no heart-rate strap in range after %d s; a strap wakes when "
                     "worn with its electrodes moist\n", seconds);
    return EXIT_DONE;
}

/* ---- the user's defaults ---- */

/* Fills what the command line left unset from the settings file. Device
 * and volume apply to live playback only: a render is the same whoever
 * makes it. Returns 0, or 2 when the file has a problem. */
static int load_defaults(options *o, userconfig *defaults, const report_sink *sink)
{
    int code = play_defaults_load(defaults, sink);
    if (code)
        return code == 1 ? EXIT_RUNTIME : EXIT_USAGE;
    if (!o->output && !o->device && defaults->device) {
        o->device = defaults->device;
        o->defaults_path = defaults->path;
    }
    if (!o->output && !(o->given & TAKES_VOLUME))
        o->volume_db = defaults->volume_db;
    if (o->latency_seconds == 0.0)
        o->latency_seconds = defaults->latency_seconds;
    o->quiet = o->quiet || defaults->quiet;
    o->record_history = defaults->history;
    if (!o->output && !o->heart_rate && !o->no_heart_rate) {
        o->heart_rate = defaults->hr_device;
        o->heart_rate_from_defaults = o->heart_rate != NULL;
    }
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

/* A second mode is a mistake the person should hear about, not one
 * silently dropped: "--check and --output cannot be used together". */
static int choose_mode(options *o, mode chosen, FILE *err)
{
    if (o->mode != MODE_PLAY && o->mode != chosen) {
        fprintf(err, "breathe: %s and %s cannot be used together\nTry 'breathe --help'.\n",
                modes[o->mode].option, modes[chosen].option);
        return EXIT_USAGE;
    }
    o->mode = chosen;
    return EXIT_DONE;
}

static void note_given(options *o, unsigned bit, const char *name)
{
    int index = 0;
    while ((1u << index) != bit)
        index++;
    if (!(o->given & bit))
        o->given_names[index] = name;
    o->given |= bit;
}

/* An option the chosen mode does not use is a usage error too. */
static int check_options_fit(const options *o, FILE *err)
{
    unsigned extra = o->given & ~modes[o->mode].takes;
    for (int index = 0; extra; index++, extra >>= 1) {
        if (!(extra & 1))
            continue;
        const char *mode_name = modes[o->mode].option ? modes[o->mode].option : "playing";
        if (o->mode == MODE_PLAY)
            fprintf(err, "breathe: %s goes with %s\n", o->given_names[index],
                    (1u << index) == TAKES_FORMAT ? "-o (--output)"
                    : (1u << index) == TAKES_WEB ? "--serve"
                                                  : "--list or --list-devices");
        else if ((1u << index) == TAKES_HEART_RATE)
            fprintf(err, "breathe: %s goes with playing live, not %s\n",
                    o->given_names[index], mode_name);
        else
            fprintf(err, "breathe: %s has no use with %s\n", o->given_names[index], mode_name);
        fputs("Try 'breathe --help'.\n", err);
        return EXIT_USAGE;
    }
    return EXIT_DONE;
}

static int parse_decibels(const char *text, double *value)
{
    char *end = NULL;
    errno = 0;
    *value = strtod(text, &end);
    return end == text || *end || errno || !isfinite(*value) || *value < LEVEL_MIN_DB
           || *value > LEVEL_MAX_DB;
}

static int parse_latency(const char *text, double *value)
{
    char *end = NULL;
    errno = 0;
    *value = strtod(text, &end);
    return end == text || *end || errno || !isfinite(*value) || *value < LATENCY_MIN_SECONDS
           || *value > LATENCY_MAX_SECONDS;
}

/* Parses the options into o; returns -1 to go on, or an exit status (after
 * --help, --version, --safety, or a usage error). */
static int parse_options(int argc, char **argv, options *o, FILE *out, FILE *err)
{
    enum { OPT_LIST = 256, OPT_LIST_DEVICES, OPT_VOLUME, OPT_START, OPT_LENGTH, OPT_VERSION,
           OPT_NAMES, OPT_SAFETY, OPT_STATS, OPT_PLOT, OPT_NEW, OPT_LATENCY, OPT_FORMAT,
           OPT_BITS, OPT_QUALITY, OPT_LABELS, OPT_SERVE, OPT_HR, OPT_HR_SCAN,
           OPT_ANALYZE, OPT_SAVE, OPT_LISTEN, OPT_NEW_TOKEN, OPT_FOLLOW, OPT_TODAY,
           OPT_PLAN };
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
        { "format", required_argument, NULL, OPT_FORMAT },
        { "bits", required_argument, NULL, OPT_BITS },
        { "quality", required_argument, NULL, OPT_QUALITY },
        { "labels", required_argument, NULL, OPT_LABELS },
        { "serve", no_argument, NULL, OPT_SERVE },
        { "hr", required_argument, NULL, OPT_HR },
        { "hr-scan", no_argument, NULL, OPT_HR_SCAN },
        { "analyze", required_argument, NULL, OPT_ANALYZE },
        { "save", no_argument, NULL, OPT_SAVE },
        { "listen", required_argument, NULL, OPT_LISTEN },
        { "new-token", no_argument, NULL, OPT_NEW_TOKEN },
        { "follow", required_argument, NULL, OPT_FOLLOW },
        { "today", no_argument, NULL, OPT_TODAY },
        { "plan", no_argument, NULL, OPT_PLAN },
        { NULL, 0, NULL, 0 },
    };
    opterr = 0;
    int c, code = EXIT_DONE;
    while (code == EXIT_DONE && (c = getopt_long(argc, argv, ":o:cd:qh", long_options, NULL)) != -1) {
        switch (c) {
        case 'o': o->output = optarg; code = choose_mode(o, MODE_RENDER, err); break;
        case 'c': code = choose_mode(o, MODE_CHECK, err); break;
        case OPT_LIST: code = choose_mode(o, MODE_LIST, err); break;
        case OPT_LIST_DEVICES: code = choose_mode(o, MODE_LIST_DEVICES, err); break;
        case OPT_STATS: code = choose_mode(o, MODE_STATS, err); break;
        case OPT_SERVE: code = choose_mode(o, MODE_SERVE, err); break;
        case OPT_HR_SCAN: code = choose_mode(o, MODE_HR_SCAN, err); break;
        case OPT_HR:
            note_given(o, TAKES_HEART_RATE, "--hr");
            o->heart_rate = optarg;
            if (!*optarg)
                return usage_error(err, "--hr needs a strap's name or address, or a file", NULL);
            if (strcmp(optarg, "none") == 0) {
                o->heart_rate = NULL;
                o->no_heart_rate = true;
            }
            break;
        case OPT_PLOT:   /* a session's picture, or with --analyze the recording's */
            o->plot = optarg;
            if (o->mode != MODE_ANALYZE)
                code = choose_mode(o, MODE_PLOT, err);
            break;
        case OPT_ANALYZE:
            o->analyze = optarg;
            if (o->mode == MODE_PLOT)
                o->mode = MODE_PLAY;   /* the --plot before it draws the analysis */
            code = choose_mode(o, MODE_ANALYZE, err);
            break;
        case OPT_SAVE: o->save = true; break;
        case OPT_FOLLOW: o->follow = optarg; code = choose_mode(o, MODE_FOLLOW, err); break;
        case OPT_TODAY: code = choose_mode(o, MODE_TODAY, err); break;
        case OPT_PLAN: code = choose_mode(o, MODE_PLAN, err); break;
        case OPT_NEW: o->new_session = optarg; code = choose_mode(o, MODE_NEW, err); break;
        case 'q': o->quiet = true; break;
        case OPT_NAMES: note_given(o, TAKES_NAMES, "--names"); break;
        case 'd':
            o->device = optarg;
            note_given(o, TAKES_DEVICE, "--device");
            break;
        case OPT_VOLUME:
            note_given(o, TAKES_VOLUME, "--volume");
            if (parse_decibels(optarg, &o->volume_db)) {
                fprintf(err, "breathe: --volume takes a gain in dB from %g to %g, not %s\n"
                             "Try 'breathe --help'.\n", LEVEL_MIN_DB, LEVEL_MAX_DB, optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_LATENCY:
            note_given(o, TAKES_DEVICE, "--latency");
            if (parse_latency(optarg, &o->latency_seconds))
                return usage_error(err, "--latency takes seconds from 0.01 to 2, not", optarg);
            break;
        case OPT_FORMAT:
            note_given(o, TAKES_FORMAT, "--format");
            o->format.container = optarg;
            break;
        case OPT_BITS:
            note_given(o, TAKES_FORMAT, "--bits");
            o->format.samples = strcmp(optarg, "16") == 0 ? OUT_SAMPLES_16
                              : strcmp(optarg, "24") == 0 ? OUT_SAMPLES_24
                              : strcmp(optarg, "32f") == 0 ? OUT_SAMPLES_FLOAT
                              : OUT_SAMPLES_DEFAULT;
            if (o->format.samples == OUT_SAMPLES_DEFAULT) {
                fprintf(err, "breathe: --bits takes 16, 24 or 32f, not %s\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_QUALITY:
            note_given(o, TAKES_FORMAT, "--quality");
            o->format.quality = optarg;
            break;
        case OPT_LABELS:
            note_given(o, TAKES_FORMAT, "--labels");
            o->labels = optarg;
            break;
        case OPT_LISTEN:
            note_given(o, TAKES_WEB, "--listen");
            o->web.listen = optarg;
            break;
        case OPT_NEW_TOKEN:
            note_given(o, TAKES_WEB, "--new-token");
            o->web.new_token = true;
            break;
        case OPT_START:
            note_given(o, TAKES_WINDOW, "--start");
            if (parse_time("--start", optarg, &o->start_seconds, err))
                return EXIT_USAGE;
            break;
        case OPT_LENGTH:
            note_given(o, TAKES_WINDOW, "--length");
            if (parse_time("--length", optarg, &o->length_seconds, err))
                return EXIT_USAGE;
            if (o->length_seconds <= 0.0)
                return usage_error(err, "--length must be longer than 0, not", optarg);
            break;
        case 'h':
            fputs(usage_text, out);
            fputs(usage_render_text, out);
            fputs(usage_options_text, out);
            fputs(usage_hrv_text, out);
            fputs(usage_more_text, out);
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
    if (code != EXIT_DONE)
        return code;
    if (o->save && o->mode != MODE_ANALYZE)
        return usage_error(err, "--save goes with --analyze RECORDING", NULL);
    code = check_options_fit(o, err);
    return code == EXIT_DONE ? -1 : code;
}

/* Playing or rendering: the defaults file, then the terminal front end. */
static int play_or_render(options *o, char **names, int count, const report_sink *to,
                          FILE *out, FILE *err)
{
    char why[512];
    if (o->output && out_file_check(o->output, &o->format, why, sizeof why) != 0) {
        fprintf(err, "breathe: cannot write '%s': %s\n", o->output, why);
        return EXIT_USAGE;
    }
    /* -o - : the audio is standard output, so every word goes to standard
     * error, and a reader that stops reading ends the render (status 1)
     * instead of killing it with SIGPIPE. */
    bool to_stdout = o->output && strcmp(o->output, OUT_FILE_STANDARD_OUTPUT) == 0;
    if (to_stdout && isatty(STDOUT_FILENO)) {
        fprintf(err, "breathe: -o - writes audio to standard output, which is a terminal; "
                     "pipe it to a program (breathe -o - SESSION | sox -t wav - ...)\n");
        return EXIT_USAGE;
    }
    if (to_stdout) {
        signal(SIGPIPE, SIG_IGN);
        out = err;
    }
    userconfig defaults = { .history = true };
    /* Only playing and rendering read the defaults file; a problem in it
     * has been reported. */
    int result = load_defaults(o, &defaults, to);
    const char *name = count == 1 ? names[0] : count == 0 ? defaults.session : NULL;
    if (result == EXIT_DONE && !name)
        result = usage_error(err, count == 0 ? "no session given" : "give one session, not",
                             count == 0 ? NULL : "several");
    if (result == EXIT_DONE) {
        cli_play_request request = {
            .options = {
                .output = o->output,
                .format = o->format,
                .device = o->device,
                .volume_db = o->volume_db,
                .latency_seconds = o->latency_seconds,
                .start_seconds = o->start_seconds,
                .length_seconds = o->length_seconds,
                .device_retry_seconds = play_device_retry_seconds(),
                .history_name = o->record_history && !o->output ? name : NULL,
                .heart_rate = o->output ? NULL : o->heart_rate,
                .heart_rate_optional = o->heart_rate_from_defaults,
            },
            .quiet = o->quiet,
            .defaults_path = o->defaults_path,
            .labels = o->labels,
        };
        /* posture-reminders and any other session played: a word when
         * the programme followed has a session due today, printed, and
         * said before the session when it plays live. */
        if (o->mode == MODE_PLAY && cli_programme_due_note(name, o->quiet ? NULL : out)
            && !o->output)
            request.options.announcement = PROGRAMMES_DUE_ANNOUNCEMENT;
        result = cli_play(name, &request, to, out, err);
    }
    userconfig_free(&defaults);
    return result;
}

/* --today: the programme's session due today, played as `breathe NAME`. */
static int play_today(options *o, const report_sink *to, FILE *out, FILE *err)
{
    char *chosen = NULL;
    int code = cli_today_choose(&chosen, o->quiet, out, to);
    if (code != EXIT_DONE || !chosen)
        return code;
    /* A session left out of the history never counts towards the plan. */
    userconfig defaults = { .history = true };
    if (play_defaults_load(&defaults, NULL) == 0 && !defaults.history)
        report_warning(to, defaults.path, 0, "history = false: today's session is not recorded, "
                       "so it will not count towards the programme");
    userconfig_free(&defaults);
    char *names[] = { chosen };
    code = play_or_render(o, names, 1, to, out, err);
    free(chosen);
    return code;
}

static int run_mode(options *o, char **names, int count, const report_sink *to, FILE *out,
                    FILE *err)
{
    switch (o->mode) {
    case MODE_LIST_DEVICES: {
        int listed = (o->given & TAKES_NAMES) ? out_portaudio_list_device_names(out, to)
                                              : out_portaudio_list_devices(out, to);
        return listed == 0 ? EXIT_DONE : EXIT_RUNTIME;
    }
    case MODE_LIST:
        return cli_list((o->given & TAKES_NAMES) != 0, out, to);
    case MODE_STATS:
        return show_stats(out, to);
    case MODE_HR_SCAN:
        return count > 0 ? usage_error(err, "--hr-scan takes no session, not", names[0])
                         : scan_straps(out, err, to);
    case MODE_SERVE:
        return count > 0 ? usage_error(err, "--serve takes no session; open one over D-Bus:",
                                       names[0])
                         : serve_main(&o->web, out, err);
    case MODE_NEW:
        return count > 0 ? usage_error(err, "--new takes only a file name, not", names[0])
                         : new_session(o->new_session, o->quiet, out, to);
    case MODE_CHECK:
        return count < 1 ? usage_error(err, "--check needs at least one session", NULL)
                         : cli_check(names, count, out, to);
    case MODE_PLOT:
        if (count != 1)
            return usage_error(err, count == 0 ? "--plot needs a session"
                                               : "--plot draws one session, not",
                               count == 0 ? NULL : "several");
        return plot_session(o, names[0], out, err, to);
    case MODE_FOLLOW:
        return count > 0 ? usage_error(err, "--follow takes one programme, not also", names[0])
                         : cli_follow(o->follow, o->quiet, out, to);
    case MODE_PLAN:
        return count > 0 ? usage_error(err, "--plan takes no session, not", names[0])
                         : cli_plan(out, to);
    case MODE_TODAY:
        return count > 0 ? usage_error(err, "--today chooses the session itself, not", names[0])
                         : play_today(o, to, out, err);
    case MODE_PLAY:
    case MODE_RENDER:
        return play_or_render(o, names, count, to, out, err);
    case MODE_ANALYZE:
        if (count > 0)
            return usage_error(err, "--analyze takes one recording; this is one too many:",
                               names[0]);
        return cli_analyze(o->analyze,
                           &(cli_analyze_request){ .save = o->save, .plot = o->plot,
                                                   .quiet = o->quiet },
                           out, to);
    }
    return EXIT_USAGE;
}

int cli_main(int argc, char **argv)
{
    FILE *out = stdout, *err = stderr;
    const report_sink *to = REPORT_TO_STREAM(&(report_stream){ err, "breathe" });
    options o = { .mode = MODE_PLAY, .volume_db = 0.0, .record_history = true };
    int parsed = parse_options(argc, argv, &o, out, err);
    if (parsed >= 0)
        return parsed;
    library_audio_path_set();
    int result = run_mode(&o, argv + optind, argc - optind, to, out, err);
    library_audio_path_free();
    return result;
}
