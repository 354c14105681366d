// The web remote in a real browser: Debian's Chromium, headless, driven
// over the DevTools protocol through --remote-debugging-pipe (JSON messages
// ended by NUL on file descriptors 3 and 4: no port, no library).
//
// Run by run-web-test's browser mode with the service on 127.0.0.1 asking
// for its token, the null sink recording. Environment:
//   BREATHE_WEB_BASE       http://127.0.0.1:PORT
//   BREATHE_WEB_LINK       the link with the token, as breathe printed it
//   BREATHE_WEB_CAPTURE    the recording (float32 stereo 48 kHz) being made
//   BREATHE_WEB_ARTIFACTS  where the screenshots go
// Checks: refused without the token and let in by the link; the sessions
// listed; start; each phase word shown when the recording says that phase
// began; the live region says each phase once; pause and resume; volume
// from the keyboard; stop and the stats; reduced motion; every button named.
// Exits 1 with the first thing that was wrong.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, openSync, readSync, fstatSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const base = process.env.BREATHE_WEB_BASE;
const link = process.env.BREATHE_WEB_LINK;
const capture = process.env.BREATHE_WEB_CAPTURE;
const artifacts = process.env.BREATHE_WEB_ARTIFACTS;
const RATE = 48000, FRAME_BYTES = 8;
const TOLERANCE_SECONDS = 0.5;   // a loaded machine: event, page and recorder

function fail(message) {
  console.log("FAIL: " + message);
  cleanup();
  process.exit(1);
}

// ---- Chromium and the protocol ----

const profile = mkdtempSync(join(tmpdir(), "breathe-chromium-"));
const chromium = spawn("chromium", [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  "--disable-extensions", "--mute-audio", "--remote-debugging-pipe",
  "--user-data-dir=" + profile, "about:blank",
], { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] });
let chromiumLog = "";
chromium.stderr.on("data", (d) => { chromiumLog = (chromiumLog + d).slice(-4000); });

function cleanup() {
  try { chromium.kill("SIGKILL"); } catch (e) { /* gone */ }
  try { rmSync(profile, { recursive: true, force: true }); } catch (e) { /* kept */ }
}
const watchdog = setTimeout(() => fail("the browser test took over 50 s"), 50000);

let nextId = 1;
const waiting = new Map();
const listeners = [];
let received = Buffer.alloc(0);
chromium.stdio[4].on("data", (chunk) => {
  received = Buffer.concat([received, chunk]);
  let end;
  while ((end = received.indexOf(0)) >= 0) {
    const message = JSON.parse(received.subarray(0, end).toString("utf8"));
    received = received.subarray(end + 1);
    if (message.id && waiting.has(message.id)) {
      const { resolve, reject, method } = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.error) reject(new Error(method + ": " + message.error.message));
      else resolve(message.result);
    } else if (message.method) {
      for (const l of listeners) l(message);
    }
  }
});
chromium.on("exit", (code) => { if (waiting.size) fail("Chromium exited (" + code + "): " + chromiumLog); });

function send(method, params = {}, sessionId) {
  const id = nextId++;
  const message = { id, method, params };
  if (sessionId) message.sessionId = sessionId;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject, method });
    chromium.stdio[3].write(JSON.stringify(message) + "\0");
  });
}

let session;
const page = (method, params) => send(method, params, session);

async function evaluate(expression) {
  const r = await page("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true });
  if (r.exceptionDetails) throw new Error(expression + ": " + JSON.stringify(r.exceptionDetails));
  return r.result.value;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(expression, what, seconds = 5) {
  for (let i = 0; i < seconds * 20; i++) {
    if (await evaluate(expression)) return true;
    await sleep(50);
  }
  fail(what + " (waited " + seconds + " s for " + expression + ")");
}

async function navigate(url) {
  const loaded = new Promise((resolve) => listeners.push((m) => {
    if (m.method === "Page.loadEventFired" && m.sessionId === session) resolve();
  }));
  await page("Page.navigate", { url });
  await loaded;
}

async function screenshot(name, width, height, mobile) {
  await page("Emulation.setDeviceMetricsOverride",
             { width, height, deviceScaleFactor: mobile ? 2 : 1, mobile });
  await sleep(300);
  const { data } = await page("Page.captureScreenshot", { format: "png" });
  writeFileSync(join(artifacts, name + ".png"), Buffer.from(data, "base64"));
  console.log("screenshot " + join(artifacts, name + ".png"));
}

function captureFrames() {
  const fd = openSync(capture, "r");
  const frames = Math.floor(fstatSync(fd).size / FRAME_BYTES);
  closeSync(fd);
  return frames;
}

// The first frame at or after `from` that is not silent.
function firstSound(from) {
  const fd = openSync(capture, "r");
  const block = Buffer.alloc(RATE * FRAME_BYTES);
  let frame = from;
  for (;;) {
    const got = readSync(fd, block, 0, block.length, frame * FRAME_BYTES);
    if (got < FRAME_BYTES) break;
    for (let i = 0; i + 4 <= got; i += 4) {
      if (Math.abs(block.readFloatLE(i)) > 1e-4) {
        closeSync(fd);
        return frame + Math.floor(i / FRAME_BYTES);
      }
    }
    frame += Math.floor(got / FRAME_BYTES);
  }
  closeSync(fd);
  return -1;
}

// ---- the test ----

async function main() {
  await send("Target.setDiscoverTargets", { discover: true });
  const { targetInfos } = await send("Target.getTargets");
  const target = targetInfos.find((t) => t.type === "page");
  if (!target) fail("Chromium has no page");
  ({ sessionId: session } = await send("Target.attachToTarget", { targetId: target.targetId, flatten: true }));
  await page("Page.enable");
  await page("Runtime.enable");
  await page("Emulation.setDeviceMetricsOverride", { width: 390, height: 844, deviceScaleFactor: 2, mobile: true });

  // Without the token: the page says it needs its link, lists nothing.
  await navigate(base + "/");
  await waitFor("!document.getElementById('token-needed').hidden", "the page did not ask for its link");
  if (await evaluate("document.querySelectorAll('#sessions li').length") !== 0)
    fail("sessions were listed without the token");
  await screenshot("phone-no-token", 390, 844, true);

  // The link lets it in, and leaves no token in the address. (From another
  // page: a change of the fragment alone would not load the page again.)
  await navigate("about:blank");
  await navigate(link);
  await waitFor("document.querySelectorAll('#sessions li').length > 0", "no sessions with the link");
  if (!await evaluate("document.getElementById('token-needed').hidden")) fail("still asks for the link");
  if (await evaluate("location.hash") !== "") fail("the token stays in the address: " + await evaluate("location.href"));
  if (!/^[0-9a-f]{64}$/.test(await evaluate("localStorage.getItem('breathe-token')") || ""))
    fail("the token was not kept");
  // A reload without the link: still in.
  await navigate(base + "/");
  await waitFor("document.querySelectorAll('#sessions li').length > 0", "not let in again after a reload");
  await waitFor("document.getElementById('connection').textContent === 'Ready'", "the stream did not begin");

  // Every button has a name; the live region is there.
  const unnamed = await evaluate(`[...document.querySelectorAll('button')]
      .filter(b => !(b.getAttribute('aria-label') || b.textContent.trim())).length`);
  if (unnamed) fail(unnamed + " buttons without a name");
  if (await evaluate("document.getElementById('announce').getAttribute('aria-live')") !== "polite")
    fail("no polite live region");
  const listed = await evaluate(`[...document.querySelectorAll('#sessions li')].find(li =>
      li.querySelector('[data-session="web-test"]'))?.textContent`);
  for (const text of ["Web test", "0:30", "Three steps to follow", "Only a test"])
    if (!listed || !listed.includes(text)) fail("web-test is listed as '" + listed + "', without " + text);

  // Each phase word as it is shown, and what the live region says.
  await evaluate(`window.seen = []; window.said = [];
    new MutationObserver(() => seen.push([Date.now(), document.getElementById('phase-word').textContent]))
      .observe(document.getElementById('phase-word'), { childList: true, characterData: true, subtree: true });
    new MutationObserver(() => said.push(document.getElementById('announce').textContent))
      .observe(document.getElementById('announce'), { childList: true, characterData: true, subtree: true });
    true`);
  const before = captureFrames();
  const clickedAt = Date.now();
  await evaluate("document.querySelector('[data-session=\"web-test\"]').click(), true");
  await waitFor("document.getElementById('now-session').textContent === 'Web test'", "the session did not start");
  await sleep(5000);   // In 0-2, Out 2-4, In 4-6 s

  // The recording says when the sound began; the 2-2 breaths change every 2 s.
  const start = firstSound(before);
  if (start < 0) fail("the recording has no sound");
  const soundAt = clickedAt + (start - before) / RATE * 1000;
  const seen = (await evaluate("window.seen")).filter(([, word]) => word);
  const changes = seen.filter(([, word], i) => i === 0 || word !== seen[i - 1][1]);
  console.log("sound began " + (soundAt - clickedAt).toFixed(0) + " ms after the click; phase words at " +
              changes.map(([t, w]) => w + " " + ((t - soundAt) / 1000).toFixed(2) + " s").join(", "));
  // The first word comes with the session's start, when the output opens,
  // before its sound has come through the output's buffer; each change
  // after it comes when that phase is heard.
  const expected = [["In", 0], ["Out", 2], ["In", 4]];
  if (changes.length < expected.length) fail("only " + changes.length + " phase words in 5 s");
  expected.forEach(([word, at], i) => {
    const [time, shown] = changes[i];
    if (shown !== word) fail("phase " + i + " is " + shown + ", not " + word);
    const off = (time - soundAt) / 1000 - at;
    if (i === 0 ? time < clickedAt || off > TOLERANCE_SECONDS : Math.abs(off) > TOLERANCE_SECONDS)
      fail(word + " shown " + off.toFixed(2) + " s from where the recording has it (" + at + " s)");
  });
  const said = (await evaluate("window.said")).filter((w) => w);
  const saidChanges = said.filter((w, i) => i === 0 || w !== said[i - 1]);
  if (said.length !== saidChanges.length || said.length < 3)
    fail("the live region said " + JSON.stringify(said) + ", not each phase once");
  // Reduced motion: words and a bar, no moving shape.
  await page("Emulation.setEmulatedMedia", { features: [{ name: "prefers-reduced-motion", value: "reduce" }] });
  await sleep(300);
  const reduced = await evaluate(`({ breath: getComputedStyle(document.getElementById('breath')).display,
      bar: getComputedStyle(document.getElementById('fullness-bar')).display,
      moving: getComputedStyle(document.getElementById('shape')).transitionDuration,
      word: document.getElementById('phase-word').textContent })`);
  if (reduced.breath !== "none" || reduced.bar === "none" || !reduced.word || reduced.moving !== "0s")
    fail("reduced motion shows " + JSON.stringify(reduced));
  await screenshot("phone-reduced-motion", 390, 844, true);
  await page("Emulation.setEmulatedMedia", { features: [] });

  await screenshot("phone-playing", 390, 844, true);
  await screenshot("desktop-playing", 1280, 900, false);
  await page("Emulation.setEmulatedMedia", { features: [{ name: "prefers-color-scheme", value: "dark" }] });
  await screenshot("phone-playing-dark", 390, 844, true);
  await page("Emulation.setEmulatedMedia", { features: [] });

  // Pause and resume.
  await evaluate("document.getElementById('pause').click(), true");
  await waitFor("document.getElementById('connection').textContent === 'Paused'", "pause did not show");
  if (!await evaluate("!document.getElementById('resume').hidden")) fail("no resume button when paused");
  const held = await evaluate("document.getElementById('times').textContent");
  await sleep(1200);
  if (await evaluate("document.getElementById('times').textContent") !== held) fail("the time moved while paused");
  await evaluate("document.getElementById('resume').click(), true");
  await waitFor("document.getElementById('connection').textContent === 'Playing'", "resume did not show");

  // Volume from the keyboard: the focused button and Enter.
  await evaluate("document.getElementById('volume-down').focus(), true");
  await page("Input.dispatchKeyEvent", { type: "keyDown", key: "Enter", code: "Enter", windowsVirtualKeyCode: 13, text: "\r" });
  await page("Input.dispatchKeyEvent", { type: "keyUp", key: "Enter", code: "Enter", windowsVirtualKeyCode: 13 });
  await waitFor("document.getElementById('volume').textContent === 'Volume -3 dB'", "Enter on volume down did nothing");
  const apiVolume = await evaluate(`fetch('api/state', { headers: { Authorization: 'Bearer ' +
      localStorage.getItem('breathe-token') } }).then(r => r.json()).then(s => s.volume_db)`);
  if (apiVolume !== -3) fail("the service's volume is " + apiVolume + " dB, not -3");

  // Stop: nothing plays, and the practice counts it.
  await evaluate(`window.fetched = []; const realFetch = window.fetch;
    window.fetch = (url, o) => { fetched.push([Date.now(), String(url)]); return realFetch(url, o); }; true`);
  await evaluate("document.getElementById('stop').click(), true");
  await waitFor("document.getElementById('now-session').textContent === 'Nothing is playing.'", "stop did not show");
  for (let i = 0; i < 160; i++) {
    if ((await evaluate("document.getElementById('stats-summary').textContent")).startsWith("This week: 1 session"))
      break;
    await sleep(50);
  }
  if (!(await evaluate("document.getElementById('stats-summary').textContent")).startsWith("This week: 1 session"))
    fail("the stats say '" + await evaluate("document.getElementById('stats-summary').textContent") + "'; fetched " +
         JSON.stringify(await evaluate("window.fetched")) + "; the service: " +
         JSON.stringify(await evaluate(`fetch('api/stats', { headers: { Authorization: 'Bearer ' +
             localStorage.getItem('breathe-token') } }).then(r => r.json()).then(s => [s.week, s.total])`)));
  if (await evaluate("document.querySelectorAll('#days li').length") !== 14) fail("not 14 days drawn");
  await evaluate("document.querySelector('details').open = true, true");
  await waitFor("document.getElementById('safety').textContent.includes('Get medical help straight away')",
                "no safety text");
  await screenshot("phone-stopped", 390, 844, true);
  await screenshot("desktop-stopped", 1280, 900, false);
  console.log("PASS: the page in Chromium");
}

main().then(() => { clearTimeout(watchdog); cleanup(); process.exit(0); },
            (e) => fail(e.stack || String(e)));
