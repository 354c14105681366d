/* serve.h: `breathe --serve`, a media player on the D-Bus session bus.
 *
 * One more front end over the playback library (play/play.h): it owns
 * org.mpris.MediaPlayer2.breathe on the session bus and serves, on the
 * object /org/mpris/MediaPlayer2, the MPRIS 2.2 interfaces that apply
 * (org.mpris.MediaPlayer2, .Player, .Playlists) and breathe's own
 * org.breathe.Player1 (the step, the breath phase, seconds left in it and
 * lung fullness; a signal at each step and phase). docs/breathe.1 and
 * docs/architecture.md describe what each call does.
 *
 * Threads: the bus is served on the calling thread only; each session
 * plays on a thread of its own (player_run blocks there), whose events
 * reach the bus thread through an eventfd. While nothing plays there is no
 * second thread, no audio stream and no timer: the process sleeps in poll.
 *
 * With --listen (or listen in the defaults file) the same thread also
 * serves the web remote (web/web.h), which drives the same sessions.
 *
 * Bad input (an unknown name, a broken session, a folder, an unsupported
 * URI) is a D-Bus error whose message is what `breathe SESSION` prints for
 * it ("FILE:LINE: message"); whatever plays goes on. */
#ifndef BREATHE_SERVE_SERVE_H
#define BREATHE_SERVE_SERVE_H

#include <stdbool.h>
#include <stdio.h>

/* The bus name owned, and the object served. */
#define SERVE_BUS_NAME "org.mpris.MediaPlayer2.breathe"
#define SERVE_OBJECT_PATH "/org/mpris/MediaPlayer2"

/* MPRIS Volume (0 to 1) against the dB added to the defaults' volume: a
 * straight line in dB from SERVE_VOLUME_FLOOR_DB at 0 to 0 dB at 1 (0.5 is
 * -20 dB), the range the live volume may be moved in. */
#define SERVE_VOLUME_FLOOR_DB (-40.0)

/* The web remote (web/web.h): --listen ADDR:PORT (NULL: the defaults
 * file's listen, else none) and --new-token. */
typedef struct {
    const char *listen;
    bool new_token;
} serve_web_options;

/* Serves until Quit, SIGTERM or SIGINT (each fades out what plays), with
 * the web remote too when asked. Returns the exit status: 0, or 1 when the
 * bus cannot be reached, the name is taken or the web remote cannot listen,
 * 2 when --listen or the defaults file is wrong (each said on err; the web
 * remote's address and link on out). */
int serve_main(const serve_web_options *web, FILE *out, FILE *err);

#endif
