"""Heart-rate recordings generated with known truth, for the hrv tests
(the standard library only, so the command-line tests need nothing more).

A protocol is a list of (seconds, breaths a minute or None); the heart
period follows the paced breath as a sinusoid whose peak-to-peak size
(ms) is swing_of(rate), with Gaussian noise. write() puts the beats in
the recording format of docs/hrv.md; artefacts can be put in afterwards.
"""
import math
import random

HEADER = "t\trr_raw_ms\trr_ms\tbpm\tartefact"


def resonance_curve(peak_rate, peak_swing=140.0, floor=50.0, width=0.55):
    """Swing (ms, peak to peak) as a function of the paced rate, largest at peak_rate."""
    return lambda rate: floor + (peak_swing - floor) * math.exp(-((rate - peak_rate) / width) ** 2)


def generate(protocol, swing_of, mean_ms=900.0, noise_ms=8.0, seed=1):
    """Beats as (t, rr_ms, bpm) with the truth: rr is the heart's own interval."""
    rng = random.Random(seed)
    beats = []
    t = 0.0
    segment_start = 0.0
    for seconds, rate in protocol:
        end = segment_start + seconds
        while True:
            if rate:
                swing = swing_of(rate)
                phase = 2 * math.pi * rate / 60.0
                rr = mean_ms
                for _ in range(4):
                    rr = mean_ms + swing / 2 * math.sin(phase * (t + rr / 1000.0 - segment_start))
            else:
                rr = mean_ms + 15.0 * math.sin(2 * math.pi * 0.23 * t)
            rr += noise_ms * rng.gauss(0.0, 1.0)
            if t + rr / 1000.0 > end:
                break
            t += rr / 1000.0
            beats.append((t, rr, rate))
        segment_start = end
    return beats


def write(path, beats, raw=None, gaps=(), session="resonance-assessment"):
    """The recording; raw (same length) replaces rr_raw_ms where the strap erred;
    gaps are times at which a dropout row is written."""
    raw = raw if raw is not None else [b[1] for b in beats]
    rows = [(b[0], "%.1f" % r, "%.1f" % r, "" if not b[2] else "%g" % b[2], "")
            for b, r in zip(beats, raw)]
    for g in gaps:
        rows.append((g, "", "", "", "gap"))
    rows.sort(key=lambda row: row[0])
    with open(path, "w", encoding="utf-8") as f:
        f.write("# breathe heart-rate recording 1\n")
        f.write("# session: %s\n# started: 2026-12-20T07:30:00+01:00\n# source: generated\n" % session)
        f.write(HEADER + "\n")
        for row in rows:
            f.write("%.3f\t%s\t%s\t%s\t%s\n" % row)


ASSESSMENT = [(60, None)] + [x for rate in (6.5, 6.0, 5.5, 5.0, 4.5)
                             for x in ((120, rate), (20, None))]
