// Idempotency keys on POSTs (issue 10): a retry with the same `Idempotency-Key` and body gets the
// first answer again, byte for byte, with `Idempotent-Replayed: true`, and writes nothing; the
// key is scoped to the store and the caller and lasts 24 hours. Every check that something was
// written once is made on what D1 holds (records and events), not on what the answers said.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startWorker, observed, undocumented } from "./support/worker.mjs";

const NOW = "2026-03-01T10:00:00.000Z";
const at = (ms) => new Date(Date.parse(NOW) + ms).toISOString();
const HOUR = 3_600_000;
let worker;
let db;
let key;

before(async () => {
  worker = await startWorker();
  db = await worker.mf.getD1Database("DB");
  key = worker.keys.storeA;
  const put = async (path, body) => {
    const r = await send("PUT", path, { token: key, body });
    assert.equal(r.status, 200, `${path}: ${r.text}`);
  };
  await put("/v1/accounts/owner", { email: "owner@a.example", name: "Owner", kind: "customer" });
  await put("/v1/accounts/other", { email: "other@a.example", name: "Other", kind: "customer" });
  await put("/v1/accounts/reseller", { email: "reseller@a.example", name: "Reseller", kind: "reseller" });
  await put("/v1/accounts/client", { email: "client@a.example", name: "Client", kind: "customer", managedBy: "reseller" });
  await put("/v1/products/tool", { name: "Tool", family: "tools", billing: "one_off" });
});
after(() => worker?.stop());

/** One request; the answer with its exact body text. Recorded for the OpenAPI check. */
async function send(method, path, { token, body, now = NOW, idempotencyKey, headers = {} } = {}) {
  const h = { ...headers, "x-entitle-test-now": now };
  if (token) h.authorization = `Bearer ${token}`;
  if (idempotencyKey !== undefined) h["idempotency-key"] = idempotencyKey;
  let payload;
  if (body !== undefined) {
    h["content-type"] = "application/json";
    payload = typeof body === "string" ? body : JSON.stringify(body);
  }
  const response = await fetch(worker.url + path, { method, headers: h, body: payload });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  observed.push({ method, path: path.split("?")[0], status: response.status, code: json?.code ?? null });
  return { status: response.status, headers: response.headers, text, body: json };
}

async function session(accountId, now = NOW) {
  const r = await send("POST", "/v1/sessions", { token: key, body: { accountId }, now });
  assert.equal(r.status, 201, r.text);
  return r.body.token;
}

async function count(sql, ...params) {
  return (await db.prepare(sql).bind(...params).first()).n;
}

const projectsNamed = (name) => count("SELECT COUNT(*) AS n FROM projects WHERE store_id = 'store-a' AND json_extract(data, '$.name') = ?", name);
const eventsFor = (type, field, value) => count(
  `SELECT COUNT(*) AS n FROM events WHERE store_id = 'store-a' AND type = ? AND json_extract(payload, '$.${field}') = ?`, type, value);
const replayed = (r) => r.headers.get("idempotent-replayed");

function assertProblem(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get("content-type"), /^application\/problem\+json/);
  assert.equal(r.body.code, code);
}

test("a retry with the same key and body gets the first answer again, marked replayed, and creates one project", async () => {
  const token = await session("owner");
  const request = { token, body: { name: "Retried" }, idempotencyKey: "create-retried-1" };
  const first = await send("POST", "/v1/projects", request);
  assert.equal(first.status, 201, first.text);
  assert.equal(replayed(first), null, "a first answer is not a replay");
  const again = await send("POST", "/v1/projects", { ...request, now: at(60_000) });
  assert.equal(again.status, 201);
  assert.equal(again.text, first.text, "the same body, byte for byte");
  assert.equal(again.headers.get("content-type"), first.headers.get("content-type"));
  assert.equal(replayed(again), "true");
  assert.notEqual(again.headers.get("request-id"), first.headers.get("request-id"), "each request has its own id");
  assert.equal(await projectsNamed("Retried"), 1);
  assert.equal(await eventsFor("project.created", "projectId", first.body.projectId), 1);
});

test("a retried POST /v1/licenses creates its licenses once", async () => {
  const token = await session("reseller");
  const body = { productId: "tool", customerId: "client", quantity: 3, licenseType: "permanent", tier: "primary", customerPaid: true };
  const first = await send("POST", "/v1/licenses", { token, body, idempotencyKey: "licenses-1" });
  assert.equal(first.status, 201, first.text);
  const again = await send("POST", "/v1/licenses", { token, body, idempotencyKey: "licenses-1" });
  assert.equal(again.text, first.text);
  assert.equal(replayed(again), "true");
  assert.equal(await count("SELECT COUNT(*) AS n FROM licenses WHERE store_id = 'store-a' AND owner_id = 'client'"), 3);
  // Without a key, the same request is a new one.
  const other = await send("POST", "/v1/licenses", { token, body });
  assert.equal(other.status, 201);
  assert.equal(replayed(other), null);
  assert.equal(await count("SELECT COUNT(*) AS n FROM licenses WHERE store_id = 'store-a' AND owner_id = 'client'"), 6);
});

test("the same key with a different body or path is 422 idempotency_key_reused and writes nothing", async () => {
  const token = await session("owner");
  const first = await send("POST", "/v1/projects", { token, body: { name: "Reused A" }, idempotencyKey: "reused-1" });
  assert.equal(first.status, 201, first.text);
  assertProblem(await send("POST", "/v1/projects", { token, body: { name: "Reused B" }, idempotencyKey: "reused-1" }), 422, "idempotency_key_reused");
  assertProblem(await send("POST", "/v1/customers", { token, body: { email: "x@a.example", name: "X" }, idempotencyKey: "reused-1" }), 422, "idempotency_key_reused");
  assert.equal(await projectsNamed("Reused B"), 0);
  // The first answer is still the key's.
  const again = await send("POST", "/v1/projects", { token, body: { name: "Reused A" }, idempotencyKey: "reused-1" });
  assert.equal(again.text, first.text);
});

test("20 concurrent requests with one key write once; the others are 409 idempotency_key_in_use or replays", async () => {
  const token = await session("owner");
  const request = { token, body: { name: "Concurrent" }, idempotencyKey: "concurrent-1" };
  const answers = await Promise.all(Array.from({ length: 20 }, () => send("POST", "/v1/projects", request)));
  const fresh = answers.filter((r) => r.status === 201 && replayed(r) === null);
  const replays = answers.filter((r) => r.status === 201 && replayed(r) === "true");
  const inUse = answers.filter((r) => r.status === 409);
  assert.equal(fresh.length, 1, answers.map((r) => `${r.status} ${r.text}`).join("\n"));
  assert.equal(fresh.length + replays.length + inUse.length, 20, answers.map((r) => `${r.status} ${r.text}`).join("\n"));
  for (const r of inUse) assertProblem(r, 409, "idempotency_key_in_use");
  for (const r of replays) assert.equal(r.text, fresh[0].text);
  assert.equal(await projectsNamed("Concurrent"), 1);
  assert.equal(await eventsFor("project.created", "projectId", fresh[0].body.projectId), 1);
  // Once answered, every retry is a replay.
  const later = await send("POST", "/v1/projects", request);
  assert.equal(later.text, fresh[0].text);
  assert.equal(replayed(later), "true");
});

test("a key is scoped to the store and the caller: another account, the store key and another store use it independently", async () => {
  const owner = await session("owner");
  const other = await session("other");
  const mine = await send("POST", "/v1/projects", { token: owner, body: { name: "Scoped" }, idempotencyKey: "shared-key" });
  const theirs = await send("POST", "/v1/projects", { token: other, body: { name: "Scoped" }, idempotencyKey: "shared-key" });
  assert.equal(mine.status, 201, mine.text);
  assert.equal(theirs.status, 201, theirs.text);
  assert.equal(replayed(theirs), null);
  assert.notEqual(theirs.body.projectId, mine.body.projectId);
  // A new session of the same account is the same caller.
  const ownerLater = await session("owner", at(1000));
  const replay = await send("POST", "/v1/projects", { token: ownerLater, body: { name: "Scoped" }, idempotencyKey: "shared-key", now: at(1000) });
  assert.equal(replay.text, mine.text);
  assert.equal(replayed(replay), "true");
  // The store's own calls and another store's are other callers.
  const imports = { accounts: [{ id: "scoped-1", email: "scoped-1@a.example", name: "S", kind: "customer" }] };
  const storeA = await send("POST", "/v1/imports", { token: key, body: imports, idempotencyKey: "shared-key" });
  assert.equal(storeA.status, 200, storeA.text);
  assert.equal(replayed(storeA), null);
  const storeB = await send("POST", "/v1/imports", { token: worker.keys.storeB, body: imports, idempotencyKey: "shared-key" });
  assert.equal(storeB.status, 200, storeB.text);
  assert.equal(replayed(storeB), null);
  assert.equal(await projectsNamed("Scoped"), 2);
  // One in each store, each on its store's database (the harness puts store-b on DB_2).
  assert.equal(await count("SELECT COUNT(*) AS n FROM accounts WHERE id = 'scoped-1'"), 1, "store-a's, on DB");
  const second = await worker.mf.getD1Database("DB_2");
  const onSecond = await second.prepare("SELECT COUNT(*) AS n FROM accounts WHERE id = 'scoped-1' AND store_id = 'store-b'").first();
  assert.equal(onSecond.n, 1, "store-b's, on DB_2");
});

test("a key expires 24 hours after its first use", async () => {
  const request = { body: { name: "Expiring" }, idempotencyKey: "expiring-1" };
  const first = await send("POST", "/v1/projects", { ...request, token: await session("owner") });
  assert.equal(first.status, 201, first.text);
  const justBefore = at(24 * HOUR - 1);
  const replay = await send("POST", "/v1/projects", { ...request, token: await session("owner", justBefore), now: justBefore });
  assert.equal(replayed(replay), "true");
  assert.equal(replay.text, first.text);
  const after24h = at(24 * HOUR);
  const fresh = await send("POST", "/v1/projects", { ...request, token: await session("owner", after24h), now: after24h });
  assert.equal(fresh.status, 201, fresh.text);
  assert.equal(replayed(fresh), null, "an expired key is used afresh");
  assert.notEqual(fresh.body.projectId, first.body.projectId);
  assert.equal(await projectsNamed("Expiring"), 2);
  // Expired keys are cleaned up by later claims of the store: the first answer's row is gone.
  const rows = await count("SELECT COUNT(*) AS n FROM idempotency_keys WHERE store_id = 'store-a' AND created_at < ?", Date.parse(NOW) + 1);
  assert.equal(rows, 0);
});

test("a command the rules refuse is stored with its key and replayed identically", async () => {
  const token = await session("owner");
  const project = await send("POST", "/v1/projects", { token, body: { name: "Refusal" } });
  const path = `/v1/projects/${project.body.projectId}/shares`;
  const request = { token, body: { email: "later@a.example" }, idempotencyKey: "refused-1" };
  const refused = await send("POST", path, request);
  assertProblem(refused, 422, "recipient_not_found");
  assert.equal(refused.body.requestId, refused.headers.get("request-id"));
  // The world changes so that the same request would now succeed: the key still answers as before.
  const imported = await send("PUT", "/v1/accounts/later", { token: key, body: { email: "later@a.example", name: "Later", kind: "customer" } });
  assert.equal(imported.status, 200, imported.text);
  const again = await send("POST", path, request);
  assert.equal(again.status, 422);
  assert.equal(again.text, refused.text, "the same body, the first request's id included");
  assert.equal(replayed(again), "true");
  assert.equal(await count("SELECT COUNT(*) AS n FROM shares WHERE store_id = 'store-a' AND account_id = 'later'"), 0);
  // A new key runs the command again.
  const shared = await send("POST", path, { ...request, idempotencyKey: "refused-2" });
  assert.equal(shared.status, 201, shared.text);
});

test("an answer given before the command runs is not stored: the corrected request may use the same key", async () => {
  const token = await session("owner");
  assertProblem(await send("POST", "/v1/projects", { token, body: { title: "x" }, idempotencyKey: "corrected-1" }), 400, "invalid_body");
  assertProblem(await send("POST", "/v1/projects", { token, body: "{", idempotencyKey: "corrected-1" }), 400, "malformed_json");
  const fixed = await send("POST", "/v1/projects", { token, body: { name: "Corrected" }, idempotencyKey: "corrected-1" });
  assert.equal(fixed.status, 201, fixed.text);
  assert.equal(replayed(fixed), null);
});

test("a malformed Idempotency-Key is 400 invalid_idempotency_key and runs nothing", async () => {
  const token = await session("owner");
  for (const bad of ["", "x".repeat(256), "tab\there", "caf\u00e9"]) {
    const r = await send("POST", "/v1/projects", { token, body: { name: "Malformed" }, idempotencyKey: bad });
    assertProblem(r, 400, "invalid_idempotency_key");
  }
  assert.equal(await projectsNamed("Malformed"), 0);
  const longest = await send("POST", "/v1/projects", { token, body: { name: "Longest key" }, idempotencyKey: `${"k".repeat(253)} ~` });
  assert.equal(longest.status, 201, longest.text);
  // Other methods ignore the header.
  const put = await send("PUT", "/v1/accounts/owner", { token: key, body: { email: "owner@a.example", name: "Owner", kind: "customer" }, idempotencyKey: "" });
  assert.equal(put.status, 200, put.text);
});

test("POSTs that write nothing check the key's form and answer afresh each time", async () => {
  const token = await session("owner");
  const project = await send("POST", "/v1/projects", { token, body: { name: "Readonly" } });
  const question = { action: "project.rename", resource: { type: "project", id: project.body.projectId } };
  const asOther = await session("other");
  const before = await send("POST", "/v1/authorize", { token: asOther, body: question, idempotencyKey: "ask-1" });
  assert.equal(before.status, 200, before.text);
  assert.equal(before.body.allowed, false);
  const share = await send("POST", `/v1/projects/${project.body.projectId}/shares`, { token, body: { email: "other@a.example" } });
  assert.equal(share.status, 201, share.text);
  const viewQuestion = { action: "project.view", resource: question.resource };
  const afterShare = await send("POST", "/v1/authorize", { token: asOther, body: viewQuestion, idempotencyKey: "ask-1" });
  assert.equal(afterShare.status, 200, afterShare.text);
  assert.equal(afterShare.body.allowed, true, "a decision is never replayed: a different question with the same key is answered");
  assert.equal(replayed(afterShare), null);
  const sessionAgain = await send("POST", "/v1/sessions", { token: key, body: { accountId: "owner" }, idempotencyKey: "session-1" });
  const sessionOther = await send("POST", "/v1/sessions", { token: key, body: { accountId: "other" }, idempotencyKey: "session-1" });
  assert.equal(sessionAgain.status, 201);
  assert.equal(sessionOther.status, 201);
  assert.equal(sessionOther.body.accountId, "other");
  assert.equal(replayed(sessionOther), null);
  assertProblem(await send("POST", "/v1/authorize", { token: asOther, body: question, idempotencyKey: "" }), 400, "invalid_idempotency_key");
});

test("a key held by a request that crashed is in use until its lease ends, then taken over", async () => {
  const token = await session("owner");
  const request = { token, body: { name: "Crashed" }, idempotencyKey: "crashed-1" };
  const first = await send("POST", "/v1/projects", request);
  assert.equal(first.status, 201, first.text);
  // Make the key's row what a request leaves when it dies after claiming and before answering.
  await db.prepare("UPDATE idempotency_keys SET status = NULL, body = NULL, content_type = NULL, claim = 'crashed', lease_until = ? WHERE key = 'crashed-1'")
    .bind(Date.parse(NOW) + 60_000).run();
  assertProblem(await send("POST", "/v1/projects", { ...request, now: at(59_999) }), 409, "idempotency_key_in_use");
  assertProblem(await send("POST", "/v1/projects", { ...request, body: { name: "Other" }, now: at(59_999) }), 422, "idempotency_key_reused");
  const takeover = await send("POST", "/v1/projects", { ...request, now: at(60_000) });
  assert.equal(takeover.status, 201, takeover.text);
  assert.equal(replayed(takeover), null);
  const replay = await send("POST", "/v1/projects", { ...request, now: at(61_000) });
  assert.equal(replay.text, takeover.text);
});

test("every status and error code answered above is documented in openapi.json", () => {
  assert.deepEqual(undocumented(), []);
});
