/* token.c: the web remote's access token (see token.h). */
#include "web/token.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/savefile.h"

static bool is_token(const char *text)
{
    return strlen(text) == WEB_TOKEN_LENGTH
           && strspn(text, "0123456789abcdef") == WEB_TOKEN_LENGTH;
}

static int read_token(const char *path, char token[WEB_TOKEN_LENGTH + 1])
{
    FILE *file = fopen(path, "r");
    if (!file)
        return -1;
    char line[WEB_TOKEN_LENGTH + 8] = "";
    bool read = fgets(line, sizeof line, file) != NULL;
    fclose(file);
    line[strcspn(line, "\n")] = '\0';
    if (!read || !is_token(line))
        return -1;
    memcpy(token, line, WEB_TOKEN_LENGTH + 1);
    return 0;
}

static int write_token(const char *path, const char token[WEB_TOKEN_LENGTH + 1])
{
    size_t size = strlen(path) + sizeof ".new";
    char *temporary = malloc(size);
    if (!temporary)
        return -1;
    snprintf(temporary, size, "%s.new", path);
    unlink(temporary);
    int fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    int result = -1;
    if (fd >= 0) {
        char line[WEB_TOKEN_LENGTH + 1];
        memcpy(line, token, WEB_TOKEN_LENGTH);
        line[WEB_TOKEN_LENGTH] = '\n';
        bool written = write(fd, line, sizeof line) == (ssize_t)sizeof line && fsync(fd) == 0;
        written = close(fd) == 0 && written;
        if (written && rename(temporary, path) == 0)
            result = 0;
        else
            unlink(temporary);
    }
    free(temporary);
    return result;
}

int web_token_load(const char *path, bool renew, char token[WEB_TOKEN_LENGTH + 1], FILE *err)
{
    if (!path) {
        fprintf(err, "breathe: cannot keep the web remote's token: neither XDG_STATE_HOME nor "
                     "HOME is set\n");
        return 1;
    }
    if (!renew && read_token(path, token) == 0)
        return 0;
    uint8_t random[WEB_TOKEN_LENGTH / 2];
    if (getrandom(random, sizeof random, 0) != (ssize_t)sizeof random) {
        fprintf(err, "breathe: cannot make the web remote's token: %s\n", strerror(errno));
        return 1;
    }
    for (size_t i = 0; i < sizeof random; i++)
        snprintf(token + 2 * i, 3, "%02x", random[i]);
    if (savefile_make_parents(path) != 0 || write_token(path, token) != 0) {
        fprintf(err, "breathe: cannot write the web remote's token to %s: %s\n", path,
                strerror(errno));
        return 1;
    }
    return 0;
}

bool web_token_matches(const char *token, const char *authorization)
{
    static const char scheme[] = "Bearer ";
    if (!authorization || strncmp(authorization, scheme, sizeof scheme - 1) != 0)
        return false;
    const char *given = authorization + sizeof scheme - 1;
    if (strlen(given) != WEB_TOKEN_LENGTH)
        return false;
    unsigned char difference = 0;
    for (size_t i = 0; i < WEB_TOKEN_LENGTH; i++)
        difference |= (unsigned char)(given[i] ^ token[i]);
    return difference == 0;
}
