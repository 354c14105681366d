/* flood: calls a method of breathe --serve many times at once, as a
 * client gone wild would, on the session bus of DBUS_SESSION_BUS_ADDRESS.
 *
 *   flood METHOD COUNT [--vanish]
 *
 * Up to 64 calls are in flight at a time; each must be answered (an error
 * reply counts as an answer) within 30 s in all. With --vanish it sends
 * COUNT calls and exits without waiting for any answer. Prints how long it
 * took; exits 0 when every call was answered, 1 otherwise. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-bus.h>

enum { IN_FLIGHT = 64 };

static int answered, failed;

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    (void)userdata;
    (void)error;
    answered++;
    if (sd_bus_message_is_method_error(m, NULL))
        failed++;
    return 0;
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: flood METHOD COUNT [--vanish]\n");
        return 2;
    }
    const char *method = argv[1];
    int count = atoi(argv[2]);
    int vanish = argc > 3 && strcmp(argv[3], "--vanish") == 0;
    sd_bus *bus = NULL;
    if (sd_bus_open_user(&bus) < 0) {
        fprintf(stderr, "flood: no session bus\n");
        return 1;
    }
    double start = now_seconds();
    int sent = 0;
    while ((vanish ? sent < count : answered < count) && now_seconds() - start < 30.0) {
        while (sent < count && (vanish || sent - answered < IN_FLIGHT)) {
            if (sd_bus_call_method_async(bus, NULL, "org.mpris.MediaPlayer2.breathe",
                                         "/org/mpris/MediaPlayer2",
                                         "org.mpris.MediaPlayer2.Player", method, on_reply,
                                         NULL, "") < 0) {
                fprintf(stderr, "flood: cannot send call %d\n", sent);
                sd_bus_unref(bus);
                return 1;
            }
            sent++;
        }
        if (vanish) {
            sd_bus_flush(bus);
            break;
        }
        if (sd_bus_process(bus, NULL) == 0)
            sd_bus_wait(bus, 100000);
    }
    double took = now_seconds() - start;
    if (vanish) {
        printf("flood: sent %d %s calls and left\n", sent, method);
        sd_bus_close(bus);
        sd_bus_unref(bus);
        return 0;
    }
    printf("flood: %d %s calls answered (%d errors) in %.2f s\n", answered, method, failed, took);
    sd_bus_flush_close_unref(bus);
    return answered == count && failed == 0 ? 0 : 1;
}
