/* userconfig.h: the defaults a person keeps between runs.
 *
 * A libconfig file, by default $XDG_CONFIG_HOME/breathe/config (or
 * ~/.config/breathe/config), with any of:
 *
 *   device  = "pulse";          # -d, --device
 *   volume  = -6.0;             # --volume, in dB
 *   latency = 0.5;              # --latency, live output buffer in seconds
 *   quiet   = true;             # -q, --quiet
 *   session = "box-breathing";  # played when no session is given
 *   history = false;            # do not record live sessions
 *   hr_device = "Polar H10";    # --hr: a heart-rate strap (name or address),
 *                               # or a file or pipe of RR intervals
 *   listen  = "0.0.0.0:8089";   # --serve also serves the web remote here (--listen)
 *   web_token = true;           # the web remote asks for its token even on loopback
 *   web_hosts = [ "pi.example.org" ];  # more names the web remote answers to
 *
 * Options on the command line override these. A missing file means no
 * defaults; any problem in the file is reported as an error at FILE:LINE
 * (the command line prints "FILE:LINE: message") and the load fails (the
 * program exits 2), so a typo never goes unnoticed.
 * Every message is listed at the top of userconfig.c. */
#ifndef BREATHE_USERCONFIG_H
#define BREATHE_USERCONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "base/report.h"

/* The live output buffer one may ask for (--latency, latency = ...). */
#define LATENCY_MIN_SECONDS 0.01
#define LATENCY_MAX_SECONDS 2.0

typedef struct {
    char *device;          /* NULL: the system's default output */
    char *session;         /* NULL: none; a session must be given */
    double volume_db;      /* 0 when not set */
    double latency_seconds; /* 0 when not set: the output's default */
    bool quiet;
    bool history;          /* true unless the file says history = false */
    char *hr_device;       /* NULL: no heart-rate source while playing */
    char *path;            /* the file read; NULL when there was none */
    char *listen;          /* NULL: --serve serves no web remote unless --listen */
    bool web_token;        /* ask for the token even on a loopback address */
    char **web_hosts;      /* web_host_count names a Host header may carry */
    size_t web_host_count;
} userconfig;

/* The file's path from the values of XDG_CONFIG_HOME and HOME (either may
 * be NULL or empty). A new string, or NULL when neither is set. */
char *userconfig_path(const char *xdg_config_home, const char *home);

/* Reads path into config (defaults when the file does not exist). Returns
 * 0; 1 when out of memory; 2 when the file cannot be read or has a problem.
 * Either failure is reported to `report` (NULL: not reported). */
int userconfig_load(const char *path, userconfig *config, const report_sink *report);

void userconfig_free(userconfig *config);

#endif
