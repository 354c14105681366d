// breathe's web remote: the sessions, the controls and the breath as the
// service plays it. Everything comes from the service's own JSON API and
// its event stream (docs/web-api.md); nothing is loaded from elsewhere.
"use strict";

const PHASE_WORDS = { inhale: "In", hold: "Hold", exhale: "Out", hold_out: "Hold" };
const VOLUME_STEP_DB = 3;
const VOLUME_MIN_DB = -40;
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

const $ = (id) => document.getElementById(id);
let token = null;
let state = { loaded: false, paused: false, volume_db: 0 };
let animatedPhase = null;   // the phase the shape is moving through
let announcedPhase = null;  // the phase the live region last said

// One phase of one session, the same whichever message reports it: its
// kind and where it ends (position plus the seconds left, within 0.3 s).
function samePhase(a, b) {
  return a && b && a.session === b.session && a.phase === b.phase &&
         Math.abs(a.end - b.end) < 0.3;
}

function phaseOf(s) {
  return s.loaded && s.phase ? { session: s.session, phase: s.phase,
                                 end: s.position + s.phase_seconds_left } : null;
}

// ---- the token: the link's #token=..., kept in this browser ----

function takeToken() {
  const match = /(?:^#|&)token=([0-9a-f]{64})/.exec(location.hash);
  if (match) {
    try { localStorage.setItem("breathe-token", match[1]); } catch (e) { /* private mode */ }
    token = match[1];
    history.replaceState(null, "", location.pathname);   // not left in the address bar
    return;
  }
  try { token = localStorage.getItem("breathe-token"); } catch (e) { token = null; }
}

function headers(more) {
  const h = Object.assign({}, more);
  if (token) h.Authorization = "Bearer " + token;
  return h;
}

function refused(response) {
  if (response.status === 401) {
    $("token-needed").hidden = false;
    $("connection").textContent = "Not let in";
    return true;
  }
  return false;
}

async function getJson(path) {
  const response = await fetch(path, { headers: headers(), cache: "no-store" });
  if (refused(response)) throw new Error("the token is needed");
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

async function post(path, fields) {
  $("error").textContent = "";
  try {
    const response = await fetch(path, {
      method: "POST",
      headers: headers({ "Content-Type": "application/x-www-form-urlencoded" }),
      body: new URLSearchParams(fields || {}).toString(),
    });
    if (refused(response)) return;
    const body = await response.json();
    if (!response.ok) {
      $("error").textContent = body.error || response.statusText;
      return;
    }
    show(body, null);
  } catch (e) {
    $("error").textContent = "The service did not answer: " + e.message;
  }
}

// ---- showing the state ----

function clock(seconds) {
  if (seconds == null || !isFinite(seconds)) return "∞";
  const s = Math.max(0, Math.round(seconds));
  return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
}

function scaleFor(fullness) {
  return 0.35 + 0.65 * Math.min(1, Math.max(0, fullness));
}

// The shape moves to where this phase ends, over the seconds left in it,
// from the service's own phase event; positions do not restart it.
function moveShape(s) {
  const shape = $("shape");
  const phase = phaseOf(s);
  if (!phase || s.paused) {
    shape.style.transitionDuration = "0s";
    shape.style.transform = "scale(" + scaleFor(s.loaded && s.phase ? s.fullness : 0) + ")";
    animatedPhase = null;
    return;
  }
  if (samePhase(phase, animatedPhase)) return;
  animatedPhase = phase;
  const target = s.phase === "inhale" ? 1 : s.phase === "exhale" ? 0 : s.fullness;
  shape.style.transitionDuration = "0s";
  shape.style.transform = "scale(" + scaleFor(s.fullness) + ")";
  void shape.offsetWidth;   // the start of the transition, then its end
  shape.style.transitionDuration = (reducedMotion.matches ? 0 : s.phase_seconds_left) + "s";
  shape.style.transform = "scale(" + scaleFor(target) + ")";
}

// The heart rate from a chest strap, as the terminal's status line has it.
function showHeart(heart) {
  $("heart").hidden = !heart;
  if (!heart) return;
  if (!heart.connected || heart.rate === null) {
    $("heart").textContent = "Heart rate: waiting for the strap";
  } else {
    $("heart").textContent = "Heart rate " + heart.rate +
      (heart.swing === null ? "" : ", swing " + heart.swing + " in the last breath");
  }
}

function show(s, kind) {
  const wasLoaded = state.loaded;
  state = s;
  $("connection").textContent = s.loaded ? (s.paused ? "Paused" : "Playing") : "Ready";
  $("now-session").textContent = s.loaded ? s.title : "Nothing is playing.";
  const word = s.loaded && s.phase ? PHASE_WORDS[s.phase] || s.phase : "";
  $("phase-word").textContent = word;
  $("countdown").textContent = s.loaded && s.phase ? Math.ceil(s.phase_seconds_left) : "";
  // A screen reader hears each phase once, whichever message shows it first.
  const phase = phaseOf(s);
  if (phase && !samePhase(phase, announcedPhase)) {
    announcedPhase = phase;
    $("announce").textContent = word;
  }
  $("fullness-fill").style.width = (s.loaded && s.phase ? s.fullness * 100 : 0) + "%";
  moveShape(s);
  $("step").textContent = s.loaded && s.step ? s.step.label : "";
  const progress = s.loaded && s.length ? Math.min(100, 100 * s.position / s.length) : 0;
  $("progress-fill").style.width = progress + "%";
  $("progress").setAttribute("aria-valuenow", String(Math.round(progress)));
  $("times").textContent = s.loaded ? clock(s.position) + " / " + clock(s.length) : "";
  showHeart(s.loaded ? s.heart : null);
  $("pause").disabled = !s.loaded;
  $("pause").hidden = s.loaded && s.paused;
  $("resume").hidden = !(s.loaded && s.paused);
  $("resume").disabled = !s.loaded;
  $("next").disabled = !s.loaded;
  $("stop").disabled = !s.loaded;
  $("volume").textContent = "Volume " + Math.round(s.volume_db) + " dB";
  // The history line is written once the session's sound has ended: the
  // service says so with a state event, and the stats are read again.
  if (!s.loaded && (wasLoaded || kind === "state")) loadStats().catch(() => {});
}

// ---- the event stream: text/event-stream read through fetch, so that
// the token goes in a header (EventSource cannot send one) ----

async function follow() {
  for (;;) {
    try {
      const response = await fetch("api/events", { headers: headers(), cache: "no-store" });
      if (refused(response)) return;
      if (!response.ok || !response.body) throw new Error(response.statusText);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let pending = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        pending += value;
        let end;
        while ((end = pending.indexOf("\n\n")) >= 0) {
          const block = pending.slice(0, end);
          pending = pending.slice(end + 2);
          let kind = "message", data = "";
          for (const line of block.split("\n")) {
            if (line.startsWith("event: ")) kind = line.slice(7);
            else if (line.startsWith("data: ")) data += line.slice(6);
          }
          if (data) show(JSON.parse(data), kind);
        }
      }
    } catch (e) {
      $("connection").textContent = "Reconnecting…";
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

// ---- sessions, stats, safety ----

async function loadSessions() {
  const list = $("sessions");
  const { sessions } = await getJson("api/sessions");
  list.replaceChildren();
  for (const s of sessions) {
    const item = document.createElement("li");
    const title = document.createElement("h3");
    title.textContent = s.title + (s.length != null ? " · " + clock(s.length) : "");
    item.append(title);
    if (s.description) {
      const p = document.createElement("p");
      p.textContent = s.description;
      item.append(p);
    }
    if (s.caution) {
      const p = document.createElement("p");
      p.className = "caution";
      p.textContent = s.caution;
      item.append(p);
    }
    const start = document.createElement("button");
    start.type = "button";
    start.textContent = "Start";
    start.setAttribute("aria-label", "Start " + s.title);
    start.dataset.session = s.name;
    start.disabled = Boolean(s.broken);
    start.addEventListener("click", () => post("api/play", { name: s.name }));
    item.append(start);
    list.append(item);
  }
}

let statsAsked = 0;

async function loadStats() {
  const asked = ++statsAsked;
  const stats = await getJson("api/stats");
  if (asked !== statsAsked) return;   // a later answer is on its way
  const minutes = Math.round(stats.week.seconds / 60);
  $("stats-summary").textContent =
    "This week: " + stats.week.sessions + (stats.week.sessions === 1 ? " session, " : " sessions, ") +
    minutes + (minutes === 1 ? " minute" : " minutes") + ". Streak: " + stats.streak.current +
    (stats.streak.current === 1 ? " day" : " days") + " (longest " + stats.streak.longest + ").";
  const most = Math.max(60, ...stats.days.map((d) => d.seconds));
  const days = $("days");
  days.replaceChildren();
  for (const d of stats.days) {
    const bar = document.createElement("li");
    const m = Math.round(d.seconds / 60);
    bar.setAttribute("aria-label", d.date + ": " + d.sessions + " sessions, " + m + " minutes");
    bar.title = d.date + ": " + m + " min";
    bar.className = d.seconds > 0 ? "" : "none";
    bar.style.height = Math.max(2, 100 * d.seconds / most) + "%";
    days.append(bar);
  }
}

async function loadSafety() {
  const { text } = await getJson("api/safety");
  $("safety").textContent = text;
}

// ---- the controls ----

function wire() {
  $("pause").addEventListener("click", () => post("api/pause"));
  $("resume").addEventListener("click", () => post("api/resume"));
  $("next").addEventListener("click", () => post("api/next"));
  $("stop").addEventListener("click", () => post("api/stop"));
  $("volume-down").addEventListener("click", () =>
    post("api/volume", { db: Math.max(VOLUME_MIN_DB, state.volume_db - VOLUME_STEP_DB) }));
  $("volume-up").addEventListener("click", () =>
    post("api/volume", { db: Math.min(0, state.volume_db + VOLUME_STEP_DB) }));
  reducedMotion.addEventListener("change", () => { animatedPhase = null; show(state, null); });
}

async function start() {
  takeToken();
  wire();
  try {
    await Promise.all([loadSessions(), loadStats(), loadSafety()]);
  } catch (e) {
    if (!$("token-needed").hidden) return;
    $("error").textContent = "The service did not answer: " + e.message;
  }
  follow();
}

start();
