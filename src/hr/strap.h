/* strap.h: Bluetooth LE heart-rate straps through BlueZ.
 *
 * BlueZ's D-Bus API on the system bus (org.bluez: Adapter1, Device1,
 * GattCharacteristic1), through sd-bus. BREATHE_BLUEZ_BUS_ADDRESS, when
 * set, names another bus to find BlueZ on (a test's private bus).
 * Following a strap while a session plays is a source (source.h); this is
 * what the command line asks of Bluetooth besides. */
#ifndef BREATHE_HR_STRAP_H
#define BREATHE_HR_STRAP_H

#include <stdio.h>

#include "base/report.h"

/* How long --hr-scan listens: BREATHE_HR_SCAN_SECONDS (1 to 120) or this. */
enum { HR_SCAN_SECONDS = 10 };
int hr_scan_seconds(void);

/* --hr-scan: discovers for `seconds` and prints each device in range that
 * offers the Heart Rate Service, a line each: address, name and signal
 * strength, separated by tabs ("A0:9E:1A:12:34:56\tPolar H10 1A2B3C4D\t-62 dBm").
 * Returns the number printed, or -1 (reported) when Bluetooth cannot be
 * reached: no system bus, no BlueZ, no adapter. */
int hr_scan(FILE *out, int seconds, const report_sink *to);

#endif
