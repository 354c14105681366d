/* playlists.c: org.mpris.MediaPlayer2.Playlists of `breathe --serve`
 * (see serve_internal.h). The playlists are the installed sessions as
 * --list lists them, read again at each call so that a session installed
 * meanwhile is there; each is the object PLAYLIST_PATH/NAME (the name
 * escaped by sd_bus_path_encode), and activating one plays that session
 * by its name, its xesam:url breathe:NAME. */
#include "serve/serve_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "format/session.h"
#include "play/library.h"

/* The installed sessions, as --list lists them (hidden ones left out). */
static int installed_sessions(library_listing *listing, sd_bus_error *error)
{
    report_buffer said = { .program = "breathe" };
    int r = library_list(listing, &(report_sink){ report_buffer_emit, &said });
    if (r != 0) {
        r = sd_bus_error_set(error, ERROR_FAILED, said.text ? said.text : "breathe: out of memory");
        report_buffer_free(&said);
        return r < 0 ? r : -ENOMEM;
    }
    report_buffer_free(&said);
    return 0;
}

static size_t visible_count(const library_listing *listing)
{
    size_t count = 0;
    for (size_t i = 0; i < listing->count; i++)
        count += !listing->entries[i].hidden;
    return count;
}

/* A playlist as (oss): its object path, title and no icon. The title is
 * `title`, else read from the file. */
static int append_playlist(sd_bus_message *reply, const char *name, const char *path_of_file,
                           const char *title)
{
    char *object = NULL;
    int r = sd_bus_path_encode(PLAYLIST_PATH, name, &object);
    if (r < 0)
        return r;
    session *read = NULL;
    if (!title) {
        title = name;
        if (path_of_file && session_read(path_of_file, &read, NULL) == 0 && read->title[0])
            title = read->title;
    }
    r = sd_bus_message_append(reply, "(oss)", object, title, "");
    session_free(read);
    free(object);
    return r;
}

static int method_get_playlists(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    uint32_t index, most;
    const char *order;
    int reverse;
    int r = sd_bus_message_read(m, "uusb", &index, &most, &order, &reverse);
    if (r < 0)
        return r;
    library_listing listing;
    r = installed_sessions(&listing, error);
    if (r < 0)
        return r;
    sd_bus_message *reply = NULL;
    r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0)
        r = sd_bus_message_open_container(reply, 'a', "(oss)");
    size_t count = visible_count(&listing);
    for (size_t k = index; r >= 0 && k < count && k - index < most; k++) {
        size_t want = reverse ? count - 1 - k : k, seen = 0;
        for (size_t i = 0; i < listing.count; i++) {
            if (listing.entries[i].hidden)
                continue;
            if (seen++ == want) {
                r = append_playlist(reply, listing.entries[i].name, listing.entries[i].path,
                                    NULL);
                break;
            }
        }
    }
    if (r >= 0)
        r = sd_bus_message_close_container(reply);
    if (r >= 0)
        r = sd_bus_send(NULL, reply, NULL);
    sd_bus_message_unref(reply);
    library_listing_free(&listing);
    return r;
}

static int method_activate_playlist(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    const char *object;
    int r = sd_bus_message_read(m, "o", &object);
    if (r < 0)
        return r;
    char *name = NULL;
    r = sd_bus_path_decode(object, PLAYLIST_PATH, &name);
    if (r <= 0 || !name || !name[0] || strchr(name, '/')) {
        free(name);
        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                 "breathe: no playlist '%s'", object);
    }
    char *uri = breathe_uri(name);
    if (!uri) {
        free(name);
        return -ENOMEM;
    }
    r = service_open_session(userdata, name, uri, true, error);
    free(uri);
    free(name);
    return reply_or_error(m, r);
}

static int get_playlist_count(sd_bus *bus, const char *path, const char *interface,
                              const char *property, sd_bus_message *reply, void *userdata,
                              sd_bus_error *error)
{
    library_listing listing;
    int r = installed_sessions(&listing, error);
    if (r < 0)
        return r;
    r = sd_bus_message_append(reply, "u", (uint32_t)visible_count(&listing));
    library_listing_free(&listing);
    return r;
}

static int get_orderings(sd_bus *bus, const char *path, const char *interface,
                         const char *property, sd_bus_message *reply, void *userdata,
                         sd_bus_error *error)
{
    return sd_bus_message_append(reply, "as", 1, "Alphabetical");
}

static int get_active_playlist(sd_bus *bus, const char *path, const char *interface,
                               const char *property, sd_bus_message *reply, void *userdata,
                               sd_bus_error *error)
{
    service *s = userdata;
    const track *t = s->current ? &s->current->track : NULL;
    int r = sd_bus_message_open_container(reply, 'r', "b(oss)");
    if (r < 0)
        return r;
    if (t && t->installed) {
        r = sd_bus_message_append(reply, "b", 1);
        if (r >= 0)
            r = append_playlist(reply, t->name, NULL, t->title);
    } else {
        r = sd_bus_message_append(reply, "b(oss)", 0, "/", "", "");
    }
    return r < 0 ? r : sd_bus_message_close_container(reply);
}

const sd_bus_vtable mpris_playlists_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("ActivatePlaylist", "o", "", method_activate_playlist,
                  SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("GetPlaylists", "uusb", "a(oss)", method_get_playlists,
                  SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_SIGNAL("PlaylistChanged", "(oss)", 0),
    SD_BUS_PROPERTY("PlaylistCount", "u", get_playlist_count, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
    SD_BUS_PROPERTY("Orderings", "as", get_orderings, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("ActivePlaylist", "(b(oss))", get_active_playlist, 0, DYNAMIC),
    SD_BUS_VTABLE_END,
};
