// Access for a time over HTTP (issue 23), beyond the shared scenarios: the answers' window
// fields, caching never past the next start or end, bad input with nothing written, and the
// cron's sweep run with the test clock (Miniflare's `scheduled` with a chosen time): each
// reminder and each end once, within two minutes, a bounded number of stores per run.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { WebSocket } from "undici";
import { startWorker, client, undocumented } from "./support/worker.mjs";

const NOW = "2026-03-01T10:00:00.000Z";
const at = (ms) => new Date(Date.parse(NOW) + ms).toISOString();
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** The stores of the sweep's bounded run: more than one run takes. */
const SWEPT = ["sw-1", "sw-2", "sw-3", "sw-4", "sw-5", "sw-6"];
let worker;
let call;

before(async () => {
  worker = await startWorker({ stores: SWEPT });
  call = client(worker.url);
});
after(() => worker?.stop());

/** A store's key. */
const keyOf = (store) => (store === "store-a" ? worker.keys.storeA : `sk_test_${store}`);

/** The world of one test in `store`: an owner, two customers, licenses, a subscription. */
async function world(store, prefix) {
  const key = keyOf(store);
  const put = async (path, body) => {
    const r = await call("PUT", path, { token: key, body, now: NOW });
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
  };
  for (const who of ["owner", "rec", "other"]) {
    await put(`/v1/accounts/${prefix}-${who}`, { email: `${who}@${prefix}.example`, name: who, kind: "customer" });
  }
  await put(`/v1/products/${prefix}-ext`, { name: "Extension", family: "magento2", billing: "one_off" });
  await put(`/v1/products/${prefix}-hosting`, { name: "Hosting", family: "hosting", billing: "recurring" });
  await put(`/v1/licenses/${prefix}-L1`, { productId: `${prefix}-ext`, ownerId: `${prefix}-rec` });
  await put(`/v1/orders/${prefix}-o1`, { ownerId: `${prefix}-owner`, billingAccountId: `${prefix}-owner`, licenseKeys: [], recurring: false });
  await put(`/v1/contracts/${prefix}-c1`, {
    ownerId: `${prefix}-owner`, productId: `${prefix}-hosting`, status: "active",
    registeredAt: "2026-01-01T00:00:00Z", renewsAt: "2027-01-01T00:00:00Z", billing: "recurring",
  });
  const session = async (who, now = NOW) => {
    const r = await call("POST", "/v1/sessions", { token: key, body: { accountId: `${prefix}-${who}` }, now });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.token;
  };
  const owner = await session("owner");
  const project = await call("POST", "/v1/projects", { token: owner, body: { name: "Shop" }, now: NOW });
  assert.equal(project.status, 201, JSON.stringify(project.body));
  return { key, owner, session, projectId: project.body.projectId };
}

/** The store's whole event feed. */
async function feed(key) {
  const r = await call("GET", "/v1/events?limit=1000", { token: key });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.events;
}

function assertProblem(r, status, code) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.match(r.headers.get("content-type"), /^application\/problem\+json/);
  assert.equal(r.body.code, code, JSON.stringify(r.body));
}

/** `max-age` of a snapshot's `Cache-Control`. */
function maxAge(r) {
  const value = r.headers.get("cache-control") ?? "";
  assert.match(value, /^private, max-age=\d+$/, value);
  return Number(value.split("=")[1]);
}

test("a share's window in every answer; a snapshot cached never past its next start or end", async () => {
  const w = await world("store-a", "va");
  const shared = await call("POST", `/v1/projects/${w.projectId}/shares`, {
    token: w.owner, body: { email: "rec@va.example", startsAt: at(10 * MINUTE), expiresAt: at(DAY) }, now: NOW,
  });
  assert.equal(shared.status, 201, JSON.stringify(shared.body));
  assert.deepEqual(shared.body, {
    projectId: w.projectId, accountId: "va-rec", email: "rec@va.example", sharedAt: NOW,
    startsAt: at(10 * MINUTE), expiresAt: at(DAY), status: "scheduled",
  });
  const rec = await w.session("rec");
  // Scheduled: the snapshot carries it, valid until its start; a cache keeps it no longer.
  const early = await call("GET", "/v1/me/access", { token: rec, now: NOW });
  assert.equal(early.status, 200);
  assert.equal(early.body.validUntil, at(10 * MINUTE));
  assert.equal(maxAge(early), 30, "at most 30 s when the next change is further");
  assert.match(early.headers.get("vary"), /Authorization/);
  const close = await call("GET", "/v1/me/access", { token: rec, now: at(10 * MINUTE - 12_500) });
  assert.equal(maxAge(close), 12, "never past validUntil");
  const notModified = await call("GET", "/v1/me/access", {
    token: rec, now: at(10 * MINUTE - 12_500), headers: { "if-none-match": close.headers.get("etag") },
  });
  assert.equal(notModified.status, 304);
  assert.equal(maxAge(notModified), 12);
  // Active: the recipient's lists show its window; the snapshot is valid until the end.
  const later = await w.session("rec", at(HOUR));
  const active = await call("GET", "/v1/projects", { token: later, now: at(HOUR) });
  assert.deepEqual(active.body.projects.map((p) => [p.id, p.access]), [
    [w.projectId, { startsAt: at(10 * MINUTE), expiresAt: at(DAY), status: "active" }],
  ]);
  const mid = await call("GET", "/v1/me/access", { token: later, now: at(HOUR) });
  assert.equal(mid.body.validUntil, at(DAY));
  // PATCH answers the share as its owner sees it.
  const patched = await call("PATCH", `/v1/projects/${w.projectId}/shares/va-rec`, {
    token: await w.session("owner", at(HOUR)), body: { expiresAt: null }, now: at(HOUR),
  });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  assert.deepEqual([patched.body.status, patched.body.expiresAt], ["active", null]);
  const none = await call("GET", "/v1/me/access", { token: later, now: at(HOUR) });
  assert.equal(none.body.validUntil, null);
  assert.equal(maxAge(none), 30);
  // Every other route's answer keeps `no-store`.
  assert.equal((await call("GET", "/v1/projects", { token: later, now: at(HOUR) })).headers.get("cache-control"), "no-store");
});

test("bad windows are refused with a stable code and write nothing; transfers take no window", async () => {
  const w = await world("store-a", "vb");
  const before = (await feed(w.key)).length;
  const share = (body) => call("POST", `/v1/projects/${w.projectId}/shares`, { token: w.owner, body: { email: "rec@vb.example", ...body }, now: NOW });
  for (const body of [
    { expiresAt: "2026-02-01T00:00:00Z" },
    { expiresAt: NOW },
    { startsAt: at(2 * DAY), expiresAt: at(DAY) },
    { expiresAt: at(731 * DAY) },
    { expiresAt: "2026-04-01T00:00:00+02:00" },
    { expiresAt: "2026-04-01" },
    { startsAt: "soon" },
  ]) {
    assertProblem(await share(body), 422, "invalid_window");
  }
  // The wrong JSON type, or a field no share has, is a malformed body.
  assertProblem(await share({ expiresAt: 1767225600000 }), 400, "invalid_body");
  assertProblem(await share({ until: at(DAY) }), 400, "invalid_body");
  const invite = await call("POST", `/v1/contracts/vb-c1/delegates`, { token: w.owner, body: { email: "rec@vb.example", expiresAt: "tomorrow" }, now: NOW });
  assertProblem(invite, 422, "invalid_window");
  // Windows belong to shares and delegations: transfers and orders refuse them.
  const transfer = await call("POST", `/v1/projects/${w.projectId}/transfer`, { token: w.owner, body: { toEmail: "rec@vb.example", expiresAt: at(DAY) }, now: NOW });
  assertProblem(transfer, 400, "invalid_body");
  const order = await call("POST", "/v1/orders/vb-o1/transfer", { token: w.owner, body: { toEmail: "rec@vb.example", startsAt: at(DAY) }, now: NOW });
  assertProblem(order, 400, "invalid_body");
  const license = await call("POST", "/v1/licenses/vb-L1/transfer", { token: await w.session("rec"), body: { toEmail: "owner@vb.example", expiresAt: at(DAY) }, now: NOW });
  assertProblem(license, 400, "invalid_body");
  // PATCH of nothing, by the wrong caller, with an unknown field.
  assertProblem(await call("PATCH", `/v1/projects/${w.projectId}/shares/vb-rec`, { token: w.owner, body: {}, now: NOW }), 404, "share_not_found");
  assertProblem(await call("PATCH", `/v1/projects/${w.projectId}/shares/vb-rec`, { token: w.owner, body: { endsAt: null }, now: NOW }), 400, "invalid_body");
  assertProblem(await call("PATCH", `/v1/projects/${w.projectId}/shares/vb-rec`, { token: await w.session("other"), body: {}, now: NOW }), 404, "project_not_found");
  assertProblem(await call("PATCH", "/v1/contracts/vb-c1/delegates/vb-rec", { token: await w.session("other"), body: {}, now: NOW }), 404, "contract_not_found");
  assert.equal((await feed(w.key)).length, before, "a refused request wrote an event");
});

test("the cron's sweep with the test clock: each reminder once, the end once within two minutes, reading never waits", async () => {
  const w = await world("store-a", "vc");
  const end = at(10 * DAY);
  const shared = await call("POST", `/v1/projects/${w.projectId}/shares`, { token: w.owner, body: { email: "rec@vc.example", expiresAt: end }, now: NOW });
  assert.equal(shared.status, 201, JSON.stringify(shared.body));
  const rec = await w.session("rec");
  const assigned = await call("POST", `/v1/projects/${w.projectId}/licenses`, { token: rec, body: { licenseKey: "vc-L1" }, now: NOW });
  assert.equal(assigned.status, 201, JSON.stringify(assigned.body));
  const invited = await call("POST", "/v1/contracts/vc-c1/delegates", { token: w.owner, body: { email: "other@vc.example", expiresAt: end }, now: NOW });
  assert.equal(invited.status, 201, JSON.stringify(invited.body));
  const token = (await feed(w.key)).find((e) => e.payload.invitationId === invited.body.invitationId).payload.acceptToken;
  const accepted = await call("POST", "/v1/invitations/accept", { token: await w.session("other"), body: { token }, now: NOW });
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  assert.equal(accepted.body.expiresAt, end);
  const windowEvents = async () => (await feed(w.key))
    .filter((e) => e.payload.projectId === w.projectId || e.payload.contractId === "vc-c1")
    .filter((e) => /^(share|delegate)\.(expiring|expired)$/.test(e.type));
  // Every minute of the days that matter, as the cron runs: 7 days before, 1 day before, the end.
  for (const [from, label] of [[3 * DAY, "7 days"], [9 * DAY, "1 day"]]) {
    for (let minute = -2; minute <= 2; minute++) await worker.sweep(at(from + minute * MINUTE));
    const events = await windowEvents();
    assert.deepEqual(events.map((e) => e.type).sort(), label === "7 days"
      ? ["delegate.expiring", "share.expiring"]
      : ["delegate.expiring", "delegate.expiring", "share.expiring", "share.expiring"], label);
  }
  // At the end, before the cron runs, the recipient and the delegate have lost their access.
  const view = await call("POST", "/v1/authorize", { token: await w.session("rec", end), body: { action: "project.view", resource: { type: "project", id: w.projectId } }, now: end });
  assert.deepEqual(view.body, { allowed: false, reasons: ["not_found"] });
  const licenses = await call("GET", `/v1/projects/${w.projectId}/licenses`, { token: await w.session("owner", end), now: end });
  assert.deepEqual(licenses.body.licenses, [], "the license left the project before any sweep");
  for (let minute = 0; minute <= 3; minute++) await worker.sweep(at(10 * DAY + minute * MINUTE));
  const ended = (await windowEvents()).filter((e) => e.type.endsWith(".expired"));
  assert.deepEqual(ended.map((e) => [e.type, e.payload.accountId, e.payload.expiresAt, e.actorId]).sort(), [
    ["delegate.expired", "vc-other", end, null],
    ["share.expired", "vc-rec", end, null],
  ]);
  for (const e of ended) assert.ok(Date.parse(e.at) - Date.parse(end) < 2 * MINUTE, `${e.type} at ${e.at}`);
  assert.deepEqual(ended.find((e) => e.type === "share.expired").payload.removedLicenseKeys, ["vc-L1"]);
  // What the end implies is in D1: the license off the project, the delegation expired.
  const db = await worker.mf.getD1Database("DB");
  const license = await db.prepare("SELECT project_id FROM licenses WHERE store_id = 'store-a' AND license_key = 'vc-L1'").first();
  assert.equal(license.project_id, null);
  const delegate = await db.prepare("SELECT status, due FROM delegates WHERE store_id = 'store-a' AND contract_id = 'vc-c1'").first();
  assert.deepEqual(delegate, { status: "expired", due: null });
  const share = await db.prepare("SELECT due, data FROM shares WHERE store_id = 'store-a' AND project_id = ?").bind(w.projectId).first();
  assert.equal(share.due, null);
  // The owner's lists keep both as expired.
  const owner = await w.session("owner", at(11 * DAY));
  const projects = await call("GET", "/v1/projects", { token: owner, now: at(11 * DAY) });
  assert.deepEqual(projects.body.projects.find((p) => p.id === w.projectId).sharedWith.map((r) => [r.accountId, r.status]), [["vc-rec", "expired"]]);
  const delegates = await call("GET", "/v1/contracts/vc-c1/delegates", { token: owner, now: at(11 * DAY) });
  assert.deepEqual(delegates.body.delegates.map((d) => [d.accountId, d.status]), [["vc-other", "expired"]]);
});

test("a run of the sweep does a bounded number of stores; the next runs take the rest, each end once", async () => {
  const end = at(2 * HOUR);
  for (const store of SWEPT) {
    const w = await world(store, store);
    const r = await call("POST", `/v1/projects/${w.projectId}/shares`, { token: w.owner, body: { email: `rec@${store}.example`, expiresAt: end }, now: NOW });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const recorded = async () => {
    const counts = [];
    for (const store of SWEPT) counts.push((await feed(keyOf(store))).filter((e) => e.type === "share.expired").length);
    return counts;
  };
  await worker.sweep(at(2 * HOUR + 20_000), { runs: 1 });
  const first = await recorded();
  const done = first.filter((n) => n === 1).length;
  assert.ok(done >= 1 && done < SWEPT.length, `one run recorded ${done} of ${SWEPT.length} stores' ends`);
  assert.ok(first.every((n) => n <= 1));
  await worker.sweep(at(2 * HOUR + 80_000), { runs: 1 });
  await worker.sweep(at(2 * HOUR + 110_000), { runs: 1 });
  assert.deepEqual(await recorded(), SWEPT.map(() => 1), "every end recorded once within two minutes");
});

test("the sweep that records a share's end tells the recipient's live socket (issue 24), on the real clock", async () => {
  // Sessions, the share and the cron on the real clock: a socket's token is checked at its time.
  const put = async (path, body) => assert.equal((await call("PUT", path, { token: worker.keys.storeA, body })).status, 200);
  for (const who of ["owner", "rec"]) await put(`/v1/accounts/vl-${who}`, { email: `${who}@vl.example`, name: who, kind: "customer" });
  const session = async (who) => (await call("POST", "/v1/sessions", { token: worker.keys.storeA, body: { accountId: `vl-${who}` } })).body.token;
  const [owner, rec] = [await session("owner"), await session("rec")];
  const projectId = (await call("POST", "/v1/projects", { token: owner, body: { name: "Live" } })).body.projectId;
  const end = new Date(Date.now() + 2_000).toISOString();
  const shared = await call("POST", `/v1/projects/${projectId}/shares`, { token: owner, body: { email: "rec@vl.example", expiresAt: end } });
  assert.equal(shared.status, 201, JSON.stringify(shared.body));
  const ws = new WebSocket(`${worker.url.replace(/^http/, "ws")}/v1/me/access/live`, [`entitle.${rec}`]);
  const received = [];
  ws.onmessage = (event) => received.push(JSON.parse(event.data));
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error("the socket did not open"));
  });
  try {
    while (Date.now() <= Date.parse(end) + 50) await new Promise((resolve) => setTimeout(resolve, 50));
    const before = received.length;
    const swept = Date.now();
    await worker.sweep(new Date().toISOString(), { runs: 1 });
    const ended = (await feed(worker.keys.storeA)).filter((e) => e.type === "share.expired" && e.payload.projectId === projectId);
    assert.equal(ended.length, 1, "the sweep recorded the end");
    while (received.length === before && Date.now() - swept < 2_000) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(received.at(-1)?.type, "changed", `the recipient was told: ${JSON.stringify(received)}`);
  } finally {
    ws.close();
  }
});

test("every status and error code answered above is documented in openapi.json", () => {
  assert.deepEqual(undocumented(), []);
});
