// Live changes (issue 24): GET /v1/me/access/live over HTTP in Miniflare, through the store's
// Durable Object. Refusals before the upgrade, the `changed` message within a second to the
// accounts whose access changed and to no one else (another account, another store), catch-up
// on reconnection, flood limits, a revocation racing a connection, and the npm package's watch().
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { WebSocket } from "undici";
import { startWorker, client, root, undocumented } from "./support/worker.mjs";

const { watch } = await import(join(root, "crates/entitle-wasm/npm/dist/node/index.mjs"));

let worker;
let call;
const sockets = [];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function session(key, accountId) {
  const r = await call("POST", "/v1/sessions", { token: key, body: { accountId } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.token;
}

const ok = (r, status = 200) => assert.equal(r.status, status, JSON.stringify(r.body));

/**
 * A store's world: `owner` owns project p (shared with `rec`) and subscription c1 with delegates
 * `dev` and `dev2`; `stranger` has nothing to do with them.
 */
async function seed(key, prefix) {
  const put = async (path, body) => ok(await call("PUT", path, { token: key, body }));
  for (const id of ["owner", "rec", "dev", "dev2", "stranger"]) {
    await put(`/v1/accounts/${id}`, { email: `${id}@${prefix}.example`, name: id, kind: "customer" });
  }
  await put("/v1/products/hosting", { name: "Hosting", family: "hosting", billing: "recurring" });
  await put("/v1/contracts/c1", { ownerId: "owner", productId: "hosting", status: "active", registeredAt: "2026-01-01T00:00:00Z", billing: "recurring" });
  const tokens = {};
  for (const id of ["owner", "rec", "dev", "dev2", "stranger"]) tokens[id] = await session(key, id);
  const project = await call("POST", "/v1/projects", { token: tokens.owner, body: { name: "Shop" } });
  ok(project, 201);
  ok(await call("POST", `/v1/projects/${project.body.projectId}/shares`, { token: tokens.owner, body: { email: `rec@${prefix}.example` } }), 201);
  for (const dev of ["dev", "dev2"]) await delegate(tokens, prefix, dev);
  return { key, prefix, tokens, project: project.body.projectId };
}

/** Makes `dev` a delegate of c1 (invitation by the owner, accepted from the demo mailbox's event). */
async function delegate(tokens, prefix, dev) {
  ok(await call("POST", "/v1/contracts/c1/delegates", { token: tokens.owner, body: { email: `${dev}@${prefix}.example` } }), 201);
  const events = (await call("GET", "/v1/events?limit=1000", { token: prefix === "a" ? worker.keys.storeA : worker.keys.storeB })).body.events;
  const invited = events.filter((e) => e.type === "delegate.invited" && e.payload.email === `${dev}@${prefix}.example`).at(-1);
  ok(await call("POST", "/v1/invitations/accept", { token: tokens[dev], body: { token: invited.payload.acceptToken } }));
}

let a;
let b;

before(async () => {
  worker = await startWorker();
  call = client(worker.url);
  a = await seed(worker.keys.storeA, "a");
  b = await seed(worker.keys.storeB, "b");
});
after(async () => {
  for (const s of sockets) s.ws.close();
  await worker?.stop();
});

const wsUrl = (query = "") => `${worker.url.replace(/^http/, "ws")}/v1/me/access/live${query}`;

/** Opens a socket as a browser does (token as the subprotocol); records every message with its arrival time. */
async function open(token, { query = "", protocols = [`entitle.${token}`], headers } = {}) {
  const ws = new WebSocket(wsUrl(query), headers ? { protocols, headers } : protocols);
  const socket = { ws, messages: [], closed: null };
  socket.closed = new Promise((resolve) => {
    ws.onclose = (event) => resolve({ code: event.code, reason: event.reason });
  });
  ws.onmessage = (event) => socket.messages.push({ data: event.data, at: Date.now() });
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error("the socket did not open"));
  });
  sockets.push(socket);
  return socket;
}

/** Waits until the socket has `count` messages (or `ms` pass); returns them. */
async function messages(socket, count = 1, ms = 2000) {
  const until = Date.now() + ms;
  while (socket.messages.length < count && Date.now() < until) await sleep(10);
  return socket.messages;
}

/** A raw upgrade request, to read what the worker answers before (or instead of) upgrading. */
function upgrade(path, headers = {}, { upgradeHeaders = true } = {}) {
  return new Promise((resolve, reject) => {
    const wsHeaders = upgradeHeaders
      ? { connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": randomBytes(16).toString("base64") }
      : {};
    const req = request(worker.url + path, { headers: { ...wsHeaders, ...headers } });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode, headers: res.headers, body: null });
    });
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (chunk) => (text += chunk)).on("end", () => {
        resolve({ status: res.statusCode, headers: res.headers, body: text ? JSON.parse(text) : null });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

function assertProblem(r, status, code) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.match(r.headers["content-type"], /^application\/problem\+json/);
  assert.equal(r.body.code, code);
  assert.ok(r.headers["request-id"]);
  assert.equal(r.headers["sec-websocket-protocol"], undefined, "nothing is echoed on a refusal");
}

test("a missing or invalid token, or a token in the URL, is refused before the upgrade with problem+json", async () => {
  const token = a.tokens.rec;
  const [header, payload] = token.split(".");
  assertProblem(await upgrade("/v1/me/access/live"), 401, "missing_credentials");
  assertProblem(await upgrade("/v1/me/access/live", { "sec-websocket-protocol": "entitle.garbage" }), 401, "malformed_token");
  assertProblem(await upgrade("/v1/me/access/live", { "sec-websocket-protocol": `entitle.${header}.${payload}.${"A".repeat(43)}` }), 401, "invalid_token");
  assertProblem(await upgrade("/v1/me/access/live", { "sec-websocket-protocol": "entitle." }), 401, "malformed_credentials");
  assertProblem(await upgrade("/v1/me/access/live", { "sec-websocket-protocol": `entitle.${token}, entitle.${a.tokens.dev}` }), 401, "malformed_credentials");
  assertProblem(await upgrade("/v1/me/access/live", { "sec-websocket-protocol": `entitle.${worker.keys.storeA}` }), 403, "session_required");
  assertProblem(await upgrade("/v1/me/access/live", { "sec-websocket-protocol": `entitle.${token}`, "x-entitle-test-now": "2030-01-01T00:00:00Z" }), 401, "token_expired");
  // A token in the URL is refused even beside a valid subprotocol: it is in logs already.
  for (const query of [`?token=${token}`, `?access_token=${token}`, `?since=${token}`, `?t=${token}`, `?Authorization=Bearer%20x`, `?key=${worker.keys.storeA}`]) {
    assertProblem(await upgrade(`/v1/me/access/live${query}`, { "sec-websocket-protocol": `entitle.${token}` }), 400, "token_in_url");
    assertProblem(await upgrade(`/v1/me/access/live${query}`), 400, "token_in_url");
  }
  assertProblem(await upgrade("/v1/me/access/live?since=yesterday", { "sec-websocket-protocol": `entitle.${token}` }), 400, "invalid_query");
  assertProblem(await upgrade("/v1/me/access/live?x=1", { "sec-websocket-protocol": `entitle.${token}` }), 400, "invalid_query");
  // Not a WebSocket request at all.
  assertProblem(await upgrade("/v1/me/access/live", { authorization: `Bearer ${token}` }, { upgradeHeaders: false }), 426, "upgrade_required");
  assert.deepEqual(undocumented().filter((u) => u.includes("/live")), []);
});

test("a valid token upgrades: the subprotocol is echoed, or Authorization serves a backend", async () => {
  const raw = await upgrade("/v1/me/access/live", { "sec-websocket-protocol": `entitle.${a.tokens.rec}` });
  assert.equal(raw.status, 101);
  assert.equal(raw.headers["sec-websocket-protocol"], `entitle.${a.tokens.rec}`);
  const socket = await open(a.tokens.rec);
  assert.equal(socket.ws.protocol, `entitle.${a.tokens.rec}`);
  // Other subprotocols offered beside it are ignored.
  const withOthers = await open(a.tokens.rec, { protocols: ["chat", `entitle.${a.tokens.rec}`] });
  assert.equal(withOthers.ws.protocol, `entitle.${a.tokens.rec}`);
  const backend = await upgrade("/v1/me/access/live", { authorization: `Bearer ${a.tokens.rec}` });
  assert.equal(backend.status, 101);
  assert.equal(backend.headers["sec-websocket-protocol"], undefined, "nothing offered, nothing echoed");
  socket.ws.close();
  withOthers.ws.close();
});

test("an unshare tells the owner's and the recipient's sockets within a second, and no other account's or store's", async () => {
  const owner = await open(a.tokens.owner);
  const rec = await open(a.tokens.rec);
  const dev = await open(a.tokens.dev);
  const stranger = await open(a.tokens.stranger);
  // The same account ids in store B.
  const otherOwner = await open(b.tokens.owner);
  const otherRec = await open(b.tokens.rec);
  const r = await call("DELETE", `/v1/projects/${a.project}/shares/rec`, { token: a.tokens.owner });
  ok(r, 204);
  const answered = Date.now();
  for (const socket of [owner, rec]) {
    const [message] = await messages(socket);
    assert.ok(message, "told");
    assert.ok(message.at - answered < 1000, `within a second: ${message.at - answered} ms`);
    const body = JSON.parse(message.data);
    assert.equal(body.type, "changed");
    assert.match(body.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(Object.keys(body), ["type", "at"]);
  }
  await sleep(300);
  for (const socket of [dev, stranger, otherOwner, otherRec]) assert.deepEqual(socket.messages, [], "nothing for others");
  // And a change in store B reaches store B's sockets only.
  ok(await call("POST", `/v1/projects/${b.project}/shares`, { token: b.tokens.owner, body: { email: "stranger@b.example" } }), 201);
  assert.equal((await messages(otherOwner)).length, 1);
  await sleep(300);
  assert.equal(owner.messages.length, 1, "store A's owner hears nothing of store B");
  assert.equal(stranger.messages.length, 0, "store A's stranger hears nothing of store B's stranger");
  for (const s of [owner, rec, dev, stranger, otherOwner, otherRec]) s.ws.close();
  // Put the share back for the next tests.
  ok(await call("POST", `/v1/projects/${a.project}/shares`, { token: a.tokens.owner, body: { email: "rec@a.example" } }), 201);
});

test("a revocation tells the revoked delegate and the owner, not the other delegate; a re-imported contract tells everyone on it", async () => {
  const owner = await open(a.tokens.owner);
  const dev = await open(a.tokens.dev);
  const dev2 = await open(a.tokens.dev2);
  const rec = await open(a.tokens.rec);
  ok(await call("DELETE", "/v1/contracts/c1/delegates/dev", { token: a.tokens.owner }), 204);
  assert.equal((await messages(dev)).length, 1);
  assert.equal((await messages(owner)).length, 1);
  await sleep(300);
  assert.deepEqual(dev2.messages, []);
  assert.deepEqual(rec.messages, []);
  // The store re-imports the contract: its owner and every delegate, revoked or not.
  ok(await call("PUT", "/v1/contracts/c1", { token: a.key, body: { ownerId: "owner", productId: "hosting", status: "suspended", registeredAt: "2026-01-01T00:00:00Z", billing: "recurring" } }));
  assert.equal((await messages(dev2)).length, 1);
  assert.equal((await messages(owner, 2)).length, 2);
  assert.equal((await messages(dev, 2)).length, 2);
  await sleep(300);
  assert.deepEqual(rec.messages, []);
  for (const s of [owner, dev, dev2, rec]) s.ws.close();
  ok(await call("PUT", "/v1/contracts/c1", { token: a.key, body: { ownerId: "owner", productId: "hosting", status: "active", registeredAt: "2026-01-01T00:00:00Z", billing: "recurring" } }));
  await delegate(a.tokens, "a", "dev");
});

test("a socket that reconnects with the `at` of its snapshot catches up with a change it missed, and only then", async () => {
  const snapshot = await call("GET", "/v1/me/access", { token: a.tokens.rec });
  const at = snapshot.body.at;
  // Nothing changed since: no message.
  const calm = await open(a.tokens.rec, { query: `?since=${encodeURIComponent(at)}` });
  await sleep(400);
  assert.deepEqual(calm.messages, []);
  calm.ws.close();
  await calm.closed;
  // While no socket is open, the recipient loses the project.
  ok(await call("DELETE", `/v1/projects/${a.project}/shares/rec`, { token: a.tokens.owner }), 204);
  await sleep(200); // the notice is sent after the answer
  const back = await open(a.tokens.rec, { query: `?since=${encodeURIComponent(at)}` });
  const [message] = await messages(back);
  assert.ok(message, "the missed change is told at once");
  assert.ok(JSON.parse(message.data).at >= at);
  back.ws.close();
  // A snapshot fetched after the change: nothing to catch up.
  const fresh = (await call("GET", "/v1/me/access", { token: a.tokens.rec })).body.at;
  const later = await open(a.tokens.rec, { query: `?since=${encodeURIComponent(fresh)}` });
  await sleep(400);
  assert.deepEqual(later.messages, []);
  later.ws.close();
  // A snapshot older than what the object remembers (two hours): told to fetch again.
  const old = await open(a.tokens.stranger, { query: `?since=${encodeURIComponent(new Date(Date.now() - 3 * 3600_000).toISOString())}` });
  assert.equal((await messages(old)).length, 1);
  old.ws.close();
  ok(await call("POST", `/v1/projects/${a.project}/shares`, { token: a.tokens.owner, body: { email: "rec@a.example" } }), 201);
});

test("a flooding client is closed; ping is answered pong and never counts", async () => {
  const pinger = await open(a.tokens.stranger);
  for (let i = 0; i < 25; i++) pinger.ws.send("ping");
  await messages(pinger, 25);
  assert.ok(pinger.messages.every((m) => m.data === "pong"));
  assert.equal(pinger.messages.length, 25);
  const flooder = await open(a.tokens.stranger);
  for (let i = 0; i < 20; i++) flooder.ws.send(`hello ${i}`);
  const closed = await Promise.race([flooder.closed, sleep(3000).then(() => null)]);
  assert.deepEqual(closed, { code: 1008, reason: "too many messages" });
  const shouter = await open(a.tokens.stranger);
  shouter.ws.send("x".repeat(300));
  assert.deepEqual(await Promise.race([shouter.closed, sleep(3000).then(() => null)]), { code: 1009, reason: "message too long" });
  // The well-behaved socket is still open.
  assert.equal(pinger.ws.readyState, WebSocket.OPEN);
  pinger.ws.close();
});

test("an account keeps at most 16 sockets in its store: one more is refused before the upgrade", async () => {
  const opened = [];
  for (let i = 0; i < 16; i++) opened.push(await open(a.tokens.dev2));
  assertProblem(await upgrade("/v1/me/access/live", { "sec-websocket-protocol": `entitle.${a.tokens.dev2}` }), 429, "too_many_sockets");
  // Another account, and the same account id in another store, are not counted with it.
  (await open(a.tokens.stranger)).ws.close();
  (await open(b.tokens.dev2)).ws.close();
  // Once one closes, one more opens.
  opened[0].ws.close();
  await opened[0].closed;
  const until = Date.now() + 3000;
  let again = null;
  while (again === null && Date.now() < until) {
    again = await open(a.tokens.dev2).catch(() => null);
    if (again === null) await sleep(50);
  }
  assert.ok(again, "a socket opens once another closed");
  for (const s of [...opened, again]) s.ws.close();
  assert.deepEqual(undocumented().filter((u) => u.includes("/live")), []);
});

test("race: a revocation while the delegate's socket connects is always told, before or after the accept", async () => {
  for (let round = 0; round < 8; round++) {
    const since = (await call("GET", "/v1/me/access", { token: a.tokens.dev })).body.at;
    const [socket, revoked] = await Promise.all([
      // From a socket accepted well before the revocation commits to one accepted well after.
      sleep([0, 5, 20, 60][round % 4]).then(() => open(a.tokens.dev, { query: `?since=${encodeURIComponent(since)}` })),
      sleep([20, 5, 0, 0][round % 4]).then(() => call("DELETE", "/v1/contracts/c1/delegates/dev", { token: a.tokens.owner })),
    ]);
    ok(revoked, 204);
    const received = await messages(socket, 1, 3000);
    assert.ok(received.length >= 1, `round ${round}: the revocation was not told`);
    const contracts = (await call("GET", "/v1/contracts", { token: a.tokens.dev })).body.contracts;
    assert.deepEqual(contracts, [], "and the snapshot fetched then has lost the contract");
    socket.ws.close();
    await delegate(a.tokens, "a", "dev");
  }
});

test("watch() calls back on a change, reconnects with backoff after losing its socket, and stops", async () => {
  const changes = [];
  let tokensAsked = 0;
  let since = (await call("GET", "/v1/me/access", { token: a.tokens.rec })).body.at;
  const statuses = [];
  /** undici's WebSocket, remembering every socket watch makes, so the test can drop one. */
  class Socket extends WebSocket {
    static made = [];
    constructor(...args) {
      super(...args);
      Socket.made.push(this);
    }
  }
  const stop = watch(worker.url, () => {
    tokensAsked += 1;
    return a.tokens.rec;
  }, (change) => changes.push(change), { WebSocket: Socket, since: () => since, minDelayMs: 50, onStatus: (s) => statuses.push(s) });
  const until = Date.now() + 3000;
  while (!statuses.includes("open") && Date.now() < until) await sleep(10);
  assert.ok(statuses.includes("open"));
  ok(await call("DELETE", `/v1/projects/${a.project}/shares/rec`, { token: a.tokens.owner }), 204);
  const answered = Date.now();
  while (changes.length < 1 && Date.now() < answered + 2000) await sleep(5);
  assert.equal(changes.length, 1);
  assert.equal(changes[0].type, "changed");
  assert.ok(Date.now() - answered < 1000);
  since = (await call("GET", "/v1/me/access", { token: a.tokens.rec })).body.at;
  // The connection drops; while it is down, the recipient gets the project back.
  const lost = Socket.made.at(-1);
  const noticeLoss = lost.onclose;
  lost.onclose = null; // watch notices only once the change is committed
  lost.close();
  await sleep(100);
  ok(await call("POST", `/v1/projects/${a.project}/shares`, { token: a.tokens.owner, body: { email: "rec@a.example" } }), 201);
  await sleep(100);
  const dropped = Date.now();
  noticeLoss(new Event("close")); // now watch learns of it, and reconnects by itself
  while (statuses.filter((s) => s === "open").length < 2 && Date.now() < dropped + 5000) await sleep(10);
  assert.equal(statuses.filter((s) => s === "open").length, 2, statuses.join(" "));
  assert.ok(tokensAsked >= 2, "a fresh token is asked for each connection");
  assert.ok(Socket.made.at(-1).url.includes(`since=${encodeURIComponent(since)}`), "with the `at` of the snapshot held");
  // The change it missed is told on reconnection.
  while (changes.length < 2 && Date.now() < dropped + 3000) await sleep(5);
  assert.equal(changes.length, 2);
  stop();
  assert.equal(statuses.at(-1), "stopped");
  const count = changes.length;
  ok(await call("DELETE", `/v1/projects/${a.project}/shares/rec`, { token: a.tokens.owner }), 204);
  await sleep(500);
  assert.equal(changes.length, count, "nothing after stop()");
  ok(await call("POST", `/v1/projects/${a.project}/shares`, { token: a.tokens.owner, body: { email: "rec@a.example" } }), 201);
  assert.throws(() => watch(42, "t", () => {}, { WebSocket }), { code: "invalid_input" });
  assert.throws(() => watch("ftp://x", "t", () => {}, { WebSocket }), { code: "invalid_input" });
  assert.throws(() => watch(worker.url, "t", () => {}), { code: "websocket_unavailable" });
});

test("without the live object bound, commands answer as ever and the route fails without a 101", async () => {
  const plain = await startWorker({ options: { durableObjects: {} } });
  try {
    const r = client(plain.url);
    ok(await r("PUT", "/v1/accounts/u", { token: plain.keys.storeA, body: { email: "u@x.example", name: "U", kind: "customer" } }));
    ok(await r("PUT", "/v1/accounts/u", { token: plain.keys.storeA, body: { email: "u@x.example", name: "U2", kind: "customer" } }));
    const token = (await r("POST", "/v1/sessions", { token: plain.keys.storeA, body: { accountId: "u" } })).body.token;
    const project = await r("POST", "/v1/projects", { token, body: { name: "P" } });
    ok(project, 201);
    const live = await new Promise((resolve, reject) => {
      const req = request(`${plain.url}/v1/me/access/live`, { headers: { connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": randomBytes(16).toString("base64"), "sec-websocket-protocol": `entitle.${token}` } });
      req.on("upgrade", (_, socket) => reject(socket.destroy() ?? new Error("upgraded without the object")));
      req.on("response", (res) => resolve(res.statusCode));
      req.on("error", reject);
      req.end();
    });
    assert.equal(live, 500);
  } finally {
    await plain.stop();
  }
});
