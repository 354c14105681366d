/* savefile.c: whole files by way of a temporary file (see savefile.h). */
#include "base/savefile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ".NAME.XXXXXX" in the destination's folder. */
static char *temp_path_for(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dir_length = slash != NULL ? (size_t)(slash - path) + 1 : 0;
    const char *name = path + dir_length;
    size_t size = dir_length + 1 + strlen(name) + 8;
    char *temp = malloc(size);
    if (temp != NULL)
        snprintf(temp, size, "%.*s.%s.XXXXXX", (int)dir_length, path, name);
    return temp;
}

int savefile_open_temp(const char *path, char **temp_path)
{
    *temp_path = temp_path_for(path);
    if (*temp_path == NULL) {
        errno = ENOMEM;
        return -1;
    }
    int fd = mkstemp(*temp_path);
    if (fd < 0) {
        int error = errno;
        free(*temp_path);
        *temp_path = NULL;
        errno = error;
        return -1;
    }
    struct stat st;
    mode_t mode;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        mode = st.st_mode & 07777;
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    (void)fchmod(fd, mode);
    return fd;
}

int savefile_write(const char *path, const void *data, size_t size, savefile_mode mode)
{
    char *temp;
    int fd = savefile_open_temp(path, &temp);
    if (fd < 0)
        return errno;
    const char *bytes = data;
    size_t written = 0;
    int failure = 0;
    while (written < size && !failure) {
        ssize_t n = write(fd, bytes + written, size - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            failure = n < 0 ? errno : EIO;
        else
            written += (size_t)n;
    }
    if (!failure && fsync(fd) != 0)
        failure = errno;
    if (close(fd) != 0 && !failure)
        failure = errno;
    if (!failure && mode == SAVEFILE_REPLACE && rename(temp, path) != 0)
        failure = errno;
    if (!failure && mode == SAVEFILE_NEW && link(temp, path) != 0)
        failure = errno;
    /* After a rename the temporary name is gone already; after a link it
     * is a second name of the new file. */
    if (failure || mode == SAVEFILE_NEW)
        unlink(temp);
    free(temp);
    return failure;
}

int savefile_make_parents(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return -1;
    for (char *slash = strchr(copy + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
            int saved = errno;
            free(copy);
            errno = saved;
            return -1;
        }
        *slash = '/';
    }
    free(copy);
    return 0;
}
