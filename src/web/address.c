/* address.c: listen addresses and Host names (see address.h). */
#include "web/address.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define WHY_FORM "write ADDR:PORT with an IPv4 address or [ADDR]:PORT with an IPv6 one, " \
                 "like 0.0.0.0:8089 or [::1]:8089"

static int refuse(char *why, size_t size, const char *text, const char *reason)
{
    snprintf(why, size, "'%s' is not an address to listen on: %s", text, reason);
    return 2;
}

static int parse_port(const char *text, int *port)
{
    if (!*text || strspn(text, "0123456789") != strlen(text) || strlen(text) > 5)
        return -1;
    long value = strtol(text, NULL, 10);
    if (value > 65535)
        return -1;
    *port = (int)value;
    return 0;
}

int web_address_parse(const char *text, web_address *out, char *why, size_t why_size)
{
    memset(out, 0, sizeof *out);
    char address[64];
    const char *port_text;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':' || (size_t)(close - text - 1) >= sizeof address)
            return refuse(why, why_size, text, WHY_FORM);
        memcpy(address, text + 1, (size_t)(close - text - 1));
        address[close - text - 1] = '\0';
        port_text = close + 2;
        out->ipv6 = true;
    } else {
        const char *colon = strrchr(text, ':');
        if (!colon || strchr(text, ':') != colon || (size_t)(colon - text) >= sizeof address)
            return refuse(why, why_size, text, WHY_FORM);
        memcpy(address, text, (size_t)(colon - text));
        address[colon - text] = '\0';
        port_text = colon + 1;
    }
    if (parse_port(port_text, &out->port) != 0)
        return refuse(why, why_size, text, "the port is a number from 0 to 65535");
    if (out->ipv6) {
        struct sockaddr_in6 *six = (struct sockaddr_in6 *)&out->socket;
        if (inet_pton(AF_INET6, address, &six->sin6_addr) != 1)
            return refuse(why, why_size, text, WHY_FORM);
        six->sin6_family = AF_INET6;
        six->sin6_port = htons((uint16_t)out->port);
        out->socket_length = sizeof *six;
        out->loopback = IN6_IS_ADDR_LOOPBACK(&six->sin6_addr);
        out->wildcard = IN6_IS_ADDR_UNSPECIFIED(&six->sin6_addr);
        char canonical[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, &six->sin6_addr, canonical, sizeof canonical);
        snprintf(out->host, sizeof out->host, "[%s]", canonical);
    } else {
        struct sockaddr_in *four = (struct sockaddr_in *)&out->socket;
        if (inet_pton(AF_INET, address, &four->sin_addr) != 1)
            return refuse(why, why_size, text, WHY_FORM);
        four->sin_family = AF_INET;
        four->sin_port = htons((uint16_t)out->port);
        out->socket_length = sizeof *four;
        uint32_t host_order = ntohl(four->sin_addr.s_addr);
        out->loopback = (host_order >> 24) == 127;
        out->wildcard = host_order == 0;
        snprintf(out->host, sizeof out->host, "%s", address);
    }
    return 0;
}

void web_address_set_port(web_address *a, int port)
{
    a->port = port;
    if (a->ipv6)
        ((struct sockaddr_in6 *)&a->socket)->sin6_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in *)&a->socket)->sin_port = htons((uint16_t)port);
}

/* ---- Host names ---- */

/* Adds a name before the allowed ones (the server's own). */
static int add_own(web_hosts *h, const char *name)
{
    int failed = web_hosts_add(h, name);
    if (!failed) {
        char *added = h->names[h->count - 1];
        memmove(h->names + h->own + 1, h->names + h->own, (h->count - 1 - h->own) * sizeof added);
        h->names[h->own++] = added;
    }
    return failed;
}

int web_hosts_add(web_hosts *h, const char *name)
{
    size_t length = strlen(name);
    bool bare_ipv6 = strchr(name, ':') && name[0] != '[';
    char *copy = malloc(length + 3);
    if (!copy)
        return 1;
    snprintf(copy, length + 3, bare_ipv6 ? "[%s]" : "%s", name);
    for (char *p = copy; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    char **more = realloc(h->names, (h->count + 1) * sizeof *more);
    if (!more) {
        free(copy);
        return 1;
    }
    h->names = more;
    h->names[h->count++] = copy;
    return 0;
}

int web_hosts_init(web_hosts *h, const web_address *a, char *const *extra, size_t extra_count)
{
    *h = (web_hosts){ .port = a->port };
    int failed = add_own(h, a->host);
    if (a->loopback)
        failed |= add_own(h, "localhost");
    for (size_t i = 0; i < extra_count; i++)
        failed |= web_hosts_add(h, extra[i]);
    return failed ? 1 : 0;
}

int web_hosts_add_machine(web_hosts *h)
{
    int failed = add_own(h, "localhost");
    char name[256];
    if (gethostname(name, sizeof name - 7) == 0 && name[0]) {
        name[sizeof name - 7] = '\0';
        failed |= add_own(h, name);
        strcat(name, ".local");
        failed |= add_own(h, name);
    }
    struct ifaddrs *list = NULL;
    if (getifaddrs(&list) != 0)
        return failed;
    for (struct ifaddrs *i = list; i; i = i->ifa_next) {
        char text[INET6_ADDRSTRLEN];
        if (!i->ifa_addr)
            continue;
        if (i->ifa_addr->sa_family == AF_INET
            && inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, text,
                         sizeof text))
            failed |= add_own(h, text);
        else if (i->ifa_addr->sa_family == AF_INET6
                 && !IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr)
                 && inet_ntop(AF_INET6, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, text,
                              sizeof text))
            failed |= add_own(h, text);
    }
    freeifaddrs(list);
    return failed;
}

void web_hosts_free(web_hosts *h)
{
    for (size_t i = 0; i < h->count; i++)
        free(h->names[i]);
    free(h->names);
    *h = (web_hosts){ 0 };
}

/* Host or NAME[:PORT] matched against names[from, to); any_port: the
 * port is not checked. */
static bool matches(const web_hosts *h, const char *host_header, size_t from, size_t to,
                    bool any_port)
{
    if (!host_header)
        return false;
    size_t length = strlen(host_header);
    const char *port = NULL;
    if (host_header[0] == '[') {
        const char *close = strchr(host_header, ']');
        if (!close)
            return false;
        if (close[1] == ':')
            port = close + 2;
        else if (close[1])
            return false;
        length = (size_t)(close - host_header + 1);
    } else {
        const char *colon = strchr(host_header, ':');
        if (colon) {
            port = colon + 1;
            length = (size_t)(colon - host_header);
        }
    }
    /* "name." is the same name as "name". */
    if (length > 1 && host_header[length - 1] == '.')
        length--;
    if (length == 0)
        return false;
    int number;
    if (port && parse_port(port, &number) != 0)
        return false;
    if (!any_port && (port ? number != h->port : h->port != 80))
        return false;
    for (size_t i = from; i < to; i++)
        if (strlen(h->names[i]) == length && strncasecmp(h->names[i], host_header, length) == 0)
            return true;
    return false;
}

bool web_hosts_allow(const web_hosts *h, const char *host_header)
{
    return matches(h, host_header, 0, h->own, false)
           || matches(h, host_header, h->own, h->count, true);
}

bool web_hosts_allow_proxied(const web_hosts *h, const char *authority)
{
    return matches(h, authority, h->own, h->count, true);
}
