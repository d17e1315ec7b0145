// `watch`: the live changes of an account's access (`GET /v1/me/access/live`), a WebSocket that
// reconnects with backoff. Plain JavaScript, no WebAssembly; exported by ./rules.js.
import { EntitleError } from "./internal.js";

/** How often the socket is asked `ping` (answered `pong` by the server without waking it). */
const PING_EVERY_MS = 30_000;
/** How long a `pong` may take before the connection counts as lost. */
const PONG_WITHIN_MS = 10_000;
/** A connection open this long resets the backoff. */
const STABLE_AFTER_MS = 10_000;

function invalid(what, expected) {
  return new EntitleError("invalid_input", `${what}: expected ${expected}`, 400);
}

/** The socket's URL: the worker's base URL (http, https, ws or wss; relative in a page) and the route. */
function liveUrl(baseUrl, since) {
  let url;
  try {
    url = new URL(baseUrl, globalThis.location?.href);
  } catch {
    throw invalid("baseUrl", "the worker's URL, such as `https://api.example.com`");
  }
  const scheme = { "http:": "ws:", "https:": "wss:", "ws:": "ws:", "wss:": "wss:" }[url.protocol];
  if (scheme === undefined) throw invalid("baseUrl", "an http, https, ws or wss URL");
  url.protocol = scheme;
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/v1/me/access/live`;
  url.search = since ? `?since=${encodeURIComponent(since)}` : "";
  url.hash = "";
  return url.toString();
}

/**
 * Calls `onChange({ type: "changed", at })` whenever the account's access changes, until the
 * returned function is called. Reconnects with exponential backoff and jitter. `token` is the
 * session token, or a function giving one (called at each connection: sessions expire).
 */
export function watch(baseUrl, token, onChange, options = {}) {
  if (typeof baseUrl !== "string") throw invalid("baseUrl", "a string");
  if (typeof token !== "string" && typeof token !== "function") throw invalid("token", "a string or a function returning one");
  if (typeof onChange !== "function") throw invalid("onChange", "a function");
  if (options === null || typeof options !== "object") throw invalid("options", "an object");
  const Socket = options.WebSocket ?? globalThis.WebSocket;
  if (typeof Socket !== "function") {
    throw new EntitleError("websocket_unavailable", "no WebSocket in this runtime: pass `{ WebSocket }` (Node 20: from `undici` or `ws`)", 500);
  }
  const minDelay = options.minDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 30_000;
  const onStatus = typeof options.onStatus === "function" ? options.onStatus : () => {};
  liveUrl(baseUrl, null); // refuses a malformed URL now, not at the first connection

  let stopped = false;
  let socket = null;
  let attempt = 0;
  let connectedOnce = false;
  let timers = [];
  const later = (fn, ms) => timers.push(setTimeout(fn, ms));
  const clearTimers = () => {
    timers.forEach(clearTimeout);
    timers = [];
  };

  const since = () => {
    const value = typeof options.since === "function" ? options.since() : options.since;
    return typeof value === "string" && value !== "" ? value : null;
  };

  function schedule() {
    if (stopped) return;
    const delay = Math.min(maxDelay, minDelay * 2 ** attempt) * (0.5 + Math.random() / 2);
    attempt += 1;
    onStatus("waiting");
    later(connect, delay);
  }

  async function connect() {
    if (stopped) return;
    clearTimers();
    onStatus("connecting");
    let current;
    try {
      current = typeof token === "function" ? await token() : token;
    } catch {
      current = undefined;
    }
    if (stopped) return;
    if (typeof current !== "string" || current === "") {
      schedule();
      return;
    }
    const from = since();
    const reconnect = connectedOnce;
    let ws;
    try {
      ws = new Socket(liveUrl(baseUrl, from), [`entitle.${current}`]);
    } catch {
      schedule();
      return;
    }
    socket = ws;
    let openedAt = 0;
    let waitingForPong = null;
    let pinger = null;
    const finish = () => {
      clearInterval(pinger);
      clearTimeout(waitingForPong);
      if (socket !== ws) return;
      socket = null;
      if (openedAt && Date.now() - openedAt >= STABLE_AFTER_MS) attempt = 0;
      onStatus("closed");
      schedule();
    };
    ws.onopen = () => {
      openedAt = Date.now();
      connectedOnce = true;
      onStatus("open");
      // Without the `at` of the snapshot held, a change missed while away cannot be told apart:
      // say it changed, and the page fetches again.
      if (reconnect && from === null) onChange({ type: "changed", at: null });
      pinger = setInterval(() => {
        try {
          ws.send("ping");
        } catch {
          return;
        }
        clearTimeout(waitingForPong);
        waitingForPong = setTimeout(() => ws.close(), PONG_WITHIN_MS);
      }, PING_EVERY_MS);
    };
    ws.onmessage = (event) => {
      if (event.data === "pong") {
        clearTimeout(waitingForPong);
        return;
      }
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message?.type === "changed") onChange({ type: "changed", at: typeof message.at === "string" ? message.at : null });
    };
    ws.onerror = () => {};
    ws.onclose = finish;
  }

  connect();
  return function stop() {
    stopped = true;
    clearTimers();
    const ws = socket;
    socket = null;
    if (ws) {
      try {
        ws.close(1000, "stopped");
      } catch {
        // Closed already.
      }
    }
    onStatus("stopped");
  };
}
