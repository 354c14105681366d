/* server_internal.h: the server's parts that web_start() (start.c) and the
 * fuzzing harness (fuzz/fuzz_web.c) put together.
 *
 * web_server_create() starts libmicrohttpd on `address` (or, when not
 * listening, for connections handed to it with MHD_add_connection), with
 * the Host names of the address and `hosts`, and `token` asked of every
 * API request (NULL: none). Returns 0, or 1 with errno set. */
#ifndef BREATHE_WEB_SERVER_INTERNAL_H
#define BREATHE_WEB_SERVER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "web/address.h"
#include "web/web.h"

struct MHD_Daemon;

int web_server_create(web_server **out, const web_address *address, bool listening,
                      char *const *hosts, size_t host_count, const char *token,
                      const web_controls *controls);
/* The address listened on, its port as the system chose it. */
const web_address *web_server_address(const web_server *w);
struct MHD_Daemon *web_server_daemon(web_server *w);

#endif
