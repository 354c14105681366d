/* fuzz_web.c: libFuzzer harness for the web remote's request handling.
 *
 * Each input is what a client sends: its first byte chooses whether the
 * token is asked (odd) and how the rest is cut into writes, the rest is the
 * bytes themselves. A server is made as breathe --serve makes it, but not
 * listening: the input arrives on one end of a socket pair handed to
 * libmicrohttpd (MHD_add_connection), and the server runs, answering, until
 * it has nothing more to do; then the client leaves and the server stops.
 * Everything the server does is real (libmicrohttpd's parser, the form
 * fields, the Host, Origin and token checks, the API, the page's files, the
 * event streams) except the player: the controls are the harness's own, a
 * session that "plays" by name. A crash, a leak, undefined behaviour or a
 * hang is a finding.
 *
 * The data folder is private: the page's files (a link to the source's
 * web/) and one small session, so that /api/sessions stays quick. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#include "web/address.h"
#include "web/server_internal.h"
#include "web/web.h"

enum { ROUNDS = 48, WRITE_PIECES_MOST = 4 };

static char folder[] = "/tmp/breathe-fuzz-web-XXXXXX";

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- the harness's own player ---- */

static web_state now;
static char playing[64];

static void fake_state(void *context, web_state *out)
{
    (void)context;
    *out = now;
}

static int fake_play(void *context, const char *name, double start, char **why)
{
    (void)context;
    if (strlen(name) >= sizeof playing || start > 3600.0) {
        *why = strdup("breathe: no such session");
        return 2;
    }
    snprintf(playing, sizeof playing, "%s", name);
    now.loaded = true;
    now.name = playing;
    now.snapshot = (play_snapshot){ .state = PLAY_PLAYING, .title = "Fuzz", .rate = 48000,
                                    .heard = (int64_t)(start * 48000), .length = 48000 * 60 };
    return 0;
}

static void fake_set_paused(void *context, bool paused)
{
    (void)context;
    now.paused = paused;
}

static void fake_stop(void *context)
{
    (void)context;
    now.loaded = false;
}

static void fake_next(void *context)
{
    (void)context;
}

static void fake_volume(void *context, double db)
{
    (void)context;
    now.volume_db = db;
}

static const web_controls controls = { fake_state, fake_play, fake_set_paused, fake_stop,
                                       fake_next, fake_volume, NULL };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    if (!mkdtemp(folder)) {
        perror("mkdtemp");
        abort();
    }
    char path[256], link_to[256];
    snprintf(path, sizeof path, "%s/sessions", folder);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/sessions/fuzz.cfg", folder);
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    fputs("format = 1;\ntitle = \"Fuzz\";\nsteps = ( { type = \"timer\"; duration = 5; } );\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/web", folder);
    snprintf(link_to, sizeof link_to, "%s/web", BREATHE_SOURCE_DIR);
    if (symlink(link_to, path) != 0)
        abort();
    /* Only this folder: no user's sessions, history or token. */
    setenv("BREATHE_DATA_DIR", folder, 1);
    setenv("XDG_DATA_HOME", folder, 1);
    setenv("XDG_DATA_DIRS", folder, 1);
    setenv("XDG_STATE_HOME", folder, 1);
    setenv("HOME", folder, 1);
    return 0;
}

/* One round: libmicrohttpd answers what is ready, the client reads. */
static void run_once(web_server *w, int client)
{
    struct pollfd fds[WEB_POLL_FDS];
    int timeout = 0;
    int count = web_poll_fds(w, fds, &timeout);
    poll(fds, (nfds_t)count, 0);
    web_dispatch(w, fds, count);
    char answer[4096];
    while (client >= 0 && recv(client, answer, sizeof answer, MSG_DONTWAIT) > 0)
        ;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    bool ask_token = data[0] & 1;
    int pieces = 1 + (data[0] >> 1) % WRITE_PIECES_MOST;
    data++, size--;
    web_address address;
    char why[128];
    if (web_address_parse("127.0.0.1:8089", &address, why, sizeof why) != 0)
        abort();
    char token[65];
    memset(token, 'a', 64);
    token[64] = '\0';
    char *hosts[] = { "pi.example.org" };
    now = (web_state){ 0 };
    web_server *w;
    if (web_server_create(&w, &address, false, hosts, 1, ask_token ? token : NULL, &controls) != 0)
        return 0;
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        web_stop(w);
        return 0;
    }
    struct sockaddr_in peer = { .sin_family = AF_INET, .sin_port = htons(40000) };
    peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (MHD_add_connection(web_server_daemon(w), pair[0], (struct sockaddr *)&peer,
                           sizeof peer) != MHD_YES) {
        close(pair[1]);
        web_stop(w);
        return 0;
    }
    size_t sent = 0, piece = size / (size_t)pieces + 1;
    for (int round = 0; round < ROUNDS; round++) {
        if (sent < size) {
            size_t want = size - sent < piece ? size - sent : piece;
            ssize_t n = send(pair[1], data + sent, want, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n > 0)
                sent += (size_t)n;
        }
        run_once(w, pair[1]);
    }
    close(pair[1]);
    for (int round = 0; round < 4; round++)
        run_once(w, -1);
    web_stop(w);
    return 0;
}
