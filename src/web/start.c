/* start.c: web_start(), what `breathe --serve --listen ADDR:PORT` says
 * when it begins (see web.h). */
#include "web/web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/report.h"
#include "web/address.h"
#include "web/server_internal.h"
#include "web/token.h"

/* For a wildcard address, the link names the machine's first address
 * that is not a loopback one (what a phone on the same network reaches),
 * else its host name with .local. */
static void reachable_host(const web_address *a, char *host, size_t size)
{
    snprintf(host, size, "%s", a->host);
    if (!a->wildcard)
        return;
    struct ifaddrs *list = NULL;
    if (getifaddrs(&list) == 0) {
        for (struct ifaddrs *i = list; i; i = i->ifa_next) {
            if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
                continue;
            struct in_addr in = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
            if ((ntohl(in.s_addr) >> 24) == 127)
                continue;
            inet_ntop(AF_INET, &in, host, (socklen_t)size);
            freeifaddrs(list);
            return;
        }
        freeifaddrs(list);
    }
    char name[200];
    if (gethostname(name, sizeof name) == 0 && name[0])
        snprintf(host, size, "%s.local", name);
}

/* The link as a QR code of half-height blocks, two modules a character
 * tall, with the quiet zone the standard asks for. */
static void print_qr(FILE *out, const char *link)
{
    QRcode *code = QRcode_encodeString(link, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
    if (!code)
        return;
    enum { QUIET = 2 };
    int width = code->width;
    for (int y = -QUIET; y < width + QUIET; y += 2) {
        for (int x = -QUIET; x < width + QUIET; x++) {
            bool top = y >= 0 && y < width && x >= 0 && x < width
                       && (code->data[y * width + x] & 1);
            bool bottom = y + 1 >= 0 && y + 1 < width && x >= 0 && x < width
                          && (code->data[(y + 1) * width + x] & 1);
            /* Dark modules as dark text on the terminal's light cells:
             * drawn inverted, spaces for dark. */
            fputs(top && bottom ? " " : top ? "\u2584" : bottom ? "\u2580" : "\u2588", out);
        }
        fputc('\n', out);
    }
    QRcode_free(code);
}

int web_start(web_server **out, const web_options *options, const web_controls *controls)
{
    *out = NULL;
    userconfig defaults = { .history = true };
    int code = play_defaults_load(&defaults, REPORT_TO_STREAM(&(report_stream){ options->err,
                                                                              "breathe" }));
    if (code) {
        userconfig_free(&defaults);
        return code;
    }
    const char *listen = options->listen ? options->listen : defaults.listen;
    if (!listen) {
        /* --new-token without the web remote: the token is replaced for
         * the next time it is on. */
        userconfig_free(&defaults);
        if (!options->new_token)
            return 0;
        char token[WEB_TOKEN_LENGTH + 1];
        char *path = web_token_path();
        int code_of_token = web_token_load(path, true, token, options->err);
        if (code_of_token == 0)
            fprintf(options->out, "web remote: off (no --listen); a new token is in %s\n", path);
        fflush(options->out);
        free(path);
        return code_of_token;
    }
    web_address address;
    char why[256];
    if (web_address_parse(listen, &address, why, sizeof why) != 0) {
        fprintf(options->err, "breathe: --listen %s\n", why);
        userconfig_free(&defaults);
        return 2;
    }
    bool ask_token = !address.loopback || defaults.web_token;
    char token[WEB_TOKEN_LENGTH + 1] = "";
    char *token_path = web_token_path();
    if ((ask_token || options->new_token)
        && web_token_load(token_path, options->new_token, token, options->err) != 0) {
        free(token_path);
        userconfig_free(&defaults);
        return 1;
    }
    free(token_path);
    web_server *w;
    if (web_server_create(&w, &address, true, defaults.web_hosts, defaults.web_host_count,
                          ask_token ? token : NULL, controls) != 0) {
        fprintf(options->err, "breathe: cannot serve the web remote on %s: %s\n", listen,
                errno ? strerror(errno) : "libmicrohttpd failed");
        userconfig_free(&defaults);
        return 1;
    }
    userconfig_free(&defaults);
    const web_address *bound = web_server_address(w);
    char host[256];
    reachable_host(bound, host, sizeof host);
    fprintf(options->out, "web remote: http://%s:%d/\n", host, bound->port);
    if (ask_token) {
        char link[600];
        snprintf(link, sizeof link, "http://%s:%d/#token=%s", host, bound->port, token);
        fprintf(options->out, "open this link once on each phone or computer to let it in:\n"
                              "%s\n", link);
        if (isatty(fileno(options->out)))
            print_qr(options->out, link);
    }
    fflush(options->out);
    *out = w;
    return 0;
}
