/* server.c: the web remote's HTTP server over libmicrohttpd (see web.h).
 *
 * libmicrohttpd runs without threads of its own: the descriptors it wants
 * (MHD_get_fdset2) are polled by the service with a timerfd for the event
 * streams, and MHD_run_from_select() answers what is ready, on the
 * service's thread. Level-triggered on purpose: with libmicrohttpd's own
 * epoll (edge-triggered) a client that sent part of a request and closed
 * was only noticed at the timeout, holding a connection meanwhile. An event
 * stream's connection is suspended while it has nothing to send and
 * resumed when an event is queued for it; a stream whose buffer fills (its
 * client stopped reading) is dropped. */
#include "web/web.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "base/text.h"
#include "play/library.h"
#include "user/xdgpath.h"
#include "web/address.h"
#include "web/api.h"
#include "web/server_internal.h"
#include "web/token.h"

enum {
    STREAM_BUFFER = 32 * 1024,       /* queued, not yet sent: about 20 s of positions */
    STREAM_SOCKET_BUFFER = 16 * 1024, /* the kernel's send buffer of a stream's socket */
    POSITION_EVERY_MS = 250,         /* while a session plays */
    KEEPALIVE_EVERY_MS = 15000,      /* otherwise, while a stream is open */
    FIELD_MOST = 512,                /* bytes kept of a form field */
    PAGE_FILE_MOST = 256 * 1024,
};

typedef struct event_stream event_stream;
struct event_stream {
    web_server *server;
    struct MHD_Connection *connection;
    char buffer[STREAM_BUFFER];
    size_t sent, length;             /* buffer[sent, length) waits to be sent */
    bool suspended;
    bool dropped;
};

struct web_server {
    struct MHD_Daemon *daemon;
    web_controls controls;
    web_address address;
    web_hosts hosts;
    char token[WEB_TOKEN_LENGTH + 1];
    web_api api;
    int timer_fd;
    int timer_every_ms;              /* armed at this interval; 0: disarmed */
    event_stream *streams[WEB_STREAMS_MAX];
    int stream_count;
    bool resumed;                    /* a stream was resumed: libmicrohttpd must run */
};

/* One request while it is read. */
typedef struct {
    struct MHD_Connection *connection;
    struct MHD_PostProcessor *post;
    size_t body_bytes;
    char *name, *position, *db;      /* the form fields the API reads */
} request;

/* ---- headers every answer carries ---- */

static void add_security_headers(struct MHD_Response *response)
{
    MHD_add_response_header(response, "Content-Security-Policy",
                            "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                            "form-action 'self'");
    MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(response, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(response, "X-Frame-Options", "DENY");
}

static enum MHD_Result send_buffer(struct MHD_Connection *connection, int status,
                                   const char *type, char *bytes, size_t length,
                                   const web_answer *answer)
{
    struct MHD_Response *response =
        MHD_create_response_from_buffer(length, bytes, MHD_RESPMEM_MUST_FREE);
    if (!response) {
        free(bytes);
        return MHD_NO;
    }
    add_security_headers(response);
    MHD_add_response_header(response, "Content-Type", type);
    MHD_add_response_header(response, "Cache-Control", "no-store");
    if (answer && answer->allow)
        MHD_add_response_header(response, "Allow", answer->allow);
    if (answer && answer->ask_token)
        MHD_add_response_header(response, "WWW-Authenticate", "Bearer realm=\"breathe\"");
    enum MHD_Result result = MHD_queue_response(connection, (unsigned)status, response);
    MHD_destroy_response(response);
    return result;
}

/* ---- the page's files ---- */

static const char *content_type(const char *file)
{
    return text_has_suffix(file, ".html") ? "text/html; charset=utf-8"
         : text_has_suffix(file, ".css") ? "text/css; charset=utf-8"
         : text_has_suffix(file, ".js") ? "text/javascript; charset=utf-8"
         : text_has_suffix(file, ".svg") ? "image/svg+xml"
         : "application/octet-stream";
}

/* The file from the first data folder's web/ that has it (as sessions are
 * found: play/library.h). NULL when none has it. */
static char *read_page_file(const char *file, size_t *length)
{
    library_folders folders;
    library_folders_find(&folders, "web");
    char *bytes = NULL;
    for (int i = 0; i < folders.count && !bytes; i++) {
        char *path = text_join_path(folders.folders[i], file);
        FILE *in = path ? fopen(path, "rb") : NULL;
        free(path);
        if (!in)
            continue;
        struct stat st;
        if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= PAGE_FILE_MOST
            && (bytes = malloc((size_t)st.st_size + 1))) {
            *length = fread(bytes, 1, (size_t)st.st_size, in);
            if (*length != (size_t)st.st_size) {
                free(bytes);
                bytes = NULL;
            }
        }
        fclose(in);
    }
    library_folders_free(&folders);
    return bytes;
}

static enum MHD_Result send_file(struct MHD_Connection *connection, const char *file)
{
    size_t length = 0;
    char *bytes = read_page_file(file, &length);
    if (!bytes) {
        static const char missing[] = "{\"error\":\"the page's files are not installed "
                                      "(share/breathe/web)\"}\n";
        char *copy = strdup(missing);
        return copy ? send_buffer(connection, 404, "application/json", copy, strlen(copy), NULL)
                    : MHD_NO;
    }
    return send_buffer(connection, 200, content_type(file), bytes, length, NULL);
}

/* ---- event streams ---- */

/* libmicrohttpd takes a resumed connection back at its next run, which
 * nothing else may bring soon when no stream is playing: the next poll
 * does not wait (web_poll_fds). */
static void resume(event_stream *s)
{
    if (s->suspended) {
        s->suspended = false;
        s->server->resumed = true;
        MHD_resume_connection(s->connection);
    }
}

static ssize_t stream_read(void *context, uint64_t position, char *buf, size_t most)
{
    (void)position;
    event_stream *s = context;
    if (s->dropped)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (s->sent == s->length) {
        /* Nothing to send: wait, suspended, until web_send_event resumes it. */
        s->sent = s->length = 0;
        s->suspended = true;
        MHD_suspend_connection(s->connection);
        return 0;
    }
    size_t count = s->length - s->sent < most ? s->length - s->sent : most;
    memcpy(buf, s->buffer + s->sent, count);
    s->sent += count;
    return (ssize_t)count;
}

static void update_timer(web_server *w);

static void stream_free(void *context)
{
    event_stream *s = context;
    web_server *w = s->server;
    for (int i = 0; i < w->stream_count; i++) {
        if (w->streams[i] == s) {
            memmove(w->streams + i, w->streams + i + 1,
                    (size_t)(w->stream_count - i - 1) * sizeof w->streams[0]);
            w->stream_count--;
            break;
        }
    }
    free(s);
    update_timer(w);
}

static void stream_drop(event_stream *s)
{
    s->dropped = true;
    resume(s);
}

/* Queues text for one stream; a stream that cannot take it is dropped. */
static void stream_queue(event_stream *s, const char *text, size_t length)
{
    if (s->dropped)
        return;
    if (s->sent > 0 && s->length + length > STREAM_BUFFER) {
        memmove(s->buffer, s->buffer + s->sent, s->length - s->sent);
        s->length -= s->sent;
        s->sent = 0;
    }
    if (s->length + length > STREAM_BUFFER) {
        stream_drop(s);
        return;
    }
    memcpy(s->buffer + s->length, text, length);
    s->length += length;
    resume(s);
}

/* "event: KIND\ndata: {state}\n\n" to every stream, the state being the
 * service's now, or `snapshot` of the moment an event came. */
static void broadcast(web_server *w, const char *kind, const play_snapshot *snapshot)
{
    if (w->stream_count == 0)
        return;
    web_state state;
    w->controls.state(w->controls.context, &state);
    if (snapshot && state.loaded)
        state.snapshot = *snapshot;
    json_text j = { 0 };
    json_printf(&j, "event: %s\ndata: ", kind);
    web_api_state(&j, &state);
    json_raw(&j, "\n\n");
    for (int i = 0; i < w->stream_count && !j.failed; i++)
        stream_queue(w->streams[i], j.text, j.length);
    json_free(&j);
}

static enum MHD_Result open_stream(web_server *w, struct MHD_Connection *connection)
{
    if (w->stream_count == WEB_STREAMS_MAX)
        stream_drop(w->streams[0]);   /* the oldest: most likely a page long gone */
    event_stream *s = calloc(1, sizeof *s);
    if (!s)
        return MHD_NO;
    s->server = w;
    s->connection = connection;
    /* A small kernel buffer too, so that a client that stops reading is
     * found out by the stream's own buffer filling, not megabytes later. */
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    int socket_buffer = STREAM_SOCKET_BUFFER;
    if (info)
        setsockopt(info->connect_fd, SOL_SOCKET, SO_SNDBUF, &socket_buffer, sizeof socket_buffer);
    struct MHD_Response *response =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, s, stream_free);
    if (!response) {
        free(s);
        return MHD_NO;
    }
    add_security_headers(response);
    MHD_add_response_header(response, "Content-Type", "text/event-stream");
    MHD_add_response_header(response, "Cache-Control", "no-store");
    if (w->stream_count == WEB_STREAMS_MAX) {
        /* The dropped one is still listed until its connection closes. */
        memmove(w->streams, w->streams + 1, (WEB_STREAMS_MAX - 1) * sizeof w->streams[0]);
        w->stream_count--;
        w->streams[WEB_STREAMS_MAX - 1] = NULL;
    }
    w->streams[w->stream_count++] = s;
    /* The state now, so that a page needs nothing else to begin. */
    web_state state;
    w->controls.state(w->controls.context, &state);
    json_text j = { 0 };
    json_raw(&j, "retry: 2000\nevent: state\ndata: ");
    web_api_state(&j, &state);
    json_raw(&j, "\n\n");
    if (!j.failed)
        stream_queue(s, j.text, j.length);
    json_free(&j);
    enum MHD_Result result = MHD_queue_response(connection, 200, response);
    MHD_destroy_response(response);
    update_timer(w);
    return result;
}

/* ---- the timer: positions while playing, a comment now and then ---- */

static void update_timer(web_server *w)
{
    int every = 0;
    if (w->stream_count > 0) {
        web_state state;
        w->controls.state(w->controls.context, &state);
        every = state.loaded && !state.paused ? POSITION_EVERY_MS : KEEPALIVE_EVERY_MS;
    }
    if (every == w->timer_every_ms || w->timer_fd < 0)
        return;
    w->timer_every_ms = every;
    struct timespec period = { every / 1000, (long)(every % 1000) * 1000000L };
    struct itimerspec spec = { period, period };
    timerfd_settime(w->timer_fd, 0, &spec, NULL);
}

static void timer_fired(web_server *w)
{
    uint64_t count;
    if (read(w->timer_fd, &count, sizeof count) != (ssize_t)sizeof count)
        return;
    if (w->timer_every_ms == POSITION_EVERY_MS) {
        broadcast(w, "position", NULL);
    } else {
        static const char comment[] = ": still here\n\n";
        for (int i = 0; i < w->stream_count; i++)
            stream_queue(w->streams[i], comment, sizeof comment - 1);
    }
}

/* ---- requests ---- */

static enum MHD_Result take_field(void *context, enum MHD_ValueKind kind, const char *key,
                                  const char *filename, const char *type,
                                  const char *encoding, const char *data, uint64_t offset,
                                  size_t size)
{
    (void)kind, (void)filename, (void)type, (void)encoding;
    request *r = context;
    char **field = strcmp(key, "name") == 0 ? &r->name
                 : strcmp(key, "position") == 0 ? &r->position
                 : strcmp(key, "db") == 0 ? &r->db : NULL;
    if (!field || offset + size > FIELD_MOST || (offset > 0 && !*field))
        return MHD_YES;
    char *grown = realloc(offset == 0 ? NULL : *field, (size_t)offset + size + 1);
    if (!grown)
        return MHD_NO;
    if (offset == 0)
        free(*field);
    memcpy(grown + offset, data, size);
    grown[offset + size] = '\0';
    *field = grown;
    return MHD_YES;
}

static const char *field_of(void *context, const char *name)
{
    request *r = context;
    const char *form = strcmp(name, "name") == 0 ? r->name
                     : strcmp(name, "position") == 0 ? r->position
                     : strcmp(name, "db") == 0 ? r->db : NULL;
    return form ? form : MHD_lookup_connection_value(r->connection, MHD_GET_ARGUMENT_KIND, name);
}

static void request_done(void *cls, struct MHD_Connection *connection, void **context,
                         enum MHD_RequestTerminationCode why)
{
    (void)cls, (void)connection, (void)why;
    request *r = *context;
    if (!r)
        return;
    if (r->post)
        MHD_destroy_post_processor(r->post);
    free(r->name);
    free(r->position);
    free(r->db);
    free(r);
    *context = NULL;
}

static enum MHD_Result answer_request(void *cls, struct MHD_Connection *connection,
                                      const char *url, const char *method, const char *version,
                                      const char *upload, size_t *upload_size, void **context)
{
    (void)version;
    web_server *w = cls;
    request *r = *context;
    if (!r) {
        if (!(r = calloc(1, sizeof *r)))
            return MHD_NO;
        r->connection = connection;
        *context = r;
        const char *length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                         MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (length && strtoull(length, NULL, 10) > WEB_BODY_MAX)
            r->body_bytes = WEB_BODY_MAX + 1;   /* refused before it is read */
        else if (strcmp(method, "POST") == 0)
            r->post = MHD_create_post_processor(connection, 1024, take_field, r);
        if (r->body_bytes == 0)
            return MHD_YES;
    }
    if (*upload_size > 0) {
        r->body_bytes += *upload_size;
        if (r->body_bytes <= WEB_BODY_MAX && r->post
            && MHD_post_process(r->post, upload, *upload_size) != MHD_YES) {
            MHD_destroy_post_processor(r->post);
            r->post = NULL;
        }
        *upload_size = 0;
        if (r->body_bytes <= WEB_BODY_MAX)
            return MHD_YES;
    }
    web_request asked = {
        .method = method,
        .path = url,
        .host = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST),
        .origin = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Origin"),
        .authorization = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_AUTHORIZATION),
        .field = field_of,
        .field_context = r,
        .body_too_large = r->body_bytes > WEB_BODY_MAX,
    };
    web_answer answer;
    web_api_answer(&w->api, &asked, &answer);
    enum MHD_Result result;
    switch (answer.kind) {
    case WEB_ANSWER_FILE:
        result = send_file(connection, answer.file);
        break;
    case WEB_ANSWER_EVENTS:
        result = open_stream(w, connection);
        break;
    case WEB_ANSWER_REPLY:
    default:
        if (answer.body.failed) {
            json_free(&answer.body);
            return MHD_NO;
        }
        result = send_buffer(connection, answer.status, "application/json", answer.body.text,
                             answer.body.length, &answer);
        answer.body.text = NULL;   /* the response frees it */
        break;
    }
    json_free(&answer.body);
    return result;
}

/* ---- starting and stopping ---- */

char *web_token_path(void)
{
    return xdgpath_user(XDGPATH_STATE, getenv("XDG_STATE_HOME"), getenv("HOME"), "web-token");
}

int web_server_create(web_server **out, const web_address *address, bool listening,
                      char *const *hosts, size_t host_count, const char *token,
                      const web_controls *controls)
{
    *out = NULL;
    web_server *w = calloc(1, sizeof *w);
    if (!w)
        return 1;
    w->controls = *controls;
    w->address = *address;
    w->timer_fd = -1;
    if (token)
        memcpy(w->token, token, WEB_TOKEN_LENGTH + 1);
    unsigned flags = MHD_ALLOW_SUSPEND_RESUME;
    if (!listening)
        flags |= MHD_USE_NO_LISTEN_SOCKET;
    else if (address->ipv6)
        flags |= address->wildcard ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
    w->daemon = MHD_start_daemon(
        flags, (uint16_t)address->port, NULL, NULL, answer_request, w,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address->socket,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)WEB_CONNECTIONS_MAX,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)WEB_TIMEOUT_SECONDS,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024),
        MHD_OPTION_NOTIFY_COMPLETED, request_done, w,
        MHD_OPTION_END);
    if (!w->daemon) {
        int saved = errno;
        free(w);
        errno = saved;
        return 1;
    }
    if (listening && address->port == 0) {
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(w->daemon,
                                                               MHD_DAEMON_INFO_BIND_PORT);
        if (info)
            web_address_set_port(&w->address, info->port);
    }
    w->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (w->timer_fd < 0 || web_hosts_init(&w->hosts, &w->address, hosts, host_count) != 0
        || (w->address.wildcard && web_hosts_add_machine(&w->hosts) != 0)) {
        web_stop(w);
        return 1;
    }
    w->api = (web_api){ &w->hosts, token ? w->token : NULL, &w->controls };
    *out = w;
    return 0;
}

const web_address *web_server_address(const web_server *w)
{
    return &w->address;
}

struct MHD_Daemon *web_server_daemon(web_server *w)
{
    return w->daemon;
}

void web_stop(web_server *w)
{
    if (!w)
        return;
    if (w->daemon) {
        /* Suspended streams are resumed to end: the daemon stops only
         * when none is suspended. */
        for (int i = 0; i < w->stream_count; i++)
            stream_drop(w->streams[i]);
        for (int round = 0; round < 4 && w->stream_count > 0; round++)
            MHD_run(w->daemon);
        MHD_stop_daemon(w->daemon);
    }
    web_hosts_free(&w->hosts);
    if (w->timer_fd >= 0)
        close(w->timer_fd);
    free(w);
}

int web_poll_fds(web_server *w, struct pollfd *fds, int *timeout_ms)
{
    int count = 0;
    fds[count++] = (struct pollfd){ .fd = w->timer_fd, .events = POLLIN };
    fd_set read_set, write_set, error_set;
    FD_ZERO(&read_set);
    FD_ZERO(&write_set);
    FD_ZERO(&error_set);
    MHD_socket highest = 0;
    if (MHD_get_fdset2(w->daemon, &read_set, &write_set, &error_set, &highest, FD_SETSIZE)
        == MHD_YES) {
        for (int fd = 0; fd <= highest && count < WEB_POLL_FDS; fd++) {
            short events = (short)((FD_ISSET(fd, &read_set) ? POLLIN : 0)
                                   | (FD_ISSET(fd, &write_set) ? POLLOUT : 0));
            if (events || FD_ISSET(fd, &error_set))
                fds[count++] = (struct pollfd){ .fd = fd, .events = events };
        }
    }
    MHD_UNSIGNED_LONG_LONG wait;
    if (w->resumed)
        *timeout_ms = 0;
    else if (MHD_get_timeout(w->daemon, &wait) == MHD_YES) {
        int ms = wait > 60000 ? 60000 : (int)wait;
        if (*timeout_ms < 0 || ms < *timeout_ms)
            *timeout_ms = ms;
    }
    return count;
}

void web_dispatch(web_server *w, const struct pollfd *fds, int count)
{
    if (count >= 1 && (fds[0].revents & POLLIN))
        timer_fired(w);
    fd_set read_set, write_set, error_set;
    FD_ZERO(&read_set);
    FD_ZERO(&write_set);
    FD_ZERO(&error_set);
    for (int i = 1; i < count; i++) {
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
            FD_SET(fds[i].fd, &read_set);
        if (fds[i].revents & (POLLOUT | POLLERR))
            FD_SET(fds[i].fd, &write_set);
        if (fds[i].revents & POLLERR)
            FD_SET(fds[i].fd, &error_set);
    }
    /* Always: a timeout may be due, or a resumed stream may wait. */
    w->resumed = false;
    MHD_run_from_select(w->daemon, &read_set, &write_set, &error_set);
}

void web_player_event(web_server *w, play_event_kind kind, const play_snapshot *snapshot)
{
    if (!w)
        return;
    switch (kind) {
    case PLAY_EVENT_STEP: broadcast(w, "step", snapshot); break;
    case PLAY_EVENT_PHASE: broadcast(w, "phase", snapshot); break;
    case PLAY_EVENT_SEEKED: broadcast(w, "state", snapshot); break;
    case PLAY_EVENT_STARTED:
    case PLAY_EVENT_PAUSED:
    case PLAY_EVENT_VOLUME:
    case PLAY_EVENT_DEVICE_LOST:
    case PLAY_EVENT_DEVICE_BACK:
    case PLAY_EVENT_ENDED:
        break;
    }
}

void web_state_changed(web_server *w)
{
    if (!w)
        return;
    broadcast(w, "state", NULL);
    update_timer(w);
}
