/* terminal.c: playing and rendering from the command line: the terminal
 * front end over the playback library (see cli/modes.h). The status line,
 * the keys and the signals are here; the playing is play/play.h's. */
#include "cli/modes.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/savefile.h"
#include "cli/keys.h"
#include "cli/status.h"
#include "play/play.h"

enum { EXIT_DONE = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_INTERRUPTED = 130 };

typedef struct {
    player *player;
    const cli_play_request *request;
    status display;
    bool keys;     /* key presses are read */
    bool quit;     /* stopped with q */
    FILE *out, *err;
} terminal;

/* ---- signals ---- */

static player *signal_player;
static volatile sig_atomic_t interrupted;

static void on_signal(int number)
{
    (void)number;
    interrupted = 1;
    if (signal_player)
        player_request_stop(signal_player);
}

static void on_pause_signal(int number)
{
    (void)number;
    if (signal_player)
        player_toggle_pause(signal_player);
}

static void catch_signals(player *p, bool playing)
{
    signal_player = p;
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

static void release_signals(void)
{
    signal_player = NULL;
}

/* ---- keys ---- */

static const char keys_help[] =
    "keys: space pause/resume, + and - volume, n next step, q quit, h or ? this help\n";

static void handle_key(terminal *term, int key)
{
    player *p = term->player;
    switch (key) {
    case ' ':
        player_toggle_pause(p);
        break;
    case '+': case '=':
        player_set_volume(p, round(player_volume(p)) + 1.0);
        break;
    case '-': case '_':
        player_set_volume(p, round(player_volume(p)) - 1.0);
        break;
    case 'n': case 'N':
        player_next_step(p);
        break;
    case 'q': case 'Q':
        term->quit = true;
        player_request_stop(p);
        break;
    case 'h': case 'H': case '?':
        status_clear(&term->display);
        fputs(keys_help, term->display.stream);
        fflush(term->display.stream);
        break;
    default:   /* a key press, not an enum: other keys do nothing */
        break;
    }
}

/* ---- the front end ---- */

static bool on_tick(void *context, player *p)
{
    terminal *term = context;
    if (term->keys) {
        for (int key; (key = keys_read()) >= 0;)
            handle_key(term, key);
    }
    play_snapshot now;
    player_snapshot(p, &now);
    bool rendering = term->request->options.output != NULL;
    if (!rendering)
        status_controls(&term->display, now.position, now.silent, now.volume_db);
    if (now.heart_rate_on)
        status_heart(&term->display, now.position, &now.heart);
    status_update(&term->display, now.position);
    return !(rendering && interrupted);
}

/* The title, the caution, the status line and the keys, once the output
 * is open. The caution is a safety note for the person about to practise:
 * -q and quiet = true do not hide it. A render is not practice. */
static void begin(terminal *term, player *p)
{
    const cli_play_request *r = term->request;
    const session *s = player_session(p);
    bool rendering = r->options.output != NULL;
    if (!rendering) {
        if (!r->quiet)
            fprintf(term->out, "%s\n", s->title);
        if (s->caution)
            fprintf(term->out, "Caution: %s\n", s->caution);
        fflush(term->out);
    }
    play_snapshot now;
    player_snapshot(p, &now);
    status_begin(&term->display, term->out, r->quiet,
                 rendering ? STATUS_RENDERING : STATUS_PLAYING, player_timeline(p), now.end,
                 r->options.output);
    if (!rendering)
        term->keys = keys_open();
    if (term->keys && !r->quiet) {
        fputs(keys_help, term->out);
        fflush(term->out);
    }
}

static void end(terminal *term, player *p, const play_event *event)
{
    bool rendering = term->request->options.output != NULL;
    keys_close();
    term->keys = false;
    int rate = player_timeline(p) ? timeline_rate(player_timeline(p)) : 1;
    char at[32];
    switch (event->outcome) {
    case PLAY_FAILED:
        status_end(&term->display, event->at, NULL);
        if (!rendering) {
            timeline_format_time(at, sizeof at, event->at, rate);
            fprintf(term->err, "breathe: playback stopped at %s; resume with --start %lld\n", at,
                    (long long)(event->at / rate));
        }
        break;
    case PLAY_STOPPED:
        status_end(&term->display, event->at, rendering ? NULL : "stopped");
        break;
    case PLAY_FINISHED:
        status_end(&term->display, event->at, rendering ? NULL : "finished");
        break;
    }
    if (event->snapshot->heart_rate_on)
        status_heart_summary(&term->display, &event->snapshot->heart,
                             event->snapshot->heart_rate_recording);
}

static void on_event(void *context, player *p, const play_event *event)
{
    terminal *term = context;
    int rate = timeline_rate(player_timeline(p));
    char at[32];
    switch (event->kind) {
    case PLAY_EVENT_STARTED:
        begin(term, p);
        break;
    case PLAY_EVENT_DEVICE_LOST:
        status_clear(&term->display);
        timeline_format_time(at, sizeof at, event->at, rate);
        fprintf(term->err, "breathe: lost the audio device at %s; trying again for %d s\n", at,
                event->retry_seconds);
        fflush(term->err);
        break;
    case PLAY_EVENT_DEVICE_BACK:
        timeline_format_time(at, sizeof at, event->at, rate);
        fprintf(term->err, "breathe: the audio device is back; playing on from %s\n", at);
        fflush(term->err);
        break;
    case PLAY_EVENT_ENDED:
        end(term, p, event);
        break;
    case PLAY_EVENT_STEP:
    case PLAY_EVENT_PHASE:
    case PLAY_EVENT_PAUSED:
    case PLAY_EVENT_VOLUME:
    case PLAY_EVENT_SEEKED:
        break;   /* the status line follows these on every tick */
    }
}

/* --labels: the render's steps as an Audacity label track, a line each:
 * start and end in seconds and the label, separated by tabs. Returns 0, or
 * 1 when the file cannot be written (reported). */
static int write_labels(player *p, const char *path, const report_sink *to)
{
    const out_marker *markers;
    size_t count = player_markers(p, &markers);
    double rate = timeline_rate(player_timeline(p));
    char *text = NULL;
    size_t size = 0;
    FILE *memory = open_memstream(&text, &size);
    if (!memory) {
        report_out_of_memory(to);
        return 1;
    }
    for (size_t i = 0; i < count; i++) {
        fprintf(memory, "%.6f\t%.6f\t", (double)markers[i].start / rate,
                (double)markers[i].end / rate);
        for (const char *c = markers[i].label; *c; c++)   /* one line, no stray columns */
            fputc(*c == '\t' || *c == '\n' || *c == '\r' ? ' ' : *c, memory);
        fputc('\n', memory);
    }
    if (fclose(memory) != 0) {
        free(text);
        report_out_of_memory(to);
        return 1;
    }
    int error = savefile_write(path, text, size, SAVEFILE_REPLACE);
    free(text);
    if (error) {
        report_error(to, NULL, 0, "cannot write '%s': %s", path, strerror(error));
        return 1;
    }
    return 0;
}

/* Whether the labels file can be written where asked, tried before the
 * render so that a labels file that cannot be written leaves the render's
 * destination as it was. Returns 0, or 1 (reported). */
static int check_labels_destination(const char *path, const report_sink *to)
{
    char *temp = NULL;
    int fd = savefile_open_temp(path, &temp);
    if (fd < 0) {
        report_error(to, NULL, 0, "cannot write '%s': %s", path, strerror(errno));
        return 1;
    }
    close(fd);
    unlink(temp);
    free(temp);
    return 0;
}

int cli_play(const char *name, const cli_play_request *request, const report_sink *to,
             FILE *out, FILE *err)
{
    player *p;
    int code = player_open(&p, name, &request->options, to);
    if (code)
        return code == 1 ? EXIT_RUNTIME : EXIT_USAGE;
    bool rendering = request->options.output != NULL;
    if (rendering && request->labels && check_labels_destination(request->labels, to) != 0) {
        player_free(p);
        return EXIT_RUNTIME;
    }
    terminal term = { .player = p, .request = request, .out = out, .err = err };
    play_front_end front_end = { on_tick, on_event, &term };
    interrupted = 0;
    catch_signals(p, !rendering);
    play_outcome outcome;
    if (player_run(p, &front_end, &outcome) != 0) {
        release_signals();
        if (!rendering && request->defaults_path)
            fprintf(err, "breathe: the device '%s' is set in %s; give -d to choose another\n",
                    request->options.device, request->defaults_path);
        player_free(p);
        return EXIT_RUNTIME;
    }
    release_signals();
    int result = EXIT_DONE;
    if (outcome == PLAY_FAILED)
        result = EXIT_RUNTIME;
    else if (outcome == PLAY_STOPPED)
        result = term.quit && !interrupted ? EXIT_DONE : EXIT_INTERRUPTED;
    if (result == EXIT_DONE && rendering && request->labels
        && write_labels(p, request->labels, to) != 0)
        result = EXIT_RUNTIME;
    if (result == EXIT_DONE && rendering && !request->quiet) {
        play_snapshot last;
        player_snapshot(p, &last);
        char length[32];
        timeline_format_time(length, sizeof length, player_reached(p) - last.start,
                             timeline_rate(player_timeline(p)));
        fprintf(out, "wrote %s (%s)\n",
                strcmp(request->options.output, OUT_FILE_STANDARD_OUTPUT) == 0
                    ? "standard output" : request->options.output, length);
    }
    player_free(p);
    return result;
}
