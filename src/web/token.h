/* token.h: the web remote's access token.
 *
 * 32 random bytes (getrandom) written as 64 hexadecimal digits into
 * $XDG_STATE_HOME/breathe/web-token, mode 0600, made on first use and kept
 * until --new-token replaces it. A client gives it as
 * "Authorization: Bearer TOKEN"; it is compared in constant time. */
#ifndef BREATHE_WEB_TOKEN_H
#define BREATHE_WEB_TOKEN_H

#include <stdbool.h>
#include <stdio.h>

enum { WEB_TOKEN_LENGTH = 64 };

/* Reads the token from path, or makes a new one there (always when renew;
 * also when the file is missing or does not hold a token). The folders are
 * made as needed, the file replaced whole (a temporary file and rename).
 * Returns 0, or 1 with why on err. */
int web_token_load(const char *path, bool renew, char token[WEB_TOKEN_LENGTH + 1], FILE *err);

/* True when an Authorization header value is "Bearer TOKEN". */
bool web_token_matches(const char *token, const char *authorization);

#endif
