/* library.h: the installed sessions, and finding one by name.
 *
 * Sessions and their audio are looked for in the data folders, in this
 * order: $XDG_DATA_HOME/breathe (else ~/.local/share/breathe), each absolute
 * folder of $XDG_DATA_DIRS (else /usr/local/share:/usr/share) with /breathe
 * after it, the install prefix's share/breathe, then $BREATHE_DATA_DIR (an
 * absolute path; a build that has not been installed sets it to the source
 * tree). Each holds sessions/NAME.cfg and audio/. The first folder with
 * NAME.cfg is the one `breathe NAME` plays; a later one with the same name
 * is hidden by it.
 *
 * Everything here reads the environment when called: nothing is cached, so
 * a service that runs for days sees sessions installed after it started. */
#ifndef BREATHE_PLAY_LIBRARY_H
#define BREATHE_PLAY_LIBRARY_H

#include <stdbool.h>
#include <stdio.h>

#include "render/timeline.h"

enum { LIBRARY_MAX_FOLDERS = 16 };

/* The folders searched for `what` ("sessions" or "audio"), each once. */
typedef struct {
    char *folders[LIBRARY_MAX_FOLDERS];
    int count;
} library_folders;

void library_folders_find(library_folders *list, const char *what);
void library_folders_free(library_folders *list);

/* Points the session loader's audio search (session_audio_search_path) at
 * the audio folders. Call once before loading; library_audio_path_free()
 * when done. */
void library_audio_path_set(void);
void library_audio_path_free(void);

/* True when NAME is meant as a path rather than an installed name: it has a
 * '/', ends in ".cfg", or names a file that exists. */
bool library_is_path(const char *name);

/* A path as given, or the path of NAME.cfg in the first session folder that
 * has it. A new string; NULL when no folder has it (an error to `report`
 * naming the folders looked in), or when out of memory (reported when the
 * path was given). */
char *library_find(const char *name, const report_sink *report);
/* As library_find(), in the folders of `what` ("programmes": library_folders_find),
 * the error saying "no KIND named 'NAME' (looked in ...)HINT". */
char *library_find_in(const char *what, const char *kind, const char *hint, const char *name,
                      const report_sink *report);

/* One installed session, as --list shows it. */
typedef struct {
    char *name;      /* NAME of NAME.cfg */
    char *path;      /* the file */
    int folder;      /* index into the session folders */
    bool hidden;     /* an earlier folder has the same name */
} library_entry;

typedef struct {
    library_folders folders;
    library_entry *entries;   /* folder by folder in search order, names sorted */
    size_t count;
} library_listing;

/* Every NAME.cfg in every session folder (no limit on how many). Returns
 * 0, or 1 when out of memory (reported to `report`). */
int library_list(library_listing *out, const report_sink *report);
void library_listing_free(library_listing *listing);

/* A session loaded and compiled to its timeline. */
typedef struct {
    session *session;
    timeline *timeline;
    double resonance_rate;   /* the saved rate its pattern = "resonance" steps pace at;
                                0: it has none, or none is saved (they pace at
                                SESSION_RESONANCE_FALLBACK_RATE) */
} loaded_session;

/* Finds (as library_find) and loads a session, decoding its audio, and
 * builds its timeline. Returns 0; 1 when the system failed (out of memory);
 * 2 when the name is unknown or the session is wrong. Each problem is
 * reported to `report` (NULL: not reported): errors at the session file's
 * line where they are, "no session named ..." with no file. A session with
 * pattern = "resonance" steps is paced at the rate saved in
 * $XDG_STATE_HOME/breathe/resonance (user/resonance.h), read here; a
 * problem in that file is an error at its line. */
int library_load(const char *name, loaded_session *out, const report_sink *report);
void library_unload(loaded_session *loaded);

/* Says something before a loaded session starts: the audio file `file`
 * (relative to the audio folders, as a session's cue: "voice/NAME.ogg") as a
 * first step labelled `label`, gap_seconds of quiet, then the session, and
 * builds its timeline again. For words that are not the session's own (the
 * programme's "today's session is due", live only): what the session file
 * renders to never has them. Returns 0; 2 when the file is missing or not
 * audio (a warning: the session is as it was and may play without it); 1
 * when out of memory (reported; unload the session). */
int library_announce(loaded_session *loaded, const char *file, const char *label,
                     double gap_seconds, const report_sink *report);

#endif
