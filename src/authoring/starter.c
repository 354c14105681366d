/* starter.c: the session written by breathe --new. See starter.h. */
#include "authoring/starter.h"
#include "base/savefile.h"
#include "base/text.h"
#include "format/session.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "@TITLE@" is replaced by the title escaped for a libconfig string,
 * "@NAME@" by the title as it reads (in a comment). Keep it passing
 * `breathe --check` without warnings: the CLI tests check that it does. */
static const char starter_template[] =
    "# @NAME@: a breathing session for breathe.\n"
    "#\n"
    "#   breathe --check THIS-FILE          check it, see its timeline and any warnings\n"
    "#   breathe --plot picture.svg THIS-FILE   draw it\n"
    "#   breathe THIS-FILE                  play it\n"
    "#\n"
    "# Every setting is described in 'man 5 breathe-session'. Durations are seconds\n"
    "# (30) or text with units (\"90s\", \"5m\", \"2m30s\"); levels are in dB; patterns\n"
    "# are breath phase lengths in seconds: \"4-6\" is in 4, out 6; \"4-7-8\" is in 4,\n"
    "# hold 7, out 8; \"4-4-4-4\" also holds 4 after breathing out.\n"
    "format = 1;\n"
    "title = \"@TITLE@\";\n"
    "description = \"Slow breathing with a longer out-breath, about 6 breaths a minute.\";\n"
    "# Printed before the session starts. Keep one when the session holds the breath\n"
    "# for long or breathes very slowly or fast.\n"
    "caution = \"If you feel dizzy or short of breath, stop and breathe normally.\";\n"
    "\n"
    "# The sound that paces each breath: \"tone\" (rises as you breathe in), \"bowl\",\n"
    "# \"noise\" (like surf) or \"none\". low and high are its pitches in Hz.\n"
    "pacer = { sound = \"tone\"; low = 196.0; high = 294.0; level = -20.0; };\n"
    "\n"
    "# Words at the start of each breath phase, for the first 2 cycles of each\n"
    "# breathe step (cycles = 0: every cycle). These files come with breathe; your\n"
    "# own recordings can go next to this file, or in a folder named by audio_dir.\n"
    "voice = { inhale = \"voice/breathe-in.ogg\"; exhale = \"voice/breathe-out.ogg\"; cycles = 2; };\n"
    "\n"
    "# A quiet bed of noise under everything (\"white\", \"pink\" or \"brown\", or\n"
    "# file = \"rain.ogg\"). Delete the line for silence between the sounds.\n"
    "background = { noise = \"pink\"; level = -36.0; fade = \"5s\"; };\n"
    "\n"
    "# What happens, in order. Step types: bell, cue (plays a file), breathe,\n"
    "# timer (silence, with optional bells) and repeat (steps, count times).\n"
    "steps = (\n"
    "  { type = \"bell\"; label = \"Begin\"; },\n"
    "  { type = \"breathe\"; label = \"In 4, out 6\"; pattern = \"4-6\"; duration = \"5m\"; },\n"
    "  { type = \"timer\"; label = \"Breathe normally\"; cue = \"voice/natural.ogg\";\n"
    "    duration = \"1m\"; bell_end = false; },\n"
    "  { type = \"bell\"; label = \"End\"; strikes = 3; }\n"
    ");\n";

char *starter_text(const char *title)
{
    static const char escaped_marker[] = "@TITLE@", plain_marker[] = "@NAME@";
    size_t markers = 0;
    for (const char *p = starter_template; (p = strchr(p, '@')); p++)
        markers++;
    /* Every title byte may need a backslash before it. */
    size_t size = sizeof starter_template + markers * 2 * strlen(title) + 1;
    char *text = malloc(size), *out = text;
    if (!text)
        return NULL;
    for (const char *p = starter_template; *p;) {
        bool escaped = strncmp(p, escaped_marker, sizeof escaped_marker - 1) == 0;
        bool plain = strncmp(p, plain_marker, sizeof plain_marker - 1) == 0;
        if (!escaped && !plain) {
            *out++ = *p++;
            continue;
        }
        for (const char *t = title; *t; t++) {
            if (escaped && (*t == '"' || *t == '\\'))
                *out++ = '\\';
            /* A title stays on one line, inside its quotes or its comment. */
            *out++ = (*t == '\n' || *t == '\r') ? ' ' : *t;
        }
        p += escaped ? sizeof escaped_marker - 1 : sizeof plain_marker - 1;
    }
    *out = '\0';
    return text;
}

/* The file's name without its folder and ".cfg": "evening" for "x/evening.cfg". */
static char *title_from_path(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    size_t length = strlen(name);
    if (length > strlen(SESSION_FILE_SUFFIX) && text_has_suffix(name, SESSION_FILE_SUFFIX))
        length -= strlen(SESSION_FILE_SUFFIX);
    char *title = malloc(length + 1);
    if (title) {
        memcpy(title, name, length);
        title[length] = '\0';
    }
    return title;
}

int starter_write(const char *path, const report_sink *report)
{
    struct stat info;
    if (lstat(path, &info) == 0) {
        report_error(report, NULL, 0, "'%s' already exists; --new never replaces a file, "
                                      "so give another name", path);
        return 1;
    }
    char *title = title_from_path(path);
    char *text = title ? starter_text(title[0] ? title : "My session") : NULL;
    int failure = text ? savefile_write(path, text, strlen(text), SAVEFILE_NEW) : ENOMEM;
    if (failure == EEXIST)
        report_error(report, NULL, 0, "'%s' already exists; --new never replaces a file, "
                                      "so give another name", path);
    else if (failure == ENOMEM)
        report_out_of_memory(report);
    else if (failure)
        report_error(report, NULL, 0, "cannot write '%s': %s", path, strerror(failure));
    free(title);
    free(text);
    return failure ? 1 : 0;
}
