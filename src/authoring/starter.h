/* starter.h: a new session file to start from (breathe --new FILE).
 *
 * starter_text() is a short, commented session that passes --check without
 * warnings and plays as it is: a bell, five minutes of slow breathing with a
 * spoken guide for the first breaths, a minute of normal breathing and a
 * closing bell, using only the voice files installed with breathe. Every
 * line says what it does and what else could go there.
 *
 * starter_write() writes it to a new file and never replaces an existing one:
 * the text goes to a temporary file beside the destination, which is then
 * linked into place (link() fails when the name is taken, so even two
 * writers at once cannot overwrite each other). */
#ifndef BREATHE_STARTER_H
#define BREATHE_STARTER_H

#include <stdio.h>

#include "base/report.h"

/* The session text with `title` as its title (escaped for libconfig in the
 * title setting, as it reads in the comment at the top); the caller frees
 * it. NULL when out of memory. */
char *starter_text(const char *title);

/* Writes the starter session to path, titled after the file's name (without
 * folder and ".cfg"). Returns 0, or 1 after reporting why to `report` (the
 * file exists, the folder cannot be written, out of memory). */
int starter_write(const char *path, const report_sink *report);

#endif
