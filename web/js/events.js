// events: the signed-in user's event stream, GET /api/events (Server-Sent
// Events). It is read with fetch so that the access token travels in the
// Authorization header, never in a URL (EventSource cannot send headers).
//
// One stream per tab, kept open while someone is signed in. Pages listen
// with on(type, fn) for "message" and "group" (the server's events),
// "live" (the stream is up: whatever was missed while it was down has been
// replayed, or a "resync" follows) and "resync" (missed events are no
// longer known: reload what is shown). isLive() tells pages whether they
// need to poll: they poll only while the stream is down.
//
// Reconnects resume with Last-Event-ID. The server ends a stream when its
// token expires; the next one is opened with the token in use by then
// (session.js renews tokens before they expire).
import { getToken, isSignedIn } from "./session.js";

const RETRY_MS = 2000;

const listeners = new Map(); // type -> Set of functions
let live = false;
let lastId = null;
let running = null; // {controller} of the connection loop
let expired = false; // the server said the token expired: reconnect at once

export function isLive() {
  return live;
}

/** Calls fn(data) for each event of a type; returns a function that stops it. */
export function on(type, fn) {
  if (!listeners.has(type)) listeners.set(type, new Set());
  listeners.get(type).add(fn);
  return () => listeners.get(type).delete(fn);
}

function emit(type, data) {
  for (const fn of listeners.get(type) || []) {
    try { fn(data); } catch (err) { console.error(err); }
  }
}

function setLive(value) {
  if (live === value) return;
  live = value;
  emit(value ? "live" : "down", null);
}

/** Dispatches one parsed event ({event, id, data}). */
function dispatch(ev) {
  if (ev.id !== undefined) lastId = ev.id;
  const type = ev.event || "message";
  if (type === "ready") {
    setLive(true);
    return;
  }
  if (type === "expired") {
    expired = true; // the server ends the stream next
    return;
  }
  let data = null;
  try { data = ev.data ? JSON.parse(ev.data) : null; } catch { return; }
  emit(type, data);
}

/** Reads one response body as an event stream until it ends. */
async function readStream(body, signal) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let ev = {};
  signal.addEventListener("abort", () => reader.cancel().catch(() => {}));
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    text += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = text.search(/\r?\n/)) >= 0) {
      const line = text.slice(0, nl);
      text = text.slice(nl + (text[nl] === "\r" ? 2 : 1));
      if (line === "") {
        if (Object.keys(ev).length) dispatch(ev);
        ev = {};
      } else if (!line.startsWith(":")) {
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "data") ev.data = ev.data === undefined ? value : `${ev.data}\n${value}`;
        else if (field === "event" || field === "id") ev[field] = value;
      }
    }
  }
}

const pause = (ms, signal) => new Promise((resolve) => {
  const id = setTimeout(resolve, ms);
  signal.addEventListener("abort", () => { clearTimeout(id); resolve(); });
});

async function loop(signal) {
  while (!signal.aborted && isSignedIn()) {
    const headers = { Accept: "text/event-stream", Authorization: `Bearer ${getToken()}` };
    if (lastId !== null) headers["Last-Event-ID"] = lastId;
    try {
      const res = await fetch("/api/events", { headers, signal, cache: "no-store" });
      if (res.ok && res.body) await readStream(res.body, signal);
    } catch { /* network trouble: retry below */ }
    setLive(false);
    if (!signal.aborted && !expired) await pause(RETRY_MS, signal);
    expired = false;
  }
  if (running?.controller.signal === signal) running = null;
}

/** Opens the stream if it is not open (idempotent). */
export function start() {
  if (running || !isSignedIn()) return;
  const controller = new AbortController();
  running = { controller };
  loop(controller.signal);
}

/** Closes the stream (sign-out). */
export function stop() {
  if (!running) return;
  running.controller.abort();
  running = null;
  lastId = null;
  setLive(false);
}

// A lost connection may leave a stream that never ends: start again when
// the browser says it is offline (then the pages poll and show the trouble)
// and when it is back.
window.addEventListener("offline", () => { if (running) restart(); });
window.addEventListener("online", () => { if (running) restart(); });

/** Opens a new stream with the current token (after it was renewed). */
export function restart() {
  const keepId = lastId;
  stop();
  lastId = keepId;
  start();
}
