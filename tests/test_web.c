/* The web remote's parts that need no network (src/web/): listen
 * addresses, the Host names answered (wildcard rules and the allow list),
 * the token file, JSON strings, and the API's answers and refusals in
 * their order, with controls of the test's own. The HTTP server itself is
 * tested with curl and Chromium (tests/web/run-web-test). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "web/address.h"
#include "web/api.h"
#include "web/json.h"
#include "web/token.h"

static void test_addresses(void **state)
{
    (void)state;
    web_address a;
    char why[256];
    assert_int_equal(web_address_parse("127.0.0.1:8089", &a, why, sizeof why), 0);
    assert_true(a.loopback);
    assert_false(a.wildcard);
    assert_false(a.ipv6);
    assert_int_equal(a.port, 8089);
    assert_string_equal(a.host, "127.0.0.1");
    assert_int_equal(web_address_parse("0.0.0.0:80", &a, why, sizeof why), 0);
    assert_true(a.wildcard);
    assert_false(a.loopback);
    assert_int_equal(web_address_parse("[::1]:0", &a, why, sizeof why), 0);
    assert_true(a.ipv6 && a.loopback);
    assert_string_equal(a.host, "[::1]");
    assert_int_equal(web_address_parse("[::]:8089", &a, why, sizeof why), 0);
    assert_true(a.wildcard);
    assert_int_equal(web_address_parse("192.168.1.20:8089", &a, why, sizeof why), 0);
    assert_false(a.loopback || a.wildcard);
    static const char *const bad[] = { "8089", "localhost:8089", "127.0.0.1", "127.0.0.1:",
                                       "127.0.0.1:65536", "127.0.0.1:-1", "::1:8089",
                                       "[::1]8089", "[::1:8089", "1.2.3:80", "1.2.3.4:80x", "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why[0] = '\0';
        assert_int_equal(web_address_parse(bad[i], &a, why, sizeof why), 2);
        assert_non_null(strstr(why, "is not an address to listen on"));
    }
}

static void test_hosts_of_a_loopback_address(void **state)
{
    (void)state;
    web_address a;
    char why[256];
    assert_int_equal(web_address_parse("127.0.0.1:8089", &a, why, sizeof why), 0);
    char *extra[] = { "Pi.Example.org" };
    web_hosts h;
    assert_int_equal(web_hosts_init(&h, &a, extra, 1), 0);
    assert_true(web_hosts_allow(&h, "127.0.0.1:8089"));
    assert_true(web_hosts_allow(&h, "localhost:8089"));
    assert_true(web_hosts_allow(&h, "LOCALHOST:8089"));
    assert_true(web_hosts_allow(&h, "localhost.:8089"));
    assert_true(web_hosts_allow(&h, "pi.example.org:8089"));
    /* An allowed name: any port or none, as a reverse proxy sends it. */
    assert_true(web_hosts_allow(&h, "pi.example.org"));
    assert_true(web_hosts_allow(&h, "pi.example.org:443"));
    assert_true(web_hosts_allow_proxied(&h, "pi.example.org"));
    assert_false(web_hosts_allow_proxied(&h, "127.0.0.1:8089"));   /* not a proxy's */
    assert_false(web_hosts_allow_proxied(&h, "pi.example.org.evil"));
    assert_false(web_hosts_allow(&h, "pi.example.org:x"));
    assert_false(web_hosts_allow(&h, "127.0.0.1"));          /* port 80 is not this one */
    assert_false(web_hosts_allow(&h, "127.0.0.1:80"));
    assert_false(web_hosts_allow(&h, "127.0.0.1:08089x"));
    assert_false(web_hosts_allow(&h, "rebind.example:8089"));
    assert_false(web_hosts_allow(&h, "127.0.0.2:8089"));
    assert_false(web_hosts_allow(&h, "localhost.evil:8089"));
    assert_false(web_hosts_allow(&h, "localhost:8088"));
    assert_false(web_hosts_allow(&h, ":8089"));
    assert_false(web_hosts_allow(&h, ""));
    assert_false(web_hosts_allow(&h, NULL));
    web_hosts_free(&h);
}

static void test_hosts_of_a_wildcard_address(void **state)
{
    (void)state;
    web_address a;
    char why[256];
    assert_int_equal(web_address_parse("[::]:80", &a, why, sizeof why), 0);
    web_hosts h;
    assert_int_equal(web_hosts_init(&h, &a, NULL, 0), 0);
    /* The machine's own names, as web_hosts_add_machine() adds them, are
     * checked with the port; try this machine's, then some of a Pi's. */
    assert_int_equal(web_hosts_add_machine(&h), 0);
    assert_true(web_hosts_allow(&h, "localhost"));
    assert_false(web_hosts_allow(&h, "localhost:8080"));
    web_hosts_free(&h);
    assert_int_equal(web_hosts_init(&h, &a, (char *[]){ "raspberrypi", "raspberrypi.local",
                                                        "192.168.1.20", "fd00::20" }, 4), 0);
    assert_true(web_hosts_allow(&h, "raspberrypi"));        /* port 80: none given */
    assert_true(web_hosts_allow(&h, "raspberrypi:80"));
    assert_true(web_hosts_allow(&h, "RaspberryPi.local"));
    assert_true(web_hosts_allow(&h, "192.168.1.20"));
    assert_true(web_hosts_allow(&h, "[fd00::20]"));
    assert_true(web_hosts_allow(&h, "[fd00::20]:80"));
    assert_false(web_hosts_allow(&h, "fd00::20"));           /* IPv6 only in brackets */
    assert_false(web_hosts_allow(&h, "[fd00::20]x"));
    assert_false(web_hosts_allow(&h, "0.0.0.0"));
    assert_false(web_hosts_allow(&h, "192.168.1.21"));
    assert_false(web_hosts_allow(&h, "raspberrypi.evil.example"));
    web_hosts_free(&h);
}

static void test_token_file(void **state)
{
    (void)state;
    char folder[] = "/tmp/breathe-web-token.XXXXXX";
    assert_non_null(mkdtemp(folder));
    char path[256];
    snprintf(path, sizeof path, "%s/state/breathe/web-token", folder);
    char token[WEB_TOKEN_LENGTH + 1], again[WEB_TOKEN_LENGTH + 1], renewed[WEB_TOKEN_LENGTH + 1];
    assert_int_equal(web_token_load(path, false, token, stderr), 0);
    assert_int_equal(strlen(token), WEB_TOKEN_LENGTH);
    assert_int_equal(strspn(token, "0123456789abcdef"), WEB_TOKEN_LENGTH);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(web_token_load(path, false, again, stderr), 0);
    assert_string_equal(again, token);
    assert_int_equal(web_token_load(path, true, renewed, stderr), 0);
    assert_string_not_equal(renewed, token);
    /* A file that does not hold a token is replaced. */
    FILE *f = fopen(path, "w");
    fputs("not a token\n", f);
    fclose(f);
    assert_int_equal(web_token_load(path, false, again, stderr), 0);
    assert_string_not_equal(again, renewed);
    char header[128];
    snprintf(header, sizeof header, "Bearer %s", again);
    assert_true(web_token_matches(again, header));
    assert_false(web_token_matches(again, again));
    assert_false(web_token_matches(again, "Bearer "));
    header[strlen(header) - 1] ^= 1;
    assert_false(web_token_matches(again, header));
    assert_false(web_token_matches(again, NULL));
    assert_int_equal(web_token_load(NULL, false, again, stderr), 1);
    char command[400];
    snprintf(command, sizeof command, "rm -rf '%s'", folder);
    assert_int_equal(system(command), 0);
}

static void test_json_strings(void **state)
{
    (void)state;
    json_text j = { 0 };
    json_string(&j, "a \"quote\", a \\ and\nlines\t\x01\x7f é");
    json_raw(&j, ",");
    json_number(&j, -0.0);
    json_raw(&j, ",");
    json_number(&j, 1.0 / 0.0);
    json_raw(&j, ",");
    json_string(&j, NULL);
    assert_false(j.failed);
    assert_string_equal(j.text, "\"a \\\"quote\\\", a \\\\ and\\nlines\\t\\u0001\\u007f é\",0,null,null");
    json_free(&j);
}

/* ---- the API with controls of the test's own ---- */

typedef struct {
    web_state state;
    char name[64];
    double start, volume;
    int plays, pauses, resumes, stops, nexts;
} fake_service;

static void fake_state(void *context, web_state *out)
{
    *out = ((fake_service *)context)->state;
}

static int fake_play(void *context, const char *name, double start, char **why)
{
    fake_service *f = context;
    if (strcmp(name, "missing") == 0) {
        *why = strdup("breathe: no session named 'missing'\n");
        return 2;
    }
    snprintf(f->name, sizeof f->name, "%s", name);
    f->start = start;
    f->plays++;
    f->state.loaded = true;
    f->state.name = f->name;
    f->state.snapshot.title = "Fake";
    f->state.snapshot.rate = 48000;
    return 0;
}

static void fake_set_paused(void *context, bool paused)
{
    fake_service *f = context;
    f->state.paused = paused;
    paused ? f->pauses++ : f->resumes++;
}

static void fake_stop(void *context)
{
    fake_service *f = context;
    f->stops++;
    f->state.loaded = false;
}

static void fake_next(void *context)
{
    ((fake_service *)context)->nexts++;
}

static void fake_volume(void *context, double db)
{
    fake_service *f = context;
    f->volume = db;
    f->state.volume_db = db;
}

typedef struct {
    const char *keys[4], *values[4];
} fields;

static const char *field_of(void *context, const char *name)
{
    fields *f = context;
    for (int i = 0; i < 4 && f->keys[i]; i++)
        if (strcmp(f->keys[i], name) == 0)
            return f->values[i];
    return NULL;
}

typedef struct {
    fake_service service;
    web_controls controls;
    web_hosts hosts;
    web_api api;
    char token[WEB_TOKEN_LENGTH + 1];
} api_fixture;

static int api_setup(void **state)
{
    api_fixture *t = calloc(1, sizeof *t);
    web_address a;
    char why[256];
    assert_int_equal(web_address_parse("127.0.0.1:8089", &a, why, sizeof why), 0);
    assert_int_equal(web_hosts_init(&t->hosts, &a, NULL, 0), 0);
    t->controls = (web_controls){ fake_state, fake_play, fake_set_paused, fake_stop, fake_next,
                                  fake_volume, &t->service };
    t->api = (web_api){ &t->hosts, NULL, &t->controls };
    memset(t->token, 'a', WEB_TOKEN_LENGTH);
    *state = t;
    return 0;
}

static int api_teardown(void **state)
{
    api_fixture *t = *state;
    web_hosts_free(&t->hosts);
    free(t);
    return 0;
}

/* Answers one request; returns the status and leaves the body in *body. */
static int ask(api_fixture *t, const char *method, const char *path, const char *host,
               const char *origin, const char *authorization, fields *f, web_answer *answer)
{
    static fields none;
    web_request r = { method, path, host, origin, authorization, field_of, f ? f : &none, false };
    web_api_answer(&t->api, &r, answer);
    return answer->status;
}

static int status_of(api_fixture *t, const char *method, const char *path, fields *f)
{
    web_answer a;
    int status = ask(t, method, path, "127.0.0.1:8089", NULL, NULL, f, &a);
    json_free(&a.body);
    return status;
}

static void test_api_refusals_in_order(void **state)
{
    api_fixture *t = *state;
    web_answer a;
    assert_int_equal(ask(t, "POST", "/api/nothing", "evil.example:8089", "http://evil.example",
                         NULL, NULL, &a), 403);
    assert_non_null(strstr(a.body.text, "Host"));
    json_free(&a.body);
    web_request big = { "POST", "/api/play", "127.0.0.1:8089", NULL, NULL, field_of,
                        &(fields){ { NULL }, { NULL } }, true };
    web_api_answer(&t->api, &big, &a);
    assert_int_equal(a.status, 413);
    json_free(&a.body);
    assert_int_equal(status_of(t, "GET", "/api/nothing", NULL), 404);
    assert_int_equal(status_of(t, "GET", "/../etc/passwd", NULL), 404);
    assert_int_equal(status_of(t, "GET", "/web/", NULL), 404);
    assert_int_equal(ask(t, "GET", "/api/stop", "127.0.0.1:8089", NULL, NULL, NULL, &a), 405);
    assert_string_equal(a.allow, "POST");
    json_free(&a.body);
    assert_int_equal(ask(t, "POST", "/api/state", "127.0.0.1:8089", NULL, NULL, NULL, &a), 405);
    assert_string_equal(a.allow, "GET, HEAD");
    json_free(&a.body);
    assert_int_equal(ask(t, "POST", "/api/stop", "127.0.0.1:8089", "http://evil.example", NULL,
                         NULL, &a), 403);
    json_free(&a.body);
    assert_int_equal(ask(t, "POST", "/api/stop", "127.0.0.1:8089", "http://127.0.0.1:8089", NULL,
                         NULL, &a), 200);
    json_free(&a.body);
    assert_int_equal(ask(t, "POST", "/api/stop", "localhost:8089", "https://localhost:8089",
                         NULL, NULL, &a), 200);
    json_free(&a.body);
    /* Behind a reverse proxy: an allowed name, its Origin without the port. */
    assert_int_equal(web_hosts_add(&t->hosts, "breathe.example.org"), 0);
    assert_int_equal(ask(t, "POST", "/api/stop", "breathe.example.org",
                         "https://breathe.example.org", NULL, NULL, &a), 200);
    json_free(&a.body);
    assert_int_equal(ask(t, "POST", "/api/stop", "breathe.example.org",
                         "https://other.example.org", NULL, NULL, &a), 403);
    json_free(&a.body);
    assert_int_equal(ask(t, "POST", "/api/stop", "127.0.0.1:8089", "http://127.0.0.1:8090",
                         NULL, NULL, &a), 403);
    json_free(&a.body);
    assert_int_equal(t->service.stops, 3);
    /* With a token asked: the API needs it, the page does not. */
    t->api.token = t->token;
    assert_int_equal(ask(t, "GET", "/api/state", "127.0.0.1:8089", NULL, NULL, NULL, &a), 401);
    assert_true(a.ask_token);
    json_free(&a.body);
    char header[100];
    snprintf(header, sizeof header, "Bearer %s", t->token);
    assert_int_equal(ask(t, "GET", "/api/state", "127.0.0.1:8089", NULL, header, NULL, &a), 200);
    json_free(&a.body);
    assert_int_equal(ask(t, "GET", "/", "127.0.0.1:8089", NULL, NULL, NULL, &a), 200);
    assert_int_equal(a.kind, WEB_ANSWER_FILE);
    assert_string_equal(a.file, "index.html");
    json_free(&a.body);
    t->api.token = NULL;
}

static void test_api_controls(void **state)
{
    api_fixture *t = *state;
    assert_int_equal(status_of(t, "POST", "/api/pause", NULL), 409);
    assert_int_equal(status_of(t, "POST", "/api/next", NULL), 409);
    assert_int_equal(status_of(t, "POST", "/api/play", NULL), 400);
    assert_int_equal(status_of(t, "POST", "/api/play", &(fields){ { "name" }, { "/etc/x.cfg" } }), 400);
    assert_int_equal(status_of(t, "POST", "/api/play", &(fields){ { "name" }, { "../x" } }), 400);
    assert_int_equal(status_of(t, "POST", "/api/play", &(fields){ { "name" }, { "x.cfg" } }), 400);
    assert_int_equal(status_of(t, "POST", "/api/play", &(fields){ { "name" }, { ".hidden" } }), 400);
    assert_int_equal(status_of(t, "POST", "/api/play",
                               &(fields){ { "name", "position" }, { "box", "soon" } }), 400);
    web_answer a;
    assert_int_equal(ask(t, "POST", "/api/play", "127.0.0.1:8089", NULL, NULL,
                         &(fields){ { "name" }, { "missing" } }, &a), 400);
    assert_string_equal(a.body.text, "{\"error\":\"breathe: no session named 'missing'\"}\n");
    json_free(&a.body);
    assert_int_equal(t->service.plays, 0);
    assert_int_equal(status_of(t, "POST", "/api/play",
                               &(fields){ { "name", "position" }, { "box", "1m30s" } }), 200);
    assert_string_equal(t->service.name, "box");
    assert_true(t->service.start == 90.0);
    assert_int_equal(status_of(t, "POST", "/api/pause", NULL), 200);
    assert_true(t->service.state.paused);
    assert_int_equal(status_of(t, "POST", "/api/resume", NULL), 200);
    assert_int_equal(status_of(t, "POST", "/api/next", NULL), 200);
    assert_int_equal(t->service.nexts, 1);
    assert_int_equal(status_of(t, "POST", "/api/volume", &(fields){ { "db" }, { "-6.5" } }), 200);
    assert_true(t->service.volume == -6.5);
    assert_int_equal(status_of(t, "POST", "/api/volume", &(fields){ { "db" }, { "-90" } }), 200);
    assert_true(t->service.volume == WEB_VOLUME_MIN_DB);
    assert_int_equal(status_of(t, "POST", "/api/volume", &(fields){ { "db" }, { "12" } }), 200);
    assert_true(t->service.volume == WEB_VOLUME_MAX_DB);
    assert_int_equal(status_of(t, "POST", "/api/volume", &(fields){ { "db" }, { "nan" } }), 400);
    assert_int_equal(status_of(t, "POST", "/api/volume", &(fields){ { "db" }, { "-6dB" } }), 400);
    assert_int_equal(ask(t, "GET", "/api/state", "127.0.0.1:8089", NULL, NULL, NULL, &a), 200);
    assert_non_null(strstr(a.body.text, "\"loaded\":true,\"paused\":false,\"volume_db\":0,"
                                        "\"session\":\"box\",\"title\":\"Fake\""));
    json_free(&a.body);
    assert_int_equal(ask(t, "GET", "/api/events", "127.0.0.1:8089", NULL, NULL, NULL, &a), 200);
    assert_int_equal(a.kind, WEB_ANSWER_EVENTS);
    json_free(&a.body);
}

/* A heart-rate source shows in the state as the status line has it: the
 * rate and the last breath's swing rounded, null until known; no field
 * at all without a source. */
static void test_state_heart_rate(void **state)
{
    api_fixture *t = *state;
    assert_int_equal(status_of(t, "POST", "/api/play", &(fields){ { "name" }, { "box" } }), 200);
    web_answer a;
    assert_int_equal(ask(t, "GET", "/api/state", "127.0.0.1:8089", NULL, NULL, NULL, &a), 200);
    assert_null(strstr(a.body.text, "heart"));
    json_free(&a.body);

    play_snapshot *s = &t->service.state.snapshot;
    s->heart_rate_on = true;
    s->heart.connected = false;
    s->heart.heart_rate = NAN;
    s->heart.swing = NAN;
    assert_int_equal(ask(t, "GET", "/api/state", "127.0.0.1:8089", NULL, NULL, NULL, &a), 200);
    assert_non_null(strstr(a.body.text, ",\"heart\":{\"connected\":false,\"rate\":null,"
                                        "\"swing\":null}}"));
    json_free(&a.body);

    s->heart.connected = true;
    s->heart.heart_rate = 63.6;
    assert_int_equal(ask(t, "GET", "/api/state", "127.0.0.1:8089", NULL, NULL, NULL, &a), 200);
    assert_non_null(strstr(a.body.text, ",\"heart\":{\"connected\":true,\"rate\":64,"
                                        "\"swing\":null}}"));
    json_free(&a.body);

    s->heart.swing = 8.8;
    assert_int_equal(ask(t, "GET", "/api/state", "127.0.0.1:8089", NULL, NULL, NULL, &a), 200);
    assert_non_null(strstr(a.body.text, "\"rate\":64,\"swing\":9}}"));
    json_free(&a.body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_hosts_of_a_loopback_address),
        cmocka_unit_test(test_hosts_of_a_wildcard_address),
        cmocka_unit_test(test_token_file),
        cmocka_unit_test(test_json_strings),
        cmocka_unit_test_setup_teardown(test_api_refusals_in_order, api_setup, api_teardown),
        cmocka_unit_test_setup_teardown(test_api_controls, api_setup, api_teardown),
        cmocka_unit_test_setup_teardown(test_state_heart_rate, api_setup, api_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
