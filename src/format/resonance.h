/* resonance.h: breathe steps paced at the person's resonance rate.
 *
 * A breathe step may say pattern = "resonance" (docs/session-format.md):
 * it breathes in for 40 % and out for 60 % of a breath at the rate the
 * person measured with `breathe --analyze RECORDING --save`. That rate is
 * the person's state, which this layer does not read: session_load() paces
 * such steps at SESSION_RESONANCE_FALLBACK_RATE, and the playback library
 * (play/library.h) puts the saved rate in with session_set_resonance_rate()
 * before the timeline is built. */
#ifndef BREATHE_FORMAT_RESONANCE_H
#define BREATHE_FORMAT_RESONANCE_H

#include "format/session.h"

#define SESSION_RESONANCE_PATTERN "resonance"
#define SESSION_RESONANCE_FALLBACK_RATE 6.0   /* breaths a minute, with none saved */
#define SESSION_RESONANCE_INHALE_SHARE 0.4

/* An in-breath of 40 % and an out-breath of 60 % of 60 / rate seconds. */
void session_resonance_pattern(breath_pattern *pattern, double rate);

/* Paces every resonance step of s (inside repeats too) at rate. */
void session_set_resonance_rate(session *s, double rate);

/* The first resonance step of s in the order of the file, or NULL. */
const session_step *session_first_resonance_step(const session *s);

#endif
