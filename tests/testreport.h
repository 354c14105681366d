/* testreport.h: report sinks for tests.
 *
 * REPORT_TO_STDERR: errors and warnings on stderr as the command line
 * prints them, for tests that expect none and show any they get.
 * REPORT_TO(stream): the same on another stream (an open_memstream() whose
 * text a test compares).
 * REPORT_TO_BUFFER(&buffer): collected in a report_buffer, for tests that
 * check the exact text (buffer.text, NULL until something is reported) and
 * how many errors and warnings there were. Each lives as long as the block
 * it is written in. */
#ifndef BREATHE_TESTREPORT_H
#define BREATHE_TESTREPORT_H

#include <stdio.h>

#include "base/report.h"

#define REPORT_TO(stream) REPORT_TO_STREAM(&(report_stream){ (stream), "breathe" })
#define REPORT_TO_STDERR REPORT_TO(stderr)
#define REPORT_TO_BUFFER(buffer) (&(report_sink){ report_buffer_emit, (buffer) })

#endif
