// Signed webhooks (issue 10): endpoints a store registers, every event of its feed POSTed with an
// `Entitle-Signature`, retries through the delivery queue until the receiver recovers, the cron
// sweep, deletion, https outside the local configuration, the delivery log and its pruning. The receiver is a
// local server on 127.0.0.1; signatures are checked with the README's own Node snippet.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startWorker, client, root, undocumented } from "./support/worker.mjs";

const STORES = ["signed", "latency", "retry", "down", "sweep", "deleted", "only", "log", "list", "https", "prune"];
let worker;
let call;
let receiver;
let verifyEntitleWebhook;

/** A receiver on 127.0.0.1: every request by path, answered by the path's `answer` (200 by default). */
function startReceiver() {
  const requests = [];
  const answers = new Map();
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const request = { path: req.url, headers: req.headers, body, at: Date.now() };
      requests.push(request);
      const status = (answers.get(req.url) ?? (() => 200))(request);
      res.writeHead(status, { "content-type": "text/plain" }).end(String(status));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        server,
        url: (path) => `http://127.0.0.1:${server.address().port}${path}`,
        on: (path, answer) => answers.set(path, answer),
        at: (path) => requests.filter((r) => r.path === path),
      }),
    ),
  );
}

/** Waits until `check()` is truthy, polling; fails after `ms`. */
async function until(check, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const key = (store) => `sk_test_${store}`;

async function register(store, url, events) {
  const r = await call("POST", "/v1/webhooks", { token: key(store), body: events ? { url, events } : { url } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

/** One change of the store's records: an account import, which writes `account.imported`. */
async function change(store, id) {
  const r = await call("PUT", `/v1/accounts/${id}`, {
    token: key(store),
    body: { email: `${id}@example.com`, name: id, kind: "customer" },
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

async function feed(store) {
  const r = await call("GET", "/v1/events?limit=1000", { token: key(store) });
  assert.equal(r.status, 200);
  return r.body.events;
}

async function deliveries(store, webhookId, query = "") {
  const r = await call("GET", `/v1/webhooks/${webhookId}/deliveries${query}`, { token: key(store) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

/** The cursors a path received with a 2xx answer given, from requests answered `ok`. */
const acknowledged = (requests, ok) => new Set(requests.filter(ok).map((r) => r.headers["entitle-event-id"]));

async function cron() {
  const fetcher = await worker.mf.getWorker();
  const result = await fetcher.scheduled({ cron: "* * * * *" });
  assert.equal(result.outcome, "ok");
}

function assertProblem(r, status, code) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.code, code, JSON.stringify(r.body));
}

/** The README's Node snippet for checking a delivery, run as it is written there. */
async function readmeSnippet() {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.split("### Verifying a delivery in Node")[1];
  assert.ok(section, "README has the section `Verifying a delivery in Node`");
  const code = section.match(/```js\n([\s\S]*?)```/)?.[1];
  assert.ok(code?.includes("export function verifyEntitleWebhook"), "the README's snippet exports verifyEntitleWebhook");
  const dir = join(root, "target", "test-logs");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "readme-verify-webhook.mjs");
  writeFileSync(file, code);
  return (await import(pathToFileURL(file).href)).verifyEntitleWebhook;
}

before(async () => {
  worker = await startWorker({ stores: STORES });
  call = client(worker.url);
  receiver = await startReceiver();
  verifyEntitleWebhook = await readmeSnippet();
});

after(async () => {
  await worker?.stop();
  receiver?.server.close();
});

test("a delivery is the feed's event, signed with the endpoint's secret, with the event's cursor", async () => {
  const hook = await register("signed", receiver.url("/signed"));
  assert.match(hook.secret, /^whsec_[A-Za-z0-9_-]{43}$/);
  assert.equal(hook.events, null);
  await change("signed", "s-1");
  const events = await feed("signed");
  assert.deepEqual(events.map((e) => e.type), ["webhook.created", "account.imported"]);
  const got = await until(() => receiver.at("/signed").length >= 2 && receiver.at("/signed"), 10_000, "two deliveries");
  for (const [i, request] of got.entries()) {
    assert.equal(request.headers["content-type"], "application/json");
    assert.equal(request.headers["entitle-event-id"], events[i].cursor);
    const event = verifyEntitleWebhook(request.body, request.headers["entitle-signature"], hook.secret);
    assert.deepEqual(event, events[i]);
  }
  // What the snippet refuses: another secret, a changed body, an old or malformed signature.
  const [request] = got;
  const signature = request.headers["entitle-signature"];
  assert.throws(() => verifyEntitleWebhook(request.body, signature, `${hook.secret}x`), /signature/);
  assert.throws(() => verifyEntitleWebhook(request.body.replace("webhook.created", "webhook.deleted"), signature, hook.secret), /signature/);
  assert.throws(() => verifyEntitleWebhook(request.body, signature, hook.secret, { now: Date.now() + 301_000 }), /too old/);
  assert.throws(() => verifyEntitleWebhook(request.body, "v1=00", hook.secret), /malformed/);
  // The secret is shown once: never in the list.
  const list = await call("GET", "/v1/webhooks", { token: key("signed") });
  assert.deepEqual(list.body.webhooks, [{ webhookId: hook.webhookId, url: hook.url, events: null, createdAt: hook.createdAt }]);
  assert.ok(!JSON.stringify(list.body).includes(hook.secret));
});

test("local delivery latency, from the change's answer to the receiver (measured)", async (t) => {
  await register("latency", receiver.url("/latency"));
  await until(() => receiver.at("/latency").length === 1, 10_000, "the webhook.created delivery");
  const samples = [];
  for (let i = 0; i < 20; i++) {
    const seen = receiver.at("/latency").length;
    const start = Date.now();
    await change("latency", `l-${i}`);
    const answered = Date.now();
    const got = await until(() => receiver.at("/latency")[seen], 10_000, `delivery ${i}`);
    samples.push({ total: got.at - start, afterAnswer: got.at - answered });
  }
  const sorted = (k) => samples.map((s) => s[k]).sort((a, b) => a - b);
  const pct = (k, p) => sorted(k)[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))];
  const line = `webhook delivery latency over ${samples.length} changes: request start → received median ${pct("total", 50)} ms, p95 ${pct("total", 95)} ms; answer → received median ${pct("afterAnswer", 50)} ms, p95 ${pct("afterAnswer", 95)} ms`;
  t.diagnostic(line);
  writeFileSync(join(root, "target", "test-logs", "webhook-latency.txt"), `${line}\n`);
  assert.ok(pct("total", 50) < 5_000, line);
});

test("a receiver that answers 500 and then recovers gets every event", async () => {
  // Each event is refused twice, then accepted: retries come after 1 s and 2 s here.
  const tries = new Map();
  receiver.on("/retry", (r) => {
    const id = r.headers["entitle-event-id"];
    tries.set(id, (tries.get(id) ?? 0) + 1);
    return tries.get(id) <= 2 ? 500 : 204;
  });
  const hook = await register("retry", receiver.url("/retry"));
  for (let i = 0; i < 5; i++) await change("retry", `r-${i}`);
  const cursors = (await feed("retry")).map((e) => e.cursor);
  assert.equal(cursors.length, 6);
  await until(
    () => cursors.every((c) => tries.get(c) >= 3),
    30_000,
    "every event accepted after two refusals",
  );
  const log = (await deliveries("retry", hook.webhookId, "?limit=1000")).deliveries;
  for (const cursor of cursors) {
    const attempts = log.filter((d) => d.eventCursor === cursor).sort((a, b) => a.attempt - b.attempt);
    assert.deepEqual(
      attempts.map((d) => [d.attempt, d.status, d.responseStatus]),
      [[1, "failed", 500], [2, "failed", 500], [3, "succeeded", 204]],
      cursor,
    );
    // Each failure says when the next attempt is due, one base delay later, then twice that.
    const [first, second, third] = attempts;
    assert.ok(Date.parse(first.nextAttemptAt) - Date.parse(first.at) >= 1000, JSON.stringify(first));
    assert.ok(Date.parse(second.nextAttemptAt) - Date.parse(second.at) >= 2000, JSON.stringify(second));
    assert.equal(third.nextAttemptAt, null);
  }
});

test("a receiver that is down gets every event once it is back", async () => {
  // A port nothing listens on, then a receiver that starts listening on it.
  const probe = createServer();
  await new Promise((r) => probe.listen(0, "127.0.0.1", r));
  const port = probe.address().port;
  await new Promise((r) => probe.close(r));
  const hook = await register("down", `http://127.0.0.1:${port}/down`);
  for (let i = 0; i < 3; i++) await change("down", `d-${i}`);
  await until(
    async () => (await deliveries("down", hook.webhookId)).deliveries.some((d) => d.status === "failed" && d.responseStatus === null && d.error),
    10_000,
    "a failed attempt with no answer",
  );
  const received = [];
  const back = createServer((req, res) => {
    received.push(req.headers["entitle-event-id"]);
    req.resume();
    res.writeHead(200).end();
  });
  await new Promise((r) => back.listen(port, "127.0.0.1", r));
  try {
    const cursors = (await feed("down")).map((e) => e.cursor);
    assert.equal(cursors.length, 4);
    await until(() => cursors.every((c) => received.includes(c)), 30_000, "every event once the receiver is back");
  } finally {
    back.close();
  }
});

test("the cron sweep delivers events no change announced", async () => {
  const hook = await register("sweep", receiver.url("/sweep"));
  await until(() => receiver.at("/sweep").length === 1, 10_000, "the webhook.created delivery");
  // An event written without the request path's fan-out message, as if that message were lost.
  const db = await worker.mf.getD1Database("DB");
  await db
    .prepare("INSERT INTO events (store_id, type, at, actor_id, payload) VALUES (?1, 'account.imported', ?2, NULL, ?3)")
    .bind("sweep", new Date().toISOString(), JSON.stringify({ accountId: "lost" }))
    .run();
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(receiver.at("/sweep").length, 1, "nothing announced it");
  await cron();
  const [, got] = await until(() => receiver.at("/sweep").length === 2 && receiver.at("/sweep"), 10_000, "the swept event");
  const event = verifyEntitleWebhook(got.body, got.headers["entitle-signature"], hook.secret);
  assert.deepEqual(event.payload, { accountId: "lost" });
  // A second sweep finds nothing new.
  await cron();
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(receiver.at("/sweep").length, 2);
});

test("a deleted endpoint gets nothing more, retries already queued included", async () => {
  let answer = 500;
  receiver.on("/deleted", () => answer);
  const hook = await register("deleted", receiver.url("/deleted"));
  await change("deleted", "x-1");
  await until(() => receiver.at("/deleted").length >= 2, 10_000, "first attempts, refused");
  const r = await call("DELETE", `/v1/webhooks/${hook.webhookId}`, { token: key("deleted") });
  assert.equal(r.status, 204);
  const seen = receiver.at("/deleted").length;
  answer = 200;
  await change("deleted", "x-2");
  await cron();
  // Retries were due after 1 s and 2 s: wait past them.
  await new Promise((r) => setTimeout(r, 4_000));
  assert.equal(receiver.at("/deleted").length, seen, "nothing after the deletion");
  assertProblem(await call("DELETE", `/v1/webhooks/${hook.webhookId}`, { token: key("deleted") }), 404, "webhook_not_found");
  assertProblem(await call("GET", `/v1/webhooks/${hook.webhookId}/deliveries`, { token: key("deleted") }), 404, "webhook_not_found");
  const types = (await feed("deleted")).map((e) => e.type);
  assert.deepEqual(types, ["webhook.created", "account.imported", "webhook.deleted", "account.imported"]);
});

test("an endpoint that lists event types receives only those", async () => {
  const hook = await register("only", receiver.url("/only"), ["account.imported", "product.imported"]);
  assert.deepEqual(hook.events, ["account.imported", "product.imported"]);
  await change("only", "o-1");
  const s = await call("PUT", "/v1/settings", { token: key("only"), body: { allowedOrigins: [] } });
  assert.equal(s.status, 200);
  const p = await call("PUT", "/v1/products/p-1", { token: key("only"), body: { name: "P", family: "f", billing: "one_off" } });
  assert.equal(p.status, 200, JSON.stringify(p.body));
  await cron();
  await until(() => receiver.at("/only").length >= 2, 10_000, "two deliveries");
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(receiver.at("/only").map((r) => JSON.parse(r.body).type), ["account.imported", "product.imported"]);
  for (const [events, code] of [
    [[], "invalid_webhook_events"],
    [["account.imported", "account.imported"], "invalid_webhook_events"],
    [["account.imported", "account.import"], "unknown_event_type"],
  ]) {
    assertProblem(await call("POST", "/v1/webhooks", { token: key("only"), body: { url: receiver.url("/x"), events } }), 422, code);
  }
});

test("webhook URLs must be https outside the local configuration", async () => {
  for (const [url, code] of [
    ["http://localhost:9/hook", "https_required"],
    ["http://10.0.0.1/hook", "https_required"],
    ["ftp://hooks.example/x", "invalid_webhook_url"],
    ["https://user:pass@hooks.example/x", "invalid_webhook_url"],
    ["https://hooks.example/x#frag", "invalid_webhook_url"],
    ["/relative", "invalid_webhook_url"],
    [`https://hooks.example/${"x".repeat(2048)}`, "invalid_webhook_url"],
  ]) {
    assertProblem(await call("POST", "/v1/webhooks", { token: key("https"), body: { url } }), 400, code);
  }
  assertProblem(await call("POST", "/v1/webhooks", { token: key("https"), body: { url: "https://x.example", extra: 1 } }), 400, "invalid_body");
  // The production configuration (WEBHOOK_LOCAL_HTTP off, as wrangler.toml sets it).
  const production = await startWorker({ bindings: { WEBHOOK_LOCAL_HTTP: "off" } });
  try {
    const p = client(production.url);
    assertProblem(await p("POST", "/v1/webhooks", { token: production.keys.storeA, body: { url: receiver.url("/never") } }), 400, "https_required");
    const ok = await p("POST", "/v1/webhooks", { token: production.keys.storeA, body: { url: "https://127.0.0.1:9/entitle" } });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
  } finally {
    await production.stop();
  }
  assert.equal(receiver.at("/never").length, 0);
});

test("the delivery log pages, newest first", async () => {
  const hook = await register("log", receiver.url("/log"));
  for (let i = 0; i < 4; i++) await change("log", `g-${i}`);
  await until(() => receiver.at("/log").length === 5, 10_000, "five deliveries");
  await until(async () => (await deliveries("log", hook.webhookId)).deliveries.length === 5, 5_000, "five logged");
  const pages = [];
  let after = "";
  for (let i = 0; i < 10; i++) {
    const page = await deliveries("log", hook.webhookId, `?limit=2${after ? `&after=${after}` : ""}`);
    pages.push(page.deliveries);
    if (!page.nextCursor) break;
    after = page.nextCursor;
  }
  assert.deepEqual(pages.map((p) => p.length), [2, 2, 1]);
  const all = pages.flat();
  const ids = all.map((d) => Number(d.deliveryId));
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a), "newest first");
  assert.equal(new Set(ids).size, 5);
  assert.deepEqual(
    all.map((d) => d.eventCursor).sort((a, b) => a - b),
    (await feed("log")).map((e) => e.cursor),
  );
  for (const d of all) {
    assert.deepEqual(Object.keys(d).sort(), ["at", "attempt", "deliveryId", "durationMs", "error", "eventCursor", "eventType", "nextAttemptAt", "responseStatus", "status"]);
    assert.equal(d.status, "succeeded");
    assert.equal(d.responseStatus, 200);
  }
  const path = `/v1/webhooks/${hook.webhookId}/deliveries`;
  assertProblem(await call("GET", `${path}?after=nope`, { token: key("log") }), 400, "invalid_cursor");
  assertProblem(await call("GET", `${path}?limit=0`, { token: key("log") }), 400, "invalid_limit");
  assertProblem(await call("GET", `${path}?sort=asc`, { token: key("log") }), 400, "invalid_query");
  assertProblem(await call("GET", "/v1/webhooks/wh_unknown/deliveries", { token: key("log") }), 404, "webhook_not_found");
});

test("the cron prunes delivery attempts older than thirty days, a bounded number per run", async () => {
  const hook = await register("prune", receiver.url("/prune"));
  await until(async () => (await deliveries("prune", hook.webhookId)).deliveries.length === 1, 10_000, "the webhook.created attempt");
  const db = await worker.mf.getD1Database("DB");
  const day = 86_400_000;
  const attempts = (count, daysAgo) =>
    db
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?3)
         INSERT INTO webhook_deliveries (store_id, webhook_id, event_cursor, event_type, attempt, status, response_status, error, at, duration_ms, next_attempt_at)
         SELECT 'prune', ?1, 1000000 + i, 'account.imported', 1, 'succeeded', 200, NULL, ?2, 5, NULL FROM n`,
      )
      .bind(hook.webhookId, new Date(Date.now() - daysAgo * day).toISOString(), count)
      .run();
  await attempts(1_500, 40); // past the retention
  await attempts(2, 29); // within it
  const logged = async (where) =>
    (await db.prepare(`SELECT count(*) AS n FROM webhook_deliveries WHERE store_id = 'prune' AND ${where}`).first()).n;
  const old = `at < '${new Date(Date.now() - 30 * day).toISOString()}'`;
  assert.equal(await logged(old), 1_500);
  await cron();
  const left = await logged(old);
  assert.ok(left > 0 && left < 1_500, `one run prunes at most 1,000 rows (left ${left} of 1,500)`);
  await cron();
  assert.equal(await logged(old), 0, "the next run takes the rest");
  assert.equal(await logged("1 = 1"), 3, "the 29-day-old attempts and the recent one stay");
  const page = await deliveries("prune", hook.webhookId, "?limit=10");
  assert.equal(page.deliveries.length, 3);
});

test("the webhook list pages; a store has at most 10 endpoints and sees only its own", async () => {
  const made = [];
  for (let i = 0; i < 10; i++) made.push((await register("list", `https://127.0.0.1:9/${i}`)).webhookId);
  assertProblem(await call("POST", "/v1/webhooks", { token: key("list"), body: { url: "https://127.0.0.1:9/10" } }), 422, "too_many_webhooks");
  const seen = [];
  let after = "";
  for (let i = 0; i < 10; i++) {
    const r = await call("GET", `/v1/webhooks?limit=4${after ? `&after=${after}` : ""}`, { token: key("list") });
    assert.equal(r.status, 200);
    seen.push(...r.body.webhooks.map((w) => w.webhookId));
    if (!r.body.nextCursor) break;
    after = r.body.nextCursor;
  }
  assert.deepEqual(seen, [...made].sort());
  // Another store: not found, whatever it tries.
  assertProblem(await call("DELETE", `/v1/webhooks/${made[0]}`, { token: key("log") }), 404, "webhook_not_found");
  assertProblem(await call("GET", `/v1/webhooks/${made[0]}/deliveries`, { token: key("log") }), 404, "webhook_not_found");
  assert.equal((await call("GET", "/v1/webhooks", { token: key("https") })).body.webhooks.length, 0);
  // Deleting one makes room for another.
  assert.equal((await call("DELETE", `/v1/webhooks/${made[0]}`, { token: key("list") })).status, 204);
  await register("list", "https://127.0.0.1:9/again");
  assertProblem(await call("GET", "/v1/webhooks", {}), 401, "missing_credentials");
});

test("every answer of this file is in the OpenAPI document", () => {
  assert.deepEqual(undocumented(), []);
});
