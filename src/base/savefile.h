/* savefile.h: files that appear whole or not at all.
 *
 * What breathe writes (renders, plots, new sessions) first goes to a
 * temporary file beside the destination, ".NAME.XXXXXX" in the same folder,
 * so the last step stays on one file system and is atomic: the file is
 * flushed to disk, then renamed over the destination (replacing any file of
 * that name) or linked to it (only where the name is free: link() fails
 * when it is taken, so even two writers at once cannot overwrite each
 * other). A failure removes the temporary file and leaves the destination
 * as it was. The finished file gets the permissions of the regular file it
 * replaces, else those of a new file (0666 less the umask): mkstemp alone
 * would leave it private. */
#ifndef BREATHE_SAVEFILE_H
#define BREATHE_SAVEFILE_H

#include <stddef.h>

typedef enum {
    SAVEFILE_REPLACE,   /* renamed over any file of that name */
    SAVEFILE_NEW,       /* linked only where the name is free, else EEXIST */
} savefile_mode;

/* Creates the temporary file for path, with the finished file's
 * permissions. Returns its descriptor and sets *temp_path (a new string
 * the caller frees), or returns -1 with errno set (ENOMEM when out of
 * memory) and *temp_path NULL. For files written bit by bit; the caller
 * syncs, closes, and renames or unlinks it. */
int savefile_open_temp(const char *path, char **temp_path);

/* mkdir -p of the folders above path (not path itself), mode 0700 for the
 * ones it makes. Returns 0, or -1 with errno set. */
int savefile_make_parents(const char *path);

/* Writes size bytes of data to path the way above. Returns 0, or the errno
 * value of what failed. */
int savefile_write(const char *path, const void *data, size_t size, savefile_mode mode);

#endif
