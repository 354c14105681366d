/* api.h: what the web remote answers, decided apart from the HTTP server.
 *
 * A request (method, path, the headers that matter, the form fields and
 * query arguments) goes in; an answer comes out: a JSON reply with its
 * status, one of the page's files to send, or an event stream to open.
 * The checks come first, in this order, each with its status: a Host that
 * is not the server's own name (403), a body over WEB_BODY_MAX (413), an
 * unknown path (404), a method the path does not take (405, with Allow), a
 * POST whose Origin is not the page's (403), an API request without the
 * token when one is asked (401). docs/web-api.md lists every call. Calls
 * the controls (web.h) for what it does; no I/O of its own besides reading
 * the installed sessions, the history and the safety text. */
#ifndef BREATHE_WEB_API_H
#define BREATHE_WEB_API_H

#include <stdbool.h>

#include "web/address.h"
#include "web/json.h"
#include "web/web.h"

typedef struct {
    const char *method;            /* GET, HEAD, POST, ... */
    const char *path;              /* without the query string */
    const char *host, *origin, *authorization;   /* the headers; NULL when absent */
    /* A form field of the body, else an argument of the query string; NULL. */
    const char *(*field)(void *context, const char *name);
    void *field_context;
    bool body_too_large;
} web_request;

typedef enum {
    WEB_ANSWER_REPLY,    /* status and body */
    WEB_ANSWER_FILE,     /* send the page's file `file` */
    WEB_ANSWER_EVENTS,   /* open an event stream */
} web_answer_kind;

typedef struct {
    web_answer_kind kind;
    int status;
    json_text body;               /* the JSON reply; {"error": "..."} for a refusal */
    const char *allow;            /* 405: the methods the path takes */
    bool ask_token;               /* 401: WWW-Authenticate: Bearer */
    const char *file;             /* WEB_ANSWER_FILE */
} web_answer;

typedef struct {
    const web_hosts *hosts;
    const char *token;            /* NULL: no token asked */
    const web_controls *controls;
} web_api;

/* Fills *answer (json_free() its body). */
void web_api_answer(const web_api *api, const web_request *request, web_answer *answer);

/* The state as GET /api/state and the event stream give it. */
void web_api_state(json_text *j, const web_state *state);

#endif
