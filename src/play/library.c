/* library.c: the installed sessions (see library.h). */
#include "play/library.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "base/text.h"
#include "format/resonance.h"
#include "user/resonance.h"
#include "user/xdgpath.h"

/* Adds folder (a new string, which the list takes; NULL adds nothing)
 * unless the list holds it already or is full. */
static void folders_add_new(library_folders *list, char *folder)
{
    if (!folder)
        return;
    if (list->count == LIBRARY_MAX_FOLDERS) {
        free(folder);
        return;
    }
    for (int i = 0; i < list->count; i++) {
        if (strcmp(list->folders[i], folder) == 0) {
            free(folder);
            return;
        }
    }
    list->folders[list->count++] = folder;
}

static void folders_add(library_folders *list, const char *base, const char *suffix)
{
    if (!base || !*base)
        return;
    folders_add_new(list, text_join_path(base, suffix));
}

void library_folders_find(library_folders *list, const char *what)
{
    list->count = 0;
    folders_add_new(list,
                    xdgpath_user(XDGPATH_DATA, getenv("XDG_DATA_HOME"), getenv("HOME"), what));
    const char *system_dirs = getenv("XDG_DATA_DIRS");
    if (!system_dirs || !*system_dirs)
        system_dirs = "/usr/local/share:/usr/share";
    for (const char *p = system_dirs; *p;) {
        size_t n = strcspn(p, ":");
        /* The XDG rules ignore relative entries. */
        if (n > 0 && p[0] == '/') {
            char *share = strndup(p, n);
            char *breathe = share ? text_join_path(share, "breathe") : NULL;
            folders_add(list, breathe, what);
            free(breathe);
            free(share);
        }
        p += n;
        if (*p == ':')
            p++;
    }
    folders_add(list, BREATHE_DATADIR, what);
    const char *extra = getenv("BREATHE_DATA_DIR");
    if (extra && extra[0] == '/')
        folders_add(list, extra, what);
}

void library_folders_free(library_folders *list)
{
    for (int i = 0; i < list->count; i++)
        free(list->folders[i]);
    list->count = 0;
}

static library_folders audio_folders;
static const char *audio_folder_names[LIBRARY_MAX_FOLDERS + 1];

void library_audio_path_set(void)
{
    library_audio_path_free();
    library_folders_find(&audio_folders, "audio");
    for (int i = 0; i < audio_folders.count; i++)
        audio_folder_names[i] = audio_folders.folders[i];
    audio_folder_names[audio_folders.count] = NULL;
    session_audio_search_path = audio_folder_names;
}

void library_audio_path_free(void)
{
    static const char *const none[] = { NULL };
    session_audio_search_path = none;
    library_folders_free(&audio_folders);
}

bool library_is_path(const char *name)
{
    return strchr(name, '/') || text_has_suffix(name, SESSION_FILE_SUFFIX)
           || text_is_file(name);
}

/* folder/NAME.cfg, allocated. */
static char *named_file(const char *folder, const char *name)
{
    size_t n = strlen(name) + sizeof SESSION_FILE_SUFFIX;
    char *file = malloc(n);
    if (!file)
        return NULL;
    snprintf(file, n, "%s%s", name, SESSION_FILE_SUFFIX);
    char *path = text_join_path(folder, file);
    free(file);
    return path;
}

/* "no KIND named 'NAME' (looked in A, B, C)HINT" */
static void report_not_found(const report_sink *report, const library_folders *folders,
                             const char *kind, const char *name, const char *hint)
{
    char *looked_in = NULL;
    size_t size = 0;
    FILE *text = open_memstream(&looked_in, &size);
    if (text) {
        for (int i = 0; i < folders->count; i++)
            fprintf(text, "%s %s", i ? "," : "", folders->folders[i]);
        if (fclose(text) != 0) {
            free(looked_in);
            looked_in = NULL;
        }
    }
    report_error(report, NULL, 0, "no %s named '%s' (looked in%s)%s", kind, name,
                 looked_in ? looked_in : "", hint);
    free(looked_in);
}

char *library_find_in(const char *what, const char *kind, const char *hint, const char *name,
                      const report_sink *report)
{
    if (library_is_path(name)) {
        char *path = strdup(name);
        if (!path)
            report_out_of_memory(report);
        return path;
    }
    library_folders folders;
    library_folders_find(&folders, what);
    char *found = NULL;
    for (int i = 0; i < folders.count && !found; i++) {
        char *path = named_file(folders.folders[i], name);
        if (path && text_is_file(path))
            found = path;
        else
            free(path);
    }
    if (!found && report)
        report_not_found(report, &folders, kind, name, hint);
    library_folders_free(&folders);
    return found;
}

char *library_find(const char *name, const report_sink *report)
{
    return library_find_in("sessions", "session", "; see 'breathe --list'", name, report);
}

/* ---- listing ---- */

static int compare_entries(const void *a, const void *b)
{
    const library_entry *x = a, *y = b;
    if (x->folder != y->folder)
        return x->folder < y->folder ? -1 : 1;
    return strcmp(x->name, y->name);
}

static bool is_session_file_name(const char *file)
{
    return file[0] != '.' && strlen(file) > strlen(SESSION_FILE_SUFFIX)
           && text_has_suffix(file, SESSION_FILE_SUFFIX);
}

/* Adds the sessions of one folder; returns 0 or 1 when out of memory. */
static int list_folder(library_listing *listing, int folder, size_t *capacity)
{
    DIR *dir = opendir(listing->folders.folders[folder]);
    if (!dir)
        return 0;
    int result = 0;
    for (struct dirent *entry; result == 0 && (entry = readdir(dir));) {
        if (!is_session_file_name(entry->d_name))
            continue;
        if (listing->count == *capacity) {
            size_t grown_capacity = *capacity ? 2 * *capacity : 32;
            library_entry *grown = realloc(listing->entries, grown_capacity * sizeof *grown);
            if (!grown) {
                result = 1;
                break;
            }
            listing->entries = grown;
            *capacity = grown_capacity;
        }
        library_entry *e = &listing->entries[listing->count];
        e->name = strndup(entry->d_name, strlen(entry->d_name) - strlen(SESSION_FILE_SUFFIX));
        e->path = text_join_path(listing->folders.folders[folder], entry->d_name);
        e->folder = folder;
        e->hidden = false;
        listing->count++;
        if (!e->name || !e->path)
            result = 1;
    }
    closedir(dir);
    return result;
}

int library_list(library_listing *out, const report_sink *report)
{
    memset(out, 0, sizeof *out);
    library_folders_find(&out->folders, "sessions");
    size_t capacity = 0;
    for (int f = 0; f < out->folders.count; f++) {
        if (list_folder(out, f, &capacity) != 0) {
            report_out_of_memory(report);
            library_listing_free(out);
            return 1;
        }
    }
    if (out->count > 0)
        qsort(out->entries, out->count, sizeof out->entries[0], compare_entries);
    /* Hidden: an earlier folder has the same name, so `breathe NAME` plays that one. */
    for (size_t i = 0; i < out->count; i++) {
        library_entry *e = &out->entries[i];
        for (int d = 0; d < e->folder && !e->hidden; d++) {
            char *earlier = named_file(out->folders.folders[d], e->name);
            e->hidden = earlier && text_is_file(earlier);
            free(earlier);
        }
    }
    return 0;
}

void library_listing_free(library_listing *listing)
{
    for (size_t i = 0; i < listing->count; i++) {
        free(listing->entries[i].name);
        free(listing->entries[i].path);
    }
    free(listing->entries);
    library_folders_free(&listing->folders);
    memset(listing, 0, sizeof *listing);
}

/* ---- loading ---- */

/* The saved resonance rate into the session's resonance steps (format/resonance.h). */
static int library_pace_resonance(loaded_session *out, const report_sink *report)
{
    if (!session_first_resonance_step(out->session))
        return 0;
    char *path = resonance_saved_path(getenv("XDG_STATE_HOME"), getenv("HOME"));
    resonance_saved saved;
    int code = resonance_saved_read(path, &saved, report);
    free(path);
    if (code == 0 && saved.saved) {
        session_set_resonance_rate(out->session, saved.rate);
        out->resonance_rate = saved.rate;
    }
    resonance_saved_free(&saved);
    return code;
}

int library_load(const char *name, loaded_session *out, const report_sink *report)
{
    memset(out, 0, sizeof *out);
    char *path = library_find(name, report);
    if (!path)
        return library_is_path(name) ? 1 : 2;
    int code = session_load(path, &out->session, report);
    free(path);
    if (code)
        return code;
    code = library_pace_resonance(out, report);
    if (code == 0)
        code = timeline_build(out->session, &out->timeline, report);
    if (code) {
        session_free(out->session);
        out->session = NULL;
        return code;
    }
    return 0;
}

void library_unload(loaded_session *loaded)
{
    timeline_free(loaded->timeline);
    session_free(loaded->session);
    memset(loaded, 0, sizeof *loaded);
}

/* The first of the audio folders that has `file`, joined to it, or NULL. */
static char *find_bundled_audio(const char *file)
{
    for (const char *const *folder = session_audio_search_path; *folder; folder++) {
        char *path = text_join_path(*folder, file);
        if (!path)
            return NULL;
        if (text_is_file(path))
            return path;
        free(path);
    }
    return NULL;
}

int library_announce(loaded_session *loaded, const char *file, const char *label,
                     double gap_seconds, const report_sink *report)
{
    char *path = find_bundled_audio(file);
    if (!path) {
        report_warning(report, NULL, 0, "%s is not in the audio folders: not said", file);
        return 2;
    }
    char why[512];
    int code = session_prepend_cue(loaded->session, path, label, gap_seconds, why, sizeof why);
    if (code == 2)
        report_warning(report, path, 0, "not said: %s", why);
    free(path);
    if (code != 0)
        return code;
    timeline *announced = NULL;
    code = timeline_build(loaded->session, &announced, report);
    if (code != 0)
        return code;
    timeline_free(loaded->timeline);
    loaded->timeline = announced;
    return 0;
}
