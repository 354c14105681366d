/* list.c: `breathe --list`, the installed sessions (see cli/modes.h). */
#include "cli/modes.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/text.h"
#include "cli/status.h"
#include "play/library.h"

enum { EXIT_DONE = 0, EXIT_RUNTIME = 1 };

/* The width --list fills: the terminal's, or LIST_WIDTH when the output is
 * not a terminal (the same lines for every script). */
enum { LIST_WIDTH = 80, LIST_LEAST_WIDTH = 40, LIST_INDENT = 4, LIST_AUTHOR_MOST = 30, LIST_DESCRIPTION_LEAST = 16 };

static int list_width(FILE *out)
{
    return status_terminal_columns(out, LIST_LEAST_WIDTH, LIST_WIDTH);
}


/* Appends to `line` at most `characters` characters of text, control
 * characters as spaces, and "..." in place of the last three when it is
 * longer. */
static void append_shortened(char *line, size_t size, const char *text, int characters)
{
    size_t used = strlen(line);
    bool whole = text_characters(text) <= characters;
    size_t keep = text_prefix_bytes(text, whole ? characters : characters - 3);
    for (const char *p = text; p < text + keep && used + 4 < size; p++)
        line[used++] = (unsigned char)*p < 0x20 || *p == 0x7F ? ' ' : *p;
    if (!whole && characters >= 3) {
        memcpy(line + used, "...", 3);
        used += 3;
    }
    line[used] = '\0';
}

/* The line under a session in --list: its description and author, cut to
 * the width, keeping the author when there is room for both. */
static void print_about(FILE *out, const session *s, int width)
{
    if (!s->description[0] && !s->author[0])
        return;
    char line[4096] = "", author[512] = "";
    int room = width - 1 - LIST_INDENT;
    if (s->author[0]) {
        strcpy(author, s->description[0] ? " (by " : "by ");
        append_shortened(author, sizeof author - 1, s->author, LIST_AUTHOR_MOST);
        if (s->description[0])
            strcat(author, ")");
    }
    int author_characters = text_characters(author);
    if (!s->description[0]) {
        append_shortened(line, sizeof line, author, room);
    } else if (room - author_characters >= LIST_DESCRIPTION_LEAST) {
        append_shortened(line, sizeof line, s->description, room - author_characters);
        strcat(line, author);
    } else {
        append_shortened(line, sizeof line, s->description, room);
    }
    fprintf(out, "%*s%s\n", LIST_INDENT, "", line);
}

/* One session's lines: name, length and title; under them its description
 * and author. Nothing is decoded: the session is parsed and its audio files
 * opened, which is all --list needs (session_read). */
static void print_entry(FILE *out, const library_entry *e, int width)
{
    session *s = NULL;
    timeline *t = NULL;
    if (session_read(e->path, &s, NULL) == 0 && timeline_build(s, &t, NULL) == 0) {
        char length[32];
        timeline_format_time(length, sizeof length, timeline_length(t), s->sample_rate);
        fprintf(out, "  %-28s %8s  %s%s\n", e->name, length, s->title,
                e->hidden ? "  (hidden by the one above)" : "");
        print_about(out, s, width);
    } else {
        fprintf(out, "  %-28s %8s  (does not load: try breathe --check %s)\n", e->name, "?",
                e->path);
    }
    timeline_free(t);
    session_free(s);
}

/* Each session's lines are written in memory by a few threads at once (the
 * audio headers of a session's cues are most of the time), then printed
 * in order. */
enum { LIST_THREADS_MOST = 4 };

typedef struct {
    const library_listing *listing;
    int width;
    char **text;                   /* each entry's lines */
    atomic_size_t next;            /* the next entry to describe */
} list_work;

static void *describe_entries(void *context)
{
    list_work *work = context;
    for (size_t i; (i = atomic_fetch_add(&work->next, 1)) < work->listing->count;) {
        size_t size = 0;
        FILE *lines = open_memstream(&work->text[i], &size);
        if (!lines)
            continue;
        print_entry(lines, &work->listing->entries[i], work->width);
        fclose(lines);
    }
    return NULL;
}

/* Fills work->text on up to LIST_THREADS_MOST threads (this one among them). */
static void describe_all(list_work *work)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int helpers = cores > 1 ? (int)(cores < LIST_THREADS_MOST ? cores : LIST_THREADS_MOST) - 1
                            : 0;
    pthread_t threads[LIST_THREADS_MOST];
    int started = 0;
    while (started < helpers && (size_t)started + 1 < work->listing->count
           && pthread_create(&threads[started], NULL, describe_entries, work) == 0)
        started++;
    describe_entries(work);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
}

/* Every folder in search order with its sessions' length and title, and
 * under each its description and author. With names_only, just the names
 * `breathe NAME` finds, one per line. */
int cli_list(bool names_only, FILE *out, const report_sink *sink)
{
    library_listing listing;
    if (library_list(&listing, sink) != 0)
        return EXIT_RUNTIME;
    list_work work = { .listing = &listing, .width = list_width(out) };
    atomic_init(&work.next, 0);
    if (!names_only && listing.count > 0) {
        work.text = calloc(listing.count, sizeof *work.text);
        if (!work.text) {
            report_out_of_memory(sink);
            library_listing_free(&listing);
            return EXIT_RUNTIME;
        }
        describe_all(&work);
    }
    int folder = -1;
    for (size_t i = 0; i < listing.count; i++) {
        const library_entry *e = &listing.entries[i];
        if (names_only) {
            if (!e->hidden)
                fprintf(out, "%s\n", e->name);
            continue;
        }
        if (e->folder != folder) {
            folder = e->folder;
            fprintf(out, "%s:\n", listing.folders.folders[folder]);
        }
        if (work.text[i])
            fputs(work.text[i], out);
        else
            print_entry(out, e, work.width);
        free(work.text[i]);
    }
    if (listing.count == 0 && !names_only)
        fprintf(out, "no sessions installed\n");
    free(work.text);
    library_listing_free(&listing);
    return EXIT_DONE;
}
