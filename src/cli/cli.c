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
#include "cli/keys.h"
#include "cli/modes.h"
#include "cli/safety.h"
#include "cli/status.h"
#include "out/out.h"
#include "play/library.h"
#include "render/engine.h"
#include "render/transport.h"
#include "user/history.h"
#include "user/userconfig.h"

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

/* ---- --plot and --new ---- */

static int plot_session(const options *o, const char *name, FILE *out, FILE *err,
                        const report_sink *sink)
{
    loaded_session l;
    int code = library_load(name, &l, sink);
    if (code)
        return code;
    int64_t start = o->has_start ? timeline_seconds_to_frames(l.timeline, o->start_seconds) : 0;
    int64_t length = o->has_length ? timeline_seconds_to_frames(l.timeline, o->length_seconds)
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
    bool has_extension = length > 4 && strcmp(name + length - 4, ".cfg") == 0;
    char *path = malloc(length + 5);
    if (!path)
        return EXIT_RUNTIME;
    snprintf(path, length + 5, "%s%s", name, has_extension ? "" : ".cfg");
    int code = starter_write(path, sink) ? EXIT_RUNTIME : EXIT_DONE;
    if (code == EXIT_DONE && !quiet)
        fprintf(out, "wrote %s; check it with 'breathe --check %s', play it with "
                     "'breathe %s'\n", path, path, path);
    free(path);
    return code;
}

/* ---- --list ---- */

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
                           int64_t played, int rate, const report_sink *sink)
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
    history_append(path, &record, sink);
    free(path);
}

static int show_stats(FILE *out, const report_sink *sink)
{
    char *path = history_file();
    history_record *records;
    size_t count;
    if (history_read(path, &records, &count, sink) != 0) {
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

/* Live playback failed (the device went away, or stopped taking sound):
 * try to open it again, once a second for retry_seconds, and play on
 * from where it stopped with a fade-in. Returns the status of the last run;
 * OUT_STOPPED when a signal came while waiting. */
static int play_on_after_failures(const out_backend *backend, out_stream **stream,
                                  const out_params *params, run_context *r, out_source source,
                                  int retry_seconds, FILE *err, const report_sink *sink)
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
        double give_up = clock_monotonic_seconds() + retry_seconds;
        bool reopened = false;
        while (!reopened && !interrupted && clock_monotonic_seconds() < give_up) {
            free(why);
            why = NULL;
            FILE *attempt = open_memstream(&why, &why_size);
            const report_sink *to =
                attempt ? REPORT_TO_STREAM(&(report_stream){ attempt, "breathe" }) : sink;
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
        ran = backend->run(*stream, source, monitor, r, sink);
    }
    if (ran == OUT_FAILED && why && *why)
        fputs(why, err);
    free(why);
    return ran;
}

static int run(const options *o, const char *name, FILE *out, FILE *err,
               const report_sink *sink)
{
    loaded_session l;
    int code = library_load(name, &l, sink);
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
            library_unload(&l);
            return EXIT_USAGE;
        }
    }
    if (o->has_length)
        eo.length = timeline_seconds_to_frames(l.timeline, o->length_seconds);
    if (o->output && total == TIMELINE_FOREVER && !o->has_length) {
        fprintf(err, "breathe: '%s' repeats forever; give --length to render part of it\n",
                s->path);
        library_unload(&l);
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
            library_unload(&l);
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
        library_unload(&l);
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
    if (backend->open(&stream, &params, sink) != 0) {
        if (!o->output && o->defaults_path)
            fprintf(err, "breathe: the device '%s' is set in %s; give -d to choose another\n",
                    o->device, o->defaults_path);
        result = EXIT_RUNTIME;
        goto done;
    }
    if (streams && stream_pool_start(streams) != 0) {
        fprintf(err, "breathe: cannot start reading audio files\n");
        backend->close(stream, false, sink);
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
    int ran = backend->run(stream, source, monitor, &r, sink);
    if (ran == OUT_FAILED && !o->output)
        ran = play_on_after_failures(backend, &stream, &params, &r, source, retry_seconds,
                                     err, sink);
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
    stream_report_print(&report, rate, sink);
    /* The session's own doing, the same live and offline: said, not failed. */
    int64_t dropped = atomic_load(&dropped_sounds);
    if (dropped > 0)
        fprintf(err, "breathe: %lld sound%s left out: more than %d were sounding at once "
                     "(bells, bowls, ticks and cues together)\n",
                (long long)dropped, dropped == 1 ? " was" : "s were", ENGINE_MAX_VOICES);
    if (o->output && report.failures > 0 && result == EXIT_DONE)
        result = EXIT_RUNTIME;
    if (backend->close(stream, result == EXIT_DONE, sink) != 0 && result == EXIT_DONE)
        result = EXIT_RUNTIME;
    if (!o->output && o->record_history)
        record_session(name, started, ran == OUT_DONE && !stopped, r.end - eo.start,
                       reached - eo.start, rate, sink);
    if (result == EXIT_DONE && o->output && !o->quiet) {
        char length[32];
        status_format_time(length, sizeof length, reached - eo.start, rate);
        fprintf(out, "wrote %s (%s)\n", o->output, length);
    }
done:
    transport_free_engines(&t);
    stream_pool_free(streams);
    library_unload(&l);
    return result;
}

/* ---- the user's defaults ---- */

/* Fills what the command line left unset from the settings file. Device
 * and volume apply to live playback only: a render is the same whoever
 * makes it. Returns 0, 1 when out of memory, or 2 when the file has a
 * problem. */
static int load_defaults(options *o, userconfig *defaults, const report_sink *sink)
{
    char *path = userconfig_path(getenv("XDG_CONFIG_HOME"), getenv("HOME"));
    int code = userconfig_load(path, defaults, sink);
    free(path);
    if (code)
        return code == 1 ? EXIT_RUNTIME : EXIT_USAGE;
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
    /* Where every error and warning of the library goes: one line each on
     * stderr, "FILE:LINE: message" or "breathe: message". */
    const report_sink *sink = REPORT_TO_STREAM(&(report_stream){ err, "breathe" });
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
    library_audio_path_set();
    int operands = argc - optind;
    userconfig defaults = { .history = true };
    int result;
    if (o.list_devices) {
        int listed = o.names_only ? out_portaudio_list_device_names(out, sink)
                                  : out_portaudio_list_devices(out, sink);
        result = listed == 0 ? EXIT_DONE : EXIT_RUNTIME;
    } else if (o.list) {
        result = cli_list(o.names_only, out, sink);
    } else if (o.stats) {
        result = show_stats(out, sink);
    } else if (o.new_session) {
        result = operands > 0 ? usage_error(err, "--new takes only a file name, not",
                                            argv[optind])
                              : new_session(o.new_session, o.quiet, out, sink);
    } else if (o.check) {
        result = operands < 1 ? usage_error(err, "--check needs at least one session", NULL)
                              : cli_check(argv + optind, operands, out, sink);
    } else if (o.plot) {
        result = operands != 1 ? usage_error(err, operands == 0 ? "--plot needs a session"
                                                                : "--plot draws one session, not",
                                             operands == 0 ? NULL : "several")
                               : plot_session(&o, argv[optind], out, err, sink);
    } else if (o.output && !out_file_format_known(o.output)) {
        result = usage_error(err, "cannot tell the output format from the name (use .wav, "
                                  ".flac, .ogg, .oga or .opus):", o.output);
    } else if ((result = load_defaults(&o, &defaults, sink)) != EXIT_DONE) {
        /* Only playing and rendering read the defaults file: the settings
         * file has a problem, already reported. */
    } else if (operands == 0 && defaults.session) {
        result = run(&o, defaults.session, out, err, sink);
    } else if (operands != 1) {
        result = usage_error(err, operands == 0 ? "no session given" : "give one session, not",
                             operands == 0 ? NULL : "several");
    } else {
        result = run(&o, argv[optind], out, err, sink);
    }
    userconfig_free(&defaults);
    library_audio_path_free();
    return result;
}
