/* xdgpath.c: breathe's folder in the XDG base directories (see xdgpath.h). */
#include "user/xdgpath.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where each kind lives under $HOME when its variable is not set. */
static const char *const home_folders[] = {
    [XDGPATH_CONFIG] = "/.config",
    [XDGPATH_STATE] = "/.local/state",
    [XDGPATH_DATA] = "/.local/share",
};

char *xdgpath_user(xdgpath_kind kind, const char *xdg_home, const char *home, const char *name)
{
    const char *base, *folder;
    /* The rules ignore a relative value: it would mean another folder for
     * every folder breathe is started in. */
    if (xdg_home && xdg_home[0] == '/') {
        base = xdg_home;
        folder = "";
    } else if (home && *home) {
        base = home;
        folder = home_folders[kind];
    } else {
        return NULL;
    }
    size_t n = strlen(base) + strlen(folder) + strlen("/breathe/") + strlen(name) + 1;
    char *path = malloc(n);
    if (path)
        snprintf(path, n, "%s%s/breathe/%s", base, folder, name);
    return path;
}
