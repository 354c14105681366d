/* strap.c: a Bluetooth LE heart-rate strap through BlueZ (source.h,
 * strap.h).
 *
 * The strap's thread owns its bus connection and does everything there,
 * in one loop: poll the bus and a stop eventfd, at least once a second,
 * then take the next step towards beats arriving:
 *
 *   find the device (GetManagedObjects; StartDiscovery while it is not
 *   known) -> Connect -> find its Heart Rate Measurement characteristic
 *   (0x2A37) -> StartNotify -> each PropertiesChanged "Value" is parsed
 *   (measurement.h) and its intervals handed to the monitor.
 *
 * Device1's Connected turning false is a gap: the monitor marks it, and
 * the loop goes back to connecting, every HR_STRAP_RETRY_SECONDS, for as
 * long as the session plays. A strap that stays connected but sends no
 * beat for HR_STRAP_SILENCE_SECONDS (taken off, poor contact) is a gap too,
 * which ends with the next beat. Calls that may take a while (Connect,
 * StartNotify) are asynchronous, so a stop is never kept waiting. */
#include "hr/source.h"
#include "hr/worker.h"
#include "hr/strap.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "base/clock.h"
#include "hr/measurement.h"

#define BLUEZ "org.bluez"
#define ADAPTER_INTERFACE "org.bluez.Adapter1"
#define DEVICE_INTERFACE "org.bluez.Device1"
#define CHARACTERISTIC_INTERFACE "org.bluez.GattCharacteristic1"
#define HEART_RATE_SERVICE_UUID "0000180d-0000-1000-8000-00805f9b34fb"
#define HEART_RATE_MEASUREMENT_UUID "00002a37-0000-1000-8000-00805f9b34fb"
#define HR_STRAP_RETRY_SECONDS 2.0
/* Longer than any beat of a resting heart (a rate of 12 a minute). */
#define HR_STRAP_SILENCE_SECONDS 5.0
/* How long a call to BlueZ may take before it counts as failed. */
#define CALL_TIMEOUT_USEC (5 * 1000 * 1000)

enum { PATH_MAX_BYTES = 256, NAME_MAX_BYTES = 128 };

/* ---- what BlueZ knows: its objects ---- */

typedef enum { OBJECT_ADAPTER, OBJECT_DEVICE, OBJECT_CHARACTERISTIC } object_kind;

typedef struct {
    object_kind kind;
    char path[PATH_MAX_BYTES];
    char address[32], name[NAME_MAX_BYTES], alias[NAME_MAX_BYTES], uuid[64];
    bool has_rssi;
    int rssi;
    bool connected;
    bool heart_rate;   /* a device whose UUIDs include the Heart Rate Service */
} bluez_object;

typedef void (*object_visit)(void *context, const bluez_object *object);

static void copy_text(char *to, size_t size, const char *from)
{
    snprintf(to, size, "%s", from ? from : "");
}

/* Reads one property's variant into the object when it is one we use,
 * else skips it. */
static int read_property(sd_bus_message *m, const char *key, bluez_object *o)
{
    char type;
    const char *contents;
    int r = sd_bus_message_peek_type(m, &type, &contents);
    if (r < 0)
        return r;
    const char *text;
    if (strcmp(contents, "s") == 0 || strcmp(contents, "o") == 0) {
        char *target = strcmp(key, "Address") == 0 ? o->address
                       : strcmp(key, "Name") == 0  ? o->name
                       : strcmp(key, "Alias") == 0 ? o->alias
                       : strcmp(key, "UUID") == 0  ? o->uuid : NULL;
        size_t size = target == o->address ? sizeof o->address
                      : target == o->uuid   ? sizeof o->uuid : NAME_MAX_BYTES;
        if (target) {
            r = sd_bus_message_read(m, "v", contents, &text);
            if (r >= 0)
                copy_text(target, size, text);
            return r;
        }
    } else if (strcmp(contents, "n") == 0 && strcmp(key, "RSSI") == 0) {
        int16_t rssi;
        r = sd_bus_message_read(m, "v", "n", &rssi);
        o->has_rssi = r >= 0;
        o->rssi = rssi;
        return r;
    } else if (strcmp(contents, "b") == 0 && strcmp(key, "Connected") == 0) {
        int connected;
        r = sd_bus_message_read(m, "v", "b", &connected);
        o->connected = r >= 0 && connected;
        return r;
    } else if (strcmp(contents, "as") == 0 && strcmp(key, "UUIDs") == 0) {
        if ((r = sd_bus_message_enter_container(m, 'v', "as")) < 0
            || (r = sd_bus_message_enter_container(m, 'a', "s")) < 0)
            return r;
        while ((r = sd_bus_message_read(m, "s", &text)) > 0)
            o->heart_rate = o->heart_rate || strcasecmp(text, HEART_RATE_SERVICE_UUID) == 0;
        if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
            return r;
        return sd_bus_message_exit_container(m);
    }
    return sd_bus_message_skip(m, "v");
}

/* Reads an a{sv} of properties into o. */
static int read_properties(sd_bus_message *m, bluez_object *o)
{
    int r = sd_bus_message_enter_container(m, 'a', "{sv}");
    if (r < 0)
        return r;
    while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
        const char *key;
        if ((r = sd_bus_message_read(m, "s", &key)) < 0 || (r = read_property(m, key, o)) < 0
            || (r = sd_bus_message_exit_container(m)) < 0)
            return r;
    }
    if (r < 0)
        return r;
    return sd_bus_message_exit_container(m);
}

/* Calls GetManagedObjects and visits every adapter, device and
 * characteristic. Returns >= 0, or a negative errno with *error set. */
static int visit_objects(sd_bus *bus, sd_bus_error *error, object_visit visit, void *context)
{
    sd_bus_message *reply = NULL;
    int r = sd_bus_call_method(bus, BLUEZ, "/", "org.freedesktop.DBus.ObjectManager",
                               "GetManagedObjects", error, &reply, "");
    if (r < 0)
        return r;
    r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
    while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0) {
        const char *path;
        if ((r = sd_bus_message_read(reply, "o", &path)) < 0
            || (r = sd_bus_message_enter_container(reply, 'a', "{sa{sv}}")) < 0)
            break;
        while ((r = sd_bus_message_enter_container(reply, 'e', "sa{sv}")) > 0) {
            const char *interface;
            if ((r = sd_bus_message_read(reply, "s", &interface)) < 0)
                break;
            bluez_object o = { .kind = OBJECT_ADAPTER };
            bool wanted = true;
            if (strcmp(interface, ADAPTER_INTERFACE) == 0)
                o.kind = OBJECT_ADAPTER;
            else if (strcmp(interface, DEVICE_INTERFACE) == 0)
                o.kind = OBJECT_DEVICE;
            else if (strcmp(interface, CHARACTERISTIC_INTERFACE) == 0)
                o.kind = OBJECT_CHARACTERISTIC;
            else
                wanted = false;
            if (wanted) {
                copy_text(o.path, sizeof o.path, path);
                r = read_properties(reply, &o);
                if (r >= 0)
                    visit(context, &o);
            } else {
                r = sd_bus_message_skip(reply, "a{sv}");
            }
            if (r < 0 || (r = sd_bus_message_exit_container(reply)) < 0)
                break;
        }
        if (r < 0 || (r = sd_bus_message_exit_container(reply)) < 0
            || (r = sd_bus_message_exit_container(reply)) < 0)
            break;
    }
    sd_bus_message_unref(reply);
    if (r < 0)
        sd_bus_error_set_errno(error, r);
    return r;
}

/* The system bus, or BREATHE_BLUEZ_BUS_ADDRESS's. */
static int open_bus(sd_bus **bus)
{
    const char *address = getenv("BREATHE_BLUEZ_BUS_ADDRESS");
    if (!address || !*address)
        return sd_bus_open_system(bus);
    int r = sd_bus_new(bus);
    if (r < 0)
        return r;
    if ((r = sd_bus_set_address(*bus, address)) < 0 || (r = sd_bus_set_bus_client(*bus, 1)) < 0
        || (r = sd_bus_start(*bus)) < 0) {
        sd_bus_unref(*bus);
        *bus = NULL;
    }
    return r;
}

static const char *bus_name(void)
{
    const char *address = getenv("BREATHE_BLUEZ_BUS_ADDRESS");
    return address && *address ? address : "the system bus";
}

/* Reaches BlueZ: the bus and its first adapter. Returns 0, or 1 (reported). */
typedef struct {
    char adapter[PATH_MAX_BYTES];
} first_adapter;

static void find_adapter(void *context, const bluez_object *o)
{
    first_adapter *found = context;
    if (o->kind == OBJECT_ADAPTER && !found->adapter[0])
        copy_text(found->adapter, sizeof found->adapter, o->path);
}

static int reach_bluez(sd_bus **bus, char *adapter, size_t size, const report_sink *to)
{
    int r = open_bus(bus);
    if (r < 0) {
        report_error(to, NULL, 0, "Bluetooth: cannot connect to %s: %s", bus_name(),
                     strerror(-r));
        return 1;
    }
    sd_bus_set_method_call_timeout(*bus, CALL_TIMEOUT_USEC);
    sd_bus_error error = SD_BUS_ERROR_NULL;
    first_adapter found = { { 0 } };
    r = visit_objects(*bus, &error, find_adapter, &found);
    if (r < 0) {
        report_error(to, NULL, 0, "Bluetooth: BlueZ does not answer on %s (is bluetoothd "
                     "running?): %s", bus_name(), error.message ? error.message : strerror(-r));
        sd_bus_error_free(&error);
        sd_bus_flush_close_unref(*bus);
        *bus = NULL;
        return 1;
    }
    if (!found.adapter[0]) {
        report_error(to, NULL, 0, "Bluetooth: no adapter (is one plugged in and powered?)");
        sd_bus_flush_close_unref(*bus);
        *bus = NULL;
        return 1;
    }
    copy_text(adapter, size, found.adapter);
    return 0;
}

/* ---- --hr-scan ---- */

int hr_scan_seconds(void)
{
    const char *text = getenv("BREATHE_HR_SCAN_SECONDS");
    if (!text || !*text)
        return HR_SCAN_SECONDS;
    char *end;
    errno = 0;
    long seconds = strtol(text, &end, 10);
    return errno || *end || seconds < 1 || seconds > 120 ? HR_SCAN_SECONDS : (int)seconds;
}

typedef struct {
    FILE *out;
    int printed;
} scan_listing;

static void print_strap(void *context, const bluez_object *o)
{
    scan_listing *listing = context;
    if (o->kind != OBJECT_DEVICE || !o->heart_rate || !o->has_rssi)
        return;
    const char *name = o->name[0] ? o->name : o->alias[0] ? o->alias : "(no name)";
    fprintf(listing->out, "%s\t%s\t%d dBm\n", o->address, name, o->rssi);
    listing->printed++;
}

/* Processes the bus for `seconds`, so that discovery runs its course. */
static void listen_for(sd_bus *bus, double seconds)
{
    double until = clock_monotonic_seconds() + seconds;
    for (double left; (left = until - clock_monotonic_seconds()) > 0.0;) {
        int r = sd_bus_process(bus, NULL);
        if (r < 0)
            return;
        if (r == 0)
            sd_bus_wait(bus, (uint64_t)(left * 1e6));
    }
}

int hr_scan(FILE *out, int seconds, const report_sink *to)
{
    sd_bus *bus = NULL;
    char adapter[PATH_MAX_BYTES];
    if (reach_bluez(&bus, adapter, sizeof adapter, to) != 0)
        return -1;
    sd_bus_error error = SD_BUS_ERROR_NULL;
    /* Straps advertise the Heart Rate Service: only they are asked for. */
    sd_bus_call_method(bus, BLUEZ, adapter, ADAPTER_INTERFACE, "SetDiscoveryFilter", &error,
                       NULL, "a{sv}", 2, "Transport", "s", "le", "UUIDs", "as", 1,
                       HEART_RATE_SERVICE_UUID);
    sd_bus_error_free(&error);
    int r = sd_bus_call_method(bus, BLUEZ, adapter, ADAPTER_INTERFACE, "StartDiscovery", &error,
                               NULL, "");
    if (r < 0) {
        report_error(to, NULL, 0, "Bluetooth: cannot scan: %s",
                     error.message ? error.message : strerror(-r));
        sd_bus_error_free(&error);
        sd_bus_flush_close_unref(bus);
        return -1;
    }
    listen_for(bus, seconds);
    scan_listing listing = { out, 0 };
    r = visit_objects(bus, &error, print_strap, &listing);
    sd_bus_error_free(&error);
    sd_bus_call_method(bus, BLUEZ, adapter, ADAPTER_INTERFACE, "StopDiscovery", &error, NULL,
                       "");
    sd_bus_error_free(&error);
    sd_bus_flush_close_unref(bus);
    fflush(out);
    if (r < 0) {
        report_error(to, NULL, 0, "Bluetooth: BlueZ stopped answering");
        return -1;
    }
    return listing.printed;
}

/* ---- the strap as a source ---- */

typedef struct {
    hr_source base;
    char *wanted;                /* a name or an address */
    sd_bus *bus;
    sd_bus_slot *signals, *removals, *call;
    char adapter[PATH_MAX_BYTES];
    char device[PATH_MAX_BYTES];           /* "" until found */
    char characteristic[PATH_MAX_BYTES];   /* "" until found */
    bool discovering, connected, notifying, we_connected, call_pending;
    double next_attempt;
    hr_worker worker;            /* its thread, and the eventfd that stops it */
    double last_beat;            /* when beats last came (or notifying began) */
    bool silent;                 /* no beats for HR_STRAP_SILENCE_SECONDS: a gap */
} strap;

/* Straps' names and addresses matched against the one wanted: an
 * address or the exact name beats a name it begins with, which beats one
 * it is part of; among equals, the stronger signal. */
typedef struct {
    const char *wanted;
    int score, rssi;
    bluez_object best;
} device_search;

static int name_score(const char *name, const char *wanted)
{
    size_t length = strlen(wanted);
    if (!name[0] || length == 0)
        return 0;
    if (strcasecmp(name, wanted) == 0)
        return 3;
    if (strncasecmp(name, wanted, length) == 0)
        return 2;
    for (const char *c = name; *c; c++) {
        if (strncasecmp(c, wanted, length) == 0)
            return 1;
    }
    return 0;
}

static void consider_device(void *context, const bluez_object *o)
{
    device_search *search = context;
    if (o->kind != OBJECT_DEVICE)
        return;
    int score = strcasecmp(o->address, search->wanted) == 0 ? 4 : name_score(o->name, search->wanted);
    int alias = name_score(o->alias, search->wanted);
    if (alias > score)
        score = alias;
    int rssi = o->has_rssi ? o->rssi : -1000;
    if (score > 0 && (score > search->score || (score == search->score && rssi > search->rssi))) {
        search->score = score;
        search->rssi = rssi;
        search->best = *o;
    }
}

typedef struct {
    const char *device;
    char found[PATH_MAX_BYTES];
} characteristic_search;

static void consider_characteristic(void *context, const bluez_object *o)
{
    characteristic_search *search = context;
    size_t length = strlen(search->device);
    if (o->kind == OBJECT_CHARACTERISTIC && strncmp(o->path, search->device, length) == 0
        && o->path[length] == '/' && strcasecmp(o->uuid, HEART_RATE_MEASUREMENT_UUID) == 0
        && !search->found[0])
        copy_text(search->found, sizeof search->found, o->path);
}

static void describe_device(strap *s, const bluez_object *o)
{
    char description[HR_DESCRIPTION_MAX];
    const char *name = o->name[0] ? o->name : o->alias;
    snprintf(description, sizeof description, "%s (%s), Bluetooth", name[0] ? name : "strap",
             o->address);
    hr_monitor_describe(s->base.monitor, description);
}

/* Looks the wanted strap up among the devices BlueZ knows. */
static bool find_device(strap *s)
{
    device_search search = { .wanted = s->wanted, .rssi = -1000 };
    sd_bus_error error = SD_BUS_ERROR_NULL;
    visit_objects(s->bus, &error, consider_device, &search);
    sd_bus_error_free(&error);
    if (search.score == 0)
        return false;
    copy_text(s->device, sizeof s->device, search.best.path);
    s->connected = search.best.connected;
    describe_device(s, &search.best);
    return true;
}

static void lost(strap *s)
{
    bool was = s->notifying;
    s->connected = false;
    s->notifying = false;
    s->next_attempt = clock_monotonic_seconds() + HR_STRAP_RETRY_SECONDS / 2;
    if (was)
        hr_monitor_connection(s->base.monitor, false, clock_monotonic_seconds());
}

static void on_value(strap *s, const uint8_t *bytes, size_t size)
{
    double arrived = clock_monotonic_seconds();
    hr_measurement measurement;
    hr_measurement_result result = hr_measurement_parse(bytes, size, &measurement);
    if (result == HR_MEASUREMENT_OK) {
        s->last_beat = arrived;
        s->silent = false;
        hr_monitor_beats(s->base.monitor, measurement.interval_ms, measurement.interval_count,
                         arrived);
    } else if (result != HR_MEASUREMENT_NO_INTERVALS) {
        hr_monitor_rejected(s->base.monitor);
    }
}

/* PropertiesChanged of the characteristic (Value, Notifying) or the
 * device (Connected). */
static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    strap *s = userdata;
    const char *path = sd_bus_message_get_path(m);
    const char *interface;
    if (!path || sd_bus_message_read(m, "s", &interface) < 0)
        return 0;
    bool characteristic = s->characteristic[0] && strcmp(path, s->characteristic) == 0
                          && strcmp(interface, CHARACTERISTIC_INTERFACE) == 0;
    bool device = s->device[0] && strcmp(path, s->device) == 0
                  && strcmp(interface, DEVICE_INTERFACE) == 0;
    if (!characteristic && !device)
        return 0;
    if (sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
        return 0;
    while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
        const char *key;
        if (sd_bus_message_read(m, "s", &key) < 0)
            return 0;
        char type;
        const char *contents;
        if (sd_bus_message_peek_type(m, &type, &contents) < 0)
            return 0;
        if (characteristic && strcmp(key, "Value") == 0 && strcmp(contents, "ay") == 0) {
            const void *bytes;
            size_t size;
            if (sd_bus_message_enter_container(m, 'v', "ay") < 0
                || sd_bus_message_read_array(m, 'y', &bytes, &size) < 0
                || sd_bus_message_exit_container(m) < 0)
                return 0;
            if (s->notifying)
                on_value(s, bytes, size);
        } else if (strcmp(contents, "b") == 0
                   && strcmp(key, characteristic ? "Notifying" : "Connected") == 0) {
            int on;
            if (sd_bus_message_read(m, "v", "b", &on) < 0)
                return 0;
            if (device && on)
                s->connected = true;
            else if (device)
                lost(s);
            else if (!on && s->notifying) {
                s->notifying = false;   /* the strap stopped: notify again */
            }
        } else if (sd_bus_message_skip(m, "v") < 0) {
            return 0;
        }
        if (sd_bus_message_exit_container(m) < 0)
            return 0;
    }
    (void)error;
    return 0;
}

/* InterfacesRemoved: the device or its characteristic went away (BlueZ
 * drops a strap's services when it disconnects, and the device when it
 * forgets it). */
static int on_interfaces_removed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    strap *s = userdata;
    const char *path;
    (void)error;
    if (sd_bus_message_read(m, "o", &path) < 0)
        return 0;
    if (s->characteristic[0] && strcmp(path, s->characteristic) == 0) {
        s->characteristic[0] = '\0';
        if (s->notifying)
            lost(s);
    }
    if (s->device[0] && strcmp(path, s->device) == 0) {
        if (s->notifying || s->connected)
            lost(s);
        s->device[0] = '\0';
        s->characteristic[0] = '\0';
    }
    return 0;
}

static bool error_is(const sd_bus_error *error, const char *name)
{
    return sd_bus_error_has_name(error, name);
}

static int on_connect_reply(sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
    strap *s = userdata;
    const sd_bus_error *e = sd_bus_message_get_error(reply);
    s->call = sd_bus_slot_unref(s->call);
    s->call_pending = false;
    if (!e || error_is(e, "org.bluez.Error.AlreadyConnected")) {
        s->connected = true;
        s->we_connected = s->we_connected || !e;
    } else {
        s->next_attempt = clock_monotonic_seconds() + HR_STRAP_RETRY_SECONDS;
    }
    (void)error;
    return 0;
}

static int on_notify_reply(sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
    strap *s = userdata;
    const sd_bus_error *e = sd_bus_message_get_error(reply);
    s->call = sd_bus_slot_unref(s->call);
    s->call_pending = false;
    if (!e || error_is(e, "org.bluez.Error.InProgress")) {
        s->notifying = true;
        s->silent = false;
        s->last_beat = clock_monotonic_seconds();
        hr_monitor_connection(s->base.monitor, true, clock_monotonic_seconds());
    } else {
        s->next_attempt = clock_monotonic_seconds() + HR_STRAP_RETRY_SECONDS;
    }
    (void)error;
    return 0;
}

static void call_async(strap *s, const char *path, const char *interface, const char *member,
                       sd_bus_message_handler_t reply)
{
    int r = sd_bus_call_method_async(s->bus, &s->call, BLUEZ, path, interface, member, reply, s,
                                     "");
    s->call_pending = r >= 0;
    if (r < 0)
        s->next_attempt = clock_monotonic_seconds() + HR_STRAP_RETRY_SECONDS;
}

/* The next step towards beats arriving. */
static void advance(strap *s)
{
    double now = clock_monotonic_seconds();
    if (s->call_pending || s->notifying || now < s->next_attempt)
        return;
    if (!s->device[0]) {
        if (find_device(s)) {
            advance(s);
            return;
        }
        if (!s->discovering) {
            sd_bus_error error = SD_BUS_ERROR_NULL;
            s->discovering = sd_bus_call_method(s->bus, BLUEZ, s->adapter, ADAPTER_INTERFACE,
                                                "StartDiscovery", &error, NULL, "") >= 0;
            sd_bus_error_free(&error);
        }
        s->next_attempt = now + 1.0;
        return;
    }
    if (!s->connected) {
        call_async(s, s->device, DEVICE_INTERFACE, "Connect", on_connect_reply);
        return;
    }
    if (!s->characteristic[0]) {
        characteristic_search search = { .device = s->device };
        sd_bus_error error = SD_BUS_ERROR_NULL;
        visit_objects(s->bus, &error, consider_characteristic, &search);
        sd_bus_error_free(&error);
        copy_text(s->characteristic, sizeof s->characteristic, search.found);
        if (!s->characteristic[0]) {
            s->next_attempt = now + 0.5;   /* its services are still being resolved */
            return;
        }
    }
    call_async(s, s->characteristic, CHARACTERISTIC_INTERFACE, "StartNotify", on_notify_reply);
}

static void stop_discovering(strap *s)
{
    if (!s->discovering)
        return;
    sd_bus_error error = SD_BUS_ERROR_NULL;
    sd_bus_call_method(s->bus, BLUEZ, s->adapter, ADAPTER_INTERFACE, "StopDiscovery", &error,
                       NULL, "");
    sd_bus_error_free(&error);
    s->discovering = false;
}

static bool stop_asked(strap *s)
{
    struct pollfd wake = { .fd = s->worker.wake, .events = POLLIN };
    return poll(&wake, 1, 0) > 0;
}

static void *run(void *context)
{
    strap *s = context;
    while (!stop_asked(s)) {
        int r;
        while ((r = sd_bus_process(s->bus, NULL)) > 0)
            ;
        if (r < 0) {
            report_warning(s->base.to, NULL, 0, "Bluetooth: lost the connection to BlueZ: %s",
                           strerror(-r));
            lost(s);
            hr_monitor_ended(s->base.monitor);
            return NULL;
        }
        advance(s);
        double now = clock_monotonic_seconds();
        if (s->notifying && !s->silent && now - s->last_beat > HR_STRAP_SILENCE_SECONDS) {
            s->silent = true;
            hr_monitor_connection(s->base.monitor, false, now);
        }
        if (s->device[0] && s->discovering)
            stop_discovering(s);
        uint64_t until;
        int ms = 1000;
        if (sd_bus_get_timeout(s->bus, &until) >= 0 && until != UINT64_MAX) {
            double left = until / 1e6 - clock_monotonic_seconds();
            ms = left <= 0 ? 0 : left < 1.0 ? (int)(left * 1000) + 1 : 1000;
        }
        struct pollfd fds[2] = {
            { .fd = sd_bus_get_fd(s->bus), .events = (short)sd_bus_get_events(s->bus) },
            { .fd = s->worker.wake, .events = POLLIN },
        };
        poll(fds, 2, ms);
    }
    return NULL;
}

static int start(hr_source *base)
{
    strap *s = (strap *)base;
    int r = sd_bus_match_signal(s->bus, &s->signals, BLUEZ, NULL,
                                "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                on_properties_changed, s);
    if (r >= 0)
        r = sd_bus_match_signal(s->bus, &s->removals, BLUEZ, "/",
                                "org.freedesktop.DBus.ObjectManager", "InterfacesRemoved",
                                on_interfaces_removed, s);
    if (r < 0) {
        report_error(base->to, NULL, 0, "Bluetooth: cannot follow BlueZ's signals: %s",
                     strerror(-r));
        return 1;
    }
    int error = hr_worker_start(&s->worker, run, s);
    if (error) {
        report_error(base->to, NULL, 0, "Bluetooth: cannot start: %s", strerror(error));
        return 1;
    }
    return 0;
}

/* Leaves the strap as it was found: notifications off, and disconnected
 * when breathe connected it (a strap takes few connections at once). */
static void let_go(strap *s)
{
    sd_bus_error error = SD_BUS_ERROR_NULL;
    if (s->notifying && s->characteristic[0])
        sd_bus_call_method(s->bus, BLUEZ, s->characteristic, CHARACTERISTIC_INTERFACE,
                           "StopNotify", &error, NULL, "");
    sd_bus_error_free(&error);
    if (s->we_connected && s->connected && s->device[0])
        sd_bus_call_method(s->bus, BLUEZ, s->device, DEVICE_INTERFACE, "Disconnect", &error,
                           NULL, "");
    sd_bus_error_free(&error);
    stop_discovering(s);
}

static void stop(hr_source *base)
{
    strap *s = (strap *)base;
    if (!s->worker.running)
        return;
    hr_worker_stop(&s->worker);
    s->call = sd_bus_slot_unref(s->call);
    let_go(s);
}

static void free_source(hr_source *base)
{
    strap *s = (strap *)base;
    stop(base);
    sd_bus_slot_unref(s->signals);
    sd_bus_slot_unref(s->removals);
    sd_bus_slot_unref(s->call);
    if (s->bus)
        sd_bus_flush_close_unref(s->bus);
    hr_worker_free(&s->worker);
    free(s->wanted);
    free(s);
}

static const hr_source_kind kind = { start, stop, free_source };

int hr_strap_source_open(hr_source **out, const char *wanted, hr_monitor *m,
                         const report_sink *to)
{
    *out = NULL;
    strap *s = calloc(1, sizeof *s);
    if (!s) {
        report_out_of_memory(to);
        return 1;
    }
    s->base = (hr_source){ &kind, m, to };
    int made = hr_worker_init(&s->worker);
    s->wanted = strdup(wanted);
    if (made != 0 || !s->wanted) {
        report_out_of_memory(to);
        free_source(&s->base);
        return 1;
    }
    if (reach_bluez(&s->bus, s->adapter, sizeof s->adapter, to) != 0) {
        free_source(&s->base);
        return 1;
    }
    char description[HR_DESCRIPTION_MAX];
    snprintf(description, sizeof description, "'%s', Bluetooth", wanted);
    hr_monitor_describe(m, description);
    find_device(s);   /* a strap BlueZ knows already is described by its name */
    *out = &s->base;
    return 0;
}
