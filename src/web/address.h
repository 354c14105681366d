/* address.h: the address the web remote listens on, and the Host names it
 * answers to.
 *
 * An address is written ADDR:PORT with an IPv4 address (0.0.0.0:8089,
 * 127.0.0.1:8089) or [ADDR]:PORT with an IPv6 one ([::]:8089, [::1]:8089);
 * no names, so what is listened on is never a guess. Port 0 asks the system
 * for any free one.
 *
 * A browser sends the name it used in the Host header; a page of another
 * site that has made its own name point at this machine (DNS rebinding)
 * sends that name, so only the server's own names are answered: the
 * address as written; "localhost" for a loopback address; for a wildcard
 * address (0.0.0.0, [::]) each of the machine's own addresses, its host
 * name and NAME.local, each with the port listened on (or none for port
 * 80); and the names the defaults file allows (web_hosts) with any port or
 * none, as a reverse proxy in front sends them. Pure, except
 * web_hosts_add_machine(), which asks the system. */
#ifndef BREATHE_WEB_ADDRESS_H
#define BREATHE_WEB_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

typedef struct {
    struct sockaddr_storage socket;
    socklen_t socket_length;
    bool ipv6;
    bool loopback;           /* 127.0.0.0/8 or ::1 */
    bool wildcard;           /* 0.0.0.0 or :: */
    char host[64];           /* the address as a Host header names it: 127.0.0.1, [::1] */
    int port;
} web_address;

/* Parses ADDR:PORT or [ADDR]:PORT. Returns 0, or 2 with why the text is
 * not one (a sentence with the fix) in why. */
int web_address_parse(const char *text, web_address *out, char *why, size_t why_size);

/* Sets the port (after the system chose one for port 0). */
void web_address_set_port(web_address *a, int port);

typedef struct {
    char **names;            /* lower case, IPv6 addresses in brackets */
    size_t count;
    size_t own;              /* names[0, own) are the server's own; the rest, any port */
    int port;
} web_hosts;

/* The address's own names and `extra` (the defaults' web_hosts). Returns
 * 0, or 1 when out of memory. */
int web_hosts_init(web_hosts *h, const web_address *a, char *const *extra, size_t extra_count);
/* Adds a name (any case; an IPv6 address with or without brackets). */
int web_hosts_add(web_hosts *h, const char *name);
/* For a wildcard address: the machine's addresses, host name and NAME.local. */
int web_hosts_add_machine(web_hosts *h);
void web_hosts_free(web_hosts *h);

/* True when a Host header names one of the server's own names with the
 * port listened on (or without one when that is 80), or an allowed name. */
bool web_hosts_allow(const web_hosts *h, const char *host_header);
/* True when NAME[:PORT] is one of the allowed names (web_hosts): the page
 * as a reverse proxy serves it, for the Origin check. */
bool web_hosts_allow_proxied(const web_hosts *h, const char *authority);

#endif
