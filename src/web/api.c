/* api.c: the web remote's answers (see api.h and docs/web-api.md). */
#include "web/api.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format/session.h"
#include "play/library.h"
#include "play/safety.h"
#include "render/timeline.h"
#include "user/history.h"
#include "user/practice.h"
#include "web/token.h"

/* ---- replies ---- */

static void reply_error(web_answer *a, int status, const char *message)
{
    json_free(&a->body);
    a->kind = WEB_ANSWER_REPLY;
    a->status = status;
    json_raw(&a->body, "{\"error\":");
    json_string(&a->body, message);
    json_raw(&a->body, "}\n");
}

static double frames_to_seconds(int64_t frames, int rate)
{
    return rate > 0 ? (double)frames / rate : 0.0;
}

/* A heart-rate source followed while the session plays (docs/hrv.md):
 * the rate and the last whole breath's swing, null until known, as the
 * terminal's status line and org.breathe.Player1 show them. */
static void state_heart(json_text *j, const hr_state *heart)
{
    json_raw(j, ",\"heart\":{\"connected\":");
    json_raw(j, heart->connected ? "true" : "false");
    json_raw(j, ",\"rate\":");
    json_number(j, heart->connected ? round(heart->heart_rate) : NAN);
    json_raw(j, ",\"swing\":");
    json_number(j, heart->connected ? round(heart->swing) : NAN);
    json_raw(j, "}");
}

void web_api_state(json_text *j, const web_state *state)
{
    const play_snapshot *s = &state->snapshot;
    json_raw(j, "{\"loaded\":");
    json_raw(j, state->loaded ? "true" : "false");
    json_raw(j, ",\"paused\":");
    json_raw(j, state->loaded && state->paused ? "true" : "false");
    json_raw(j, ",\"volume_db\":");
    json_number(j, state->volume_db);
    if (state->loaded) {
        json_raw(j, ",\"session\":");
        json_string(j, state->name);
        json_raw(j, ",\"title\":");
        json_string(j, s->title);
        json_raw(j, ",\"position\":");
        json_number(j, frames_to_seconds(s->heard, s->rate));
        json_raw(j, ",\"length\":");
        if (s->length == TIMELINE_FOREVER)
            json_raw(j, "null");
        else
            json_number(j, frames_to_seconds(s->length, s->rate));
        if (s->step) {
            json_raw(j, ",\"step\":{\"index\":");
            json_printf(j, "%lld", (long long)s->step_ordinal);
            json_raw(j, ",\"label\":");
            json_string(j, s->step->label[0] ? s->step->label : step_type_name(s->step->type));
            json_raw(j, ",\"start\":");
            json_number(j, frames_to_seconds(s->step_start, s->rate));
            json_raw(j, ",\"end\":");
            if (s->step_end == TIMELINE_FOREVER)
                json_raw(j, "null");
            else
                json_number(j, frames_to_seconds(s->step_end, s->rate));
            json_raw(j, "}");
        }
        if (s->breathing) {
            json_raw(j, ",\"phase\":");
            json_string(j, breath_kind_name(s->phase));
            json_raw(j, ",\"phase_length\":");
            json_number(j, frames_to_seconds(s->phase_end - s->phase_start, s->rate));
            json_raw(j, ",\"phase_seconds_left\":");
            json_number(j, s->phase_seconds_left);
            json_raw(j, ",\"fullness\":");
            json_number(j, s->fullness);
        }
        if (s->heart_rate_on)
            state_heart(j, &s->heart);
    }
    json_raw(j, "}");
}

static void reply_state(const web_api *api, web_answer *a)
{
    web_state state;
    api->controls->state(api->controls->context, &state);
    a->status = 200;
    web_api_state(&a->body, &state);
    json_raw(&a->body, "\n");
}

/* ---- GET ---- */

static void reply_sessions(web_answer *a)
{
    library_listing listing;
    if (library_list(&listing, NULL) != 0) {
        reply_error(a, 500, "out of memory");
        return;
    }
    json_text *j = &a->body;
    json_raw(j, "{\"sessions\":[");
    bool first = true;
    for (size_t i = 0; i < listing.count; i++) {
        const library_entry *e = &listing.entries[i];
        if (e->hidden)
            continue;
        session *s = NULL;
        timeline *t = NULL;
        bool loads = session_read(e->path, &s, NULL) == 0 && timeline_build(s, &t, NULL) == 0;
        json_raw(j, first ? "\n{\"name\":" : ",\n{\"name\":");
        first = false;
        json_string(j, e->name);
        if (loads) {
            json_raw(j, ",\"title\":");
            json_string(j, s->title[0] ? s->title : e->name);
            json_raw(j, ",\"description\":");
            json_string(j, s->description);
            json_raw(j, ",\"author\":");
            json_string(j, s->author);
            json_raw(j, ",\"caution\":");
            json_string(j, s->caution);
            json_raw(j, ",\"length\":");
            if (timeline_length(t) == TIMELINE_FOREVER)
                json_raw(j, "null");
            else
                json_number(j, frames_to_seconds(timeline_length(t), timeline_rate(t)));
        } else {
            json_raw(j, ",\"title\":");
            json_string(j, e->name);
            json_raw(j, ",\"broken\":true");
        }
        json_raw(j, "}");
        timeline_free(t);
        session_free(s);
    }
    json_raw(j, "\n]}\n");
    library_listing_free(&listing);
    a->status = 200;
}

static void json_text_of(json_text *j, const char *key, char *text)
{
    json_key(j, key);
    if (!text)
        j->failed = true;
    json_string(j, text ? text : "");
    free(text);
}

/* What --stats prints (user/practice.h), as one string. */
static char *stats_text(void)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (!out)
        return NULL;
    practice_print(out, NULL);
    if (fclose(out) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

static void reply_stats(web_answer *a)
{
    char *path;
    history_stats stats;
    if (practice_stats(time(NULL), &stats, &path, NULL) != 0) {
        free(path);
        reply_error(a, 500, "cannot read the practice history");
        return;
    }
    json_text *j = &a->body;
    json_printf(j, "{\"week\":{\"sessions\":%lld,\"seconds\":%lld}",
                (long long)stats.week_sessions, (long long)stats.week_seconds);
    json_printf(j, ",\"total\":{\"sessions\":%lld,\"seconds\":%lld}",
                (long long)stats.total_sessions, (long long)stats.total_seconds);
    json_printf(j, ",\"streak\":{\"current\":%d,\"longest\":%d}", stats.current_streak,
                stats.longest_streak);
    json_raw(j, ",\"days\":[");
    for (int i = 0; i < HISTORY_CHART_DAYS; i++) {
        int year, month, day;
        history_civil_date(stats.today - (HISTORY_CHART_DAYS - 1) + i, &year, &month, &day);
        json_printf(j, "%s{\"date\":\"%04d-%02d-%02d\",\"sessions\":%d,\"seconds\":%lld}",
                    i ? "," : "", year, month, day, stats.day_sessions[i],
                    (long long)stats.day_seconds[i]);
    }
    json_raw(j, "],");
    json_text_of(j, "text", stats_text());
    json_raw(j, "}\n");
    free(path);
    if (j->failed)
        reply_error(a, 500, "out of memory");
    else
        a->status = 200;
}

static void reply_safety(web_answer *a)
{
    json_raw(&a->body, "{");
    json_text_of(&a->body, "text", safety_text());
    json_raw(&a->body, "}\n");
    if (a->body.failed)
        reply_error(a, 500, "out of memory");
    else
        a->status = 200;
}

/* ---- POST ---- */

static bool loaded(const web_api *api)
{
    web_state state;
    api->controls->state(api->controls->context, &state);
    return state.loaded;
}

static void do_play(const web_api *api, const web_request *r, web_answer *a)
{
    const char *name = r->field(r->field_context, "name");
    const char *position = r->field(r->field_context, "position");
    if (!name || !*name) {
        reply_error(a, 400, "give the session's installed name: name=NAME");
        return;
    }
    /* Installed names only: never a path from the network. */
    if (library_is_path(name) || name[0] == '.' || strchr(name, '\\')) {
        reply_error(a, 400, "only installed sessions are played, by name (as breathe --list "
                            "--names lists them), never a path");
        return;
    }
    double start = 0.0;
    char why[256];
    if (position && *position && parse_duration_text(position, &start, why, sizeof why) != 0) {
        char message[400];
        snprintf(message, sizeof message, "position '%.64s': %s", position, why);
        reply_error(a, 400, message);
        return;
    }
    char *said = NULL;
    int code = api->controls->play(api->controls->context, name, start, &said);
    if (code != 0) {
        if (said) {
            size_t length = strlen(said);
            while (length > 0 && said[length - 1] == '\n')
                said[--length] = '\0';
        }
        reply_error(a, code == 1 ? 500 : 400, said ? said : "out of memory");
        free(said);
        return;
    }
    free(said);
    reply_state(api, a);
}

static void do_volume(const web_api *api, const web_request *r, web_answer *a)
{
    const char *text = r->field(r->field_context, "db");
    char *end = NULL;
    errno = 0;
    double db = text ? strtod(text, &end) : NAN;
    if (!text || end == text || *end || errno || !isfinite(db)) {
        reply_error(a, 400, "give the volume in dB from -40 to 0: db=-6");
        return;
    }
    db = db < WEB_VOLUME_MIN_DB ? WEB_VOLUME_MIN_DB : db > WEB_VOLUME_MAX_DB ? WEB_VOLUME_MAX_DB : db;
    api->controls->set_volume(api->controls->context, db);
    reply_state(api, a);
}

typedef enum {
    ROUTE_FILE, ROUTE_SESSIONS, ROUTE_STATE, ROUTE_STATS, ROUTE_SAFETY, ROUTE_EVENTS,
    ROUTE_PLAY, ROUTE_PAUSE, ROUTE_RESUME, ROUTE_STOP, ROUTE_NEXT, ROUTE_VOLUME,
} route_kind;

static const struct {
    const char *path;
    route_kind kind;
    const char *file;          /* ROUTE_FILE: the file under share/breathe/web */
} routes[] = {
    { "/", ROUTE_FILE, "index.html" },
    { "/index.html", ROUTE_FILE, "index.html" },
    { "/style.css", ROUTE_FILE, "style.css" },
    { "/app.js", ROUTE_FILE, "app.js" },
    { "/icon.svg", ROUTE_FILE, "icon.svg" },
    { "/api/sessions", ROUTE_SESSIONS, NULL },
    { "/api/state", ROUTE_STATE, NULL },
    { "/api/stats", ROUTE_STATS, NULL },
    { "/api/safety", ROUTE_SAFETY, NULL },
    { "/api/events", ROUTE_EVENTS, NULL },
    { "/api/play", ROUTE_PLAY, NULL },
    { "/api/pause", ROUTE_PAUSE, NULL },
    { "/api/resume", ROUTE_RESUME, NULL },
    { "/api/stop", ROUTE_STOP, NULL },
    { "/api/next", ROUTE_NEXT, NULL },
    { "/api/volume", ROUTE_VOLUME, NULL },
};

static bool changes_state(route_kind kind)
{
    return kind >= ROUTE_PLAY;
}

/* The page's own origin: the scheme and the Host the request came with,
 * or an allowed name (web_hosts) as a reverse proxy serves the page. */
static bool origin_is_page(const char *origin, const char *host, const web_hosts *hosts)
{
    if (!origin)
        return true;   /* not a browser's cross-site request: curl, scripts */
    const char *rest = strncmp(origin, "http://", 7) == 0 ? origin + 7
                     : strncmp(origin, "https://", 8) == 0 ? origin + 8 : NULL;
    return rest && ((host && strcmp(rest, host) == 0) || web_hosts_allow_proxied(hosts, rest));
}

static void run_route(const web_api *api, const web_request *r, route_kind kind, web_answer *a)
{
    switch (kind) {
    case ROUTE_FILE: break;
    case ROUTE_SESSIONS: reply_sessions(a); break;
    case ROUTE_STATE: reply_state(api, a); break;
    case ROUTE_STATS: reply_stats(a); break;
    case ROUTE_SAFETY: reply_safety(a); break;
    case ROUTE_EVENTS: a->kind = WEB_ANSWER_EVENTS; a->status = 200; break;
    case ROUTE_PLAY: do_play(api, r, a); break;
    case ROUTE_VOLUME: do_volume(api, r, a); break;
    case ROUTE_STOP:
        api->controls->stop(api->controls->context);
        reply_state(api, a);
        break;
    case ROUTE_PAUSE:
    case ROUTE_RESUME:
    case ROUTE_NEXT:
        if (!loaded(api)) {
            reply_error(a, 409, "nothing is playing");
            break;
        }
        if (kind == ROUTE_NEXT)
            api->controls->next(api->controls->context);
        else
            api->controls->set_paused(api->controls->context, kind == ROUTE_PAUSE);
        reply_state(api, a);
        break;
    }
}

void web_api_answer(const web_api *api, const web_request *r, web_answer *a)
{
    *a = (web_answer){ .kind = WEB_ANSWER_REPLY, .status = 500 };
    if (!web_hosts_allow(api->hosts, r->host)) {
        reply_error(a, 403, "this server does not answer to that Host name; open it by its "
                            "address, or add the name to web_hosts in the defaults file");
        return;
    }
    if (r->body_too_large) {
        reply_error(a, 413, "the request body is larger than 4096 bytes");
        return;
    }
    size_t found = sizeof routes / sizeof routes[0];
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (strcmp(r->path, routes[i].path) == 0)
            found = i;
    if (found == sizeof routes / sizeof routes[0]) {
        reply_error(a, 404, "no such page or call (docs/web-api.md lists them)");
        return;
    }
    route_kind kind = routes[found].kind;
    bool post = strcmp(r->method, "POST") == 0;
    bool get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    if (changes_state(kind) ? !post : !get) {
        reply_error(a, 405, changes_state(kind) ? "this call changes what plays: use POST"
                                                : "use GET");
        a->allow = changes_state(kind) ? "POST" : "GET, HEAD";
        return;
    }
    if (post && !origin_is_page(r->origin, r->host, api->hosts)) {
        reply_error(a, 403, "a request from another site's page is refused (its Origin is "
                            "not this server)");
        return;
    }
    if (kind == ROUTE_FILE) {
        a->kind = WEB_ANSWER_FILE;
        a->status = 200;
        a->file = routes[found].file;
        return;
    }
    if (api->token && !web_token_matches(api->token, r->authorization)) {
        reply_error(a, 401, "give the token: Authorization: Bearer TOKEN (open the link "
                            "breathe --serve printed, or read the web-token file)");
        a->ask_token = true;
        return;
    }
    run_route(api, r, kind, a);
}
