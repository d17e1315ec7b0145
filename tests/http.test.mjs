// HTTP behaviour of the worker that scenarios do not cover: authentication, tenant isolation,
// malformed input, concurrency, the route table against the OpenAPI document.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startWorker, client, root, undocumented } from "./support/worker.mjs";

let worker;
let call;
const NOW = "2026-03-01T10:00:00.000Z";

async function importRecords(key, prefix) {
  const put = (path, body) => call("PUT", path, { token: key, body, now: NOW });
  const ok = (r) => assert.equal(r.status, 200, JSON.stringify(r.body));
  ok(await put(`/v1/accounts/${prefix}-client`, { email: `client@${prefix}.example`, name: "Client", kind: "customer" }));
  ok(await put(`/v1/accounts/${prefix}-dev`, { email: `dev@${prefix}.example`, name: "Dev", kind: "customer" }));
  ok(await put(`/v1/products/${prefix}-hosting`, { name: "Hosting", family: "hosting", billing: "recurring" }));
  ok(await put(`/v1/contracts/${prefix}-c1`, {
    ownerId: `${prefix}-client`, productId: `${prefix}-hosting`, status: "active",
    registeredAt: "2026-01-01T00:00:00Z", renewsAt: "2027-01-01T00:00:00Z", billing: "recurring",
  }));
}

async function session(key, accountId, now = NOW) {
  const r = await call("POST", "/v1/sessions", { token: key, body: { accountId }, now });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.token;
}

function assertProblem(r, status, code) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.match(r.headers.get("content-type"), /^application\/problem\+json/);
  assert.equal(r.body.code, code);
  assert.equal(r.body.status, status);
  assert.ok(r.body.title && r.body.detail && r.body.type, "problem+json has type, title and detail");
}

before(async () => {
  worker = await startWorker();
  call = client(worker.url);
  await importRecords(worker.keys.storeA, "a");
  await importRecords(worker.keys.storeB, "b");
});
after(() => worker?.stop());

test("missing credentials are 401 missing_credentials", async () => {
  assertProblem(await call("GET", "/v1/contracts"), 401, "missing_credentials");
  assertProblem(await call("GET", "/v1/events"), 401, "missing_credentials");
});

test("a malformed authorization header is 401 malformed_credentials", async () => {
  assertProblem(await call("GET", "/v1/contracts", { headers: { authorization: "Basic abc" } }), 401, "malformed_credentials");
});

test("a malformed session token is 401 malformed_token", async () => {
  assertProblem(await call("GET", "/v1/contracts", { token: "not.a.jwt" }), 401, "malformed_token");
  assertProblem(await call("GET", "/v1/contracts", { token: "garbage" }), 401, "malformed_token");
});

test("a forged session token is 401 invalid_token", async () => {
  const real = await session(worker.keys.storeA, "a-client");
  const [header, payload] = real.split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url"));
  const forgedPayload = Buffer.from(JSON.stringify({ ...claims, sub: "a-dev" })).toString("base64url");
  const badSignature = createHmac("sha256", "x".repeat(64)).update(`${header}.${forgedPayload}`).digest("base64url");
  assertProblem(await call("GET", "/v1/contracts", { token: `${header}.${forgedPayload}.${badSignature}` }), 401, "invalid_token");
  // The real signature on altered claims fails too.
  assertProblem(await call("GET", "/v1/contracts", { token: `${header}.${forgedPayload}.${real.split(".")[2]}` }), 401, "invalid_token");
});

test("an expired session token is 401 token_expired", async () => {
  const token = await session(worker.keys.storeA, "a-client", "2026-03-01T10:00:00.000Z");
  const ok = await call("GET", "/v1/contracts", { token, now: "2026-03-01T10:59:59.000Z" });
  assert.equal(ok.status, 200);
  assertProblem(await call("GET", "/v1/contracts", { token, now: "2026-03-01T11:00:00.000Z" }), 401, "token_expired");
});

test("an unknown store key is 401 invalid_store_key; a session on a store route is 403", async () => {
  assertProblem(await call("GET", "/v1/events", { token: "sk_nope" }), 401, "invalid_store_key");
  const token = await session(worker.keys.storeA, "a-client");
  assertProblem(await call("GET", "/v1/events", { token }), 403, "store_key_required");
  assertProblem(await call("GET", "/v1/contracts", { token: worker.keys.storeA }), 403, "session_required");
});

test("sessions are minted only for the store's own accounts", async () => {
  const r = await call("POST", "/v1/sessions", { token: worker.keys.storeA, body: { accountId: "b-client" }, now: NOW });
  assertProblem(r, 404, "account_not_found");
});

test("a session of store A touching store B's records gets 404", async () => {
  // Store B's session sees nothing of store A, though the ids look alike.
  const tokenB = await session(worker.keys.storeB, "b-client");
  assertProblem(await call("GET", "/v1/contracts/a-c1", { token: tokenB, now: NOW }), 404, "contract_not_found");
  assertProblem(await call("POST", "/v1/contracts/a-c1/delegates", { token: tokenB, body: { email: "dev@a.example" }, now: NOW }), 404, "contract_not_found");
  const decision = await call("POST", "/v1/authorize", { token: tokenB, body: { action: "contract.view", resource: { type: "contract", id: "a-c1" } }, now: NOW });
  assert.deepEqual(decision.body, { allowed: false, reasons: ["not_found"] });
  const list = await call("GET", "/v1/contracts", { token: tokenB, now: NOW });
  assert.deepEqual(list.body.contracts.map((c) => c.id), ["b-c1"]);
  // A store key cannot import into another store's records either: it writes its own store.
  const r = await call("PUT", "/v1/contracts/a-c1", { token: worker.keys.storeB, body: {
    ownerId: "a-client", productId: "a-hosting", status: "active", registeredAt: "2026-01-01T00:00:00Z", billing: "recurring",
  }, now: NOW });
  assertProblem(r, 422, "invalid_record");
});

test("bad JSON, unknown fields, wrong types and oversize bodies are 4xx with a code", async () => {
  // A session on the real clock: these requests send no test time.
  const token = await session(worker.keys.storeA, "a-client", null);
  assertProblem(await call("POST", "/v1/projects", { token, raw: "{not json", headers: { "content-type": "application/json" } }), 400, "malformed_json");
  assertProblem(await call("POST", "/v1/projects", { token, body: { name: "x", color: "red" } }), 400, "invalid_body");
  assertProblem(await call("POST", "/v1/projects", { token, body: { name: 42 } }), 400, "invalid_body");
  assertProblem(await call("POST", "/v1/projects", { token }), 400, "missing_body");
  assertProblem(await call("POST", "/v1/projects", { token, raw: "name=x", headers: { "content-type": "application/x-www-form-urlencoded" } }), 415, "unsupported_media_type");
  assertProblem(await call("POST", "/v1/projects", { token, body: { name: "x".repeat(70 * 1024) } }), 413, "body_too_large");
  assertProblem(await call("POST", "/v1/authorize", { token, body: { action: "contract.fly", resource: { type: "contract", id: "a-c1" } } }), 422, "unknown_action");
  assertProblem(await call("POST", "/v1/authorize", { token, body: { action: "contract.view", resource: { type: "project", id: "a-c1" } } }), 422, "action_resource_mismatch");
  assertProblem(await call("PUT", "/v1/accounts/a-x", { token: worker.keys.storeA, body: { email: "nope", name: "X", kind: "customer" } }), 422, "invalid_email");
  assertProblem(await call("PUT", "/v1/accounts/bad%20id", { token: worker.keys.storeA, body: { email: "x@y.example", name: "X", kind: "customer" } }), 404, "invalid_id");
  assertProblem(await call("GET", "/v1/events?limit=0", { token: worker.keys.storeA }), 400, "invalid_limit");
  assertProblem(await call("GET", "/v1/events?after=abc", { token: worker.keys.storeA }), 400, "invalid_cursor");
});

test("bad input writes nothing", async () => {
  const before = await call("GET", "/v1/events?limit=1000", { token: worker.keys.storeA });
  const token = await session(worker.keys.storeA, "a-client");
  await call("POST", "/v1/contracts/a-c1/delegates", { token, body: { email: "nobody@nowhere.example" }, now: NOW });
  await call("POST", "/v1/projects", { token, body: { name: "   " }, now: NOW });
  const afterwards = await call("GET", "/v1/events?limit=1000", { token: worker.keys.storeA });
  assert.equal(afterwards.body.events.length, before.body.events.length);
});

test("unknown routes are 404 route_not_found and wrong methods 405", async () => {
  assertProblem(await call("GET", "/v1/nothing-here"), 404, "route_not_found");
  assertProblem(await call("PATCH", "/v1/contracts", { token: worker.keys.storeA }), 405, "method_not_allowed");
});

test("the event feed pages in commit order with the documented cursors", async () => {
  const all = await call("GET", "/v1/events?limit=1000", { token: worker.keys.storeA });
  assert.equal(all.status, 200);
  assert.equal(all.body.nextCursor, null);
  const cursors = all.body.events.map((e) => Number(e.cursor));
  assert.deepEqual(cursors, [...cursors].sort((a, b) => a - b));
  const first = await call("GET", "/v1/events?limit=2", { token: worker.keys.storeA });
  assert.equal(first.body.events.length, 2);
  assert.equal(first.body.nextCursor, first.body.events[1].cursor);
  const next = await call("GET", `/v1/events?after=${first.body.nextCursor}&limit=2`, { token: worker.keys.storeA });
  assert.equal(next.body.events[0].cursor, all.body.events[2].cursor);
  for (const e of all.body.events) assert.match(e.type, /^[a-z_]+\.[a-z_]+$/);
  // Store B's feed holds none of store A's events.
  const b = await call("GET", "/v1/events?limit=1000", { token: worker.keys.storeB });
  assert.ok(b.body.events.every((e) => !JSON.stringify(e.payload).includes("a-client")));
});

test("the inviter never receives the accept token; the store gets it in the event", async () => {
  const token = await session(worker.keys.storeA, "a-client");
  const r = await call("POST", "/v1/contracts/a-c1/delegates", { token, body: { email: "dev@a.example" }, now: NOW });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.deepEqual(Object.keys(r.body).sort(), ["contractId", "email", "expiresAt", "invitationId", "status"]);
  const events = await call("GET", "/v1/events?limit=1000", { token: worker.keys.storeA });
  const invited = events.body.events.find((e) => e.type === "delegate.invited" && e.payload.invitationId === r.body.invitationId);
  assert.ok(invited.payload.acceptToken.length >= 22, "a token of at least 128 bits");
  // The snapshot the inviter can read holds no token hash either.
  const access = await call("GET", "/v1/me/access", { token, now: NOW });
  assert.ok(access.body.state.invitations.every((i) => i.tokenHash === ""));
  // Clean up for the concurrency test.
  await call("DELETE", `/v1/contracts/a-c1/invitations/${r.body.invitationId}`, { token, now: NOW });
});

test("20 concurrent accepts of one invitation: exactly one succeeds, one delegate row", async () => {
  const owner = await session(worker.keys.storeA, "a-client");
  const invite = await call("POST", "/v1/contracts/a-c1/delegates", { token: owner, body: { email: "dev@a.example" }, now: NOW });
  assert.equal(invite.status, 201, JSON.stringify(invite.body));
  const events = await call("GET", "/v1/events?limit=1000", { token: worker.keys.storeA });
  const acceptToken = events.body.events.filter((e) => e.payload.invitationId === invite.body.invitationId).at(-1).payload.acceptToken;
  const dev = await session(worker.keys.storeA, "a-dev");
  const results = await Promise.all(
    Array.from({ length: 20 }, () => call("POST", `/v1/invitations/${acceptToken}/accept`, { token: dev, now: NOW })),
  );
  const statuses = results.map((r) => r.status);
  assert.equal(statuses.filter((s) => s === 200).length, 1, `statuses: ${statuses}`);
  for (const r of results.filter((r) => r.status !== 200)) {
    assert.equal(r.status, 409);
    assert.ok(["invitation_already_used", "concurrent_modification"].includes(r.body.code), r.body.code);
  }
  const db = await worker.mf.getD1Database("DB");
  const rows = await db.prepare("SELECT COUNT(*) AS n FROM delegates WHERE store_id = 'store-a' AND contract_id = 'a-c1'").first();
  assert.equal(rows.n, 1);
  const accepted = (await call("GET", "/v1/events?limit=1000", { token: worker.keys.storeA })).body.events.filter((e) => e.type === "delegate.accepted");
  assert.equal(accepted.length, 1);
});

test("revocation holds on the very next request", async () => {
  const owner = await session(worker.keys.storeA, "a-client");
  const dev = await session(worker.keys.storeA, "a-dev");
  const before = await call("POST", "/v1/authorize", { token: dev, body: { action: "contract.view", resource: { type: "contract", id: "a-c1" } }, now: NOW });
  assert.deepEqual(before.body, { allowed: true, reasons: ["contract_delegate"] });
  assert.equal((await call("DELETE", "/v1/contracts/a-c1/delegates/a-dev", { token: owner, now: NOW })).status, 204);
  const afterwards = await call("POST", "/v1/authorize", { token: dev, body: { action: "contract.view", resource: { type: "contract", id: "a-c1" } }, now: NOW });
  assert.deepEqual(afterwards.body, { allowed: false, reasons: ["not_found"] });
  assertProblem(await call("GET", "/v1/contracts/a-c1", { token: dev, now: NOW }), 404, "contract_not_found");
});

test("me/access carries an ETag and answers 304 when unchanged", async () => {
  const token = await session(worker.keys.storeA, "a-client");
  const first = await call("GET", "/v1/me/access", { token, now: NOW });
  assert.equal(first.status, 200);
  const etag = first.headers.get("etag");
  assert.ok(etag);
  const second = await call("GET", "/v1/me/access", { token, now: NOW, headers: { "if-none-match": etag } });
  assert.equal(second.status, 304);
});

test("the demo sign-in mints sessions for the demo store only where it is enabled", async () => {
  assertProblem(await call("POST", "/v1/demo/sessions", { body: { accountId: "a-client" }, now: NOW }), 404, "account_not_found");
});

test("the worker serves the committed OpenAPI document, and every documented route", async () => {
  const doc = (await call("GET", "/v1/openapi.json")).body;
  assert.equal(doc.openapi, "3.1.0");
  assert.deepEqual(doc, JSON.parse(readFileSync(join(root, "openapi.json"), "utf8")));
  const documented = Object.entries(doc.paths)
    .flatMap(([path, ops]) => Object.keys(ops).filter((k) => k !== "parameters").map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
  assert.ok(documented.length > 30);
  // And every documented route answers with something other than route_not_found.
  for (const route of documented) {
    const [method, path] = route.split(" ");
    const r = await call(method, path.replaceAll(/\{[^}]+\}/g, "x"));
    assert.notEqual(r.body?.code, "route_not_found", route);
  }
});

test("the API contract's paths all exist", async () => {
  const contract = readFileSync(join(root, "..", "shared", "API.md"), "utf8");
  const named = [...contract.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/v1\/[^`? ]+)/g)].map(([, m, p]) => `${m} ${p}`);
  const doc = JSON.parse(readFileSync(join(root, "openapi.json"), "utf8"));
  const norm = (p) => p.replaceAll(/\{[^}]+\}/g, "{}");
  const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${norm(p)}`)));
  assert.ok(named.length > 25);
  for (const route of named) {
    const [m, p] = route.split(" ");
    assert.ok(documented.has(`${m} ${norm(p)}`), `${route} from API.md is not served`);
  }
});

async function eventsSince(key, cursor) {
  const r = await call("GET", `/v1/events?after=${cursor}&limit=1000`, { token: key });
  return r.body.events;
}

async function lastCursor(key) {
  const all = await eventsSince(key, 0);
  return all.length ? all.at(-1).cursor : "0";
}

test("every delegate step writes its event, in order, with the actor", async () => {
  const key = worker.keys.storeA;
  const put = (path, body) => call("PUT", path, { token: key, body, now: NOW });
  await put("/v1/accounts/ev-client", { email: "client@ev.example", name: "Client", kind: "customer" });
  await put("/v1/accounts/ev-dev", { email: "dev@ev.example", name: "Dev", kind: "customer" });
  await put("/v1/contracts/ev-c", { ownerId: "ev-client", productId: "a-hosting", status: "active", registeredAt: NOW, billing: "recurring" });
  const start = await lastCursor(key);
  const owner = await session(key, "ev-client");
  const dev = await session(key, "ev-dev");
  const first = (await call("POST", "/v1/contracts/ev-c/delegates", { token: owner, body: { email: "dev@ev.example" }, now: NOW })).body;
  assert.equal((await call("DELETE", `/v1/contracts/ev-c/invitations/${first.invitationId}`, { token: owner, now: NOW })).status, 204);
  const second = (await call("POST", "/v1/contracts/ev-c/delegates", { token: owner, body: { email: "dev@ev.example" }, now: NOW })).body;
  assert.equal((await call("POST", `/v1/contracts/ev-c/invitations/${second.invitationId}/resend`, { token: owner, now: NOW })).status, 200);
  const resent = (await eventsSince(key, start)).filter((e) => e.type === "invitation.resent").at(-1);
  assert.equal((await call("POST", `/v1/invitations/${resent.payload.acceptToken}/accept`, { token: dev, now: NOW })).status, 200);
  assert.equal((await call("POST", "/v1/contracts/ev-c/provisioning", { token: dev, body: { action: "update_nameservers" }, now: NOW })).status, 202);
  assert.equal((await call("POST", "/v1/contracts/ev-c/tickets", { token: dev, body: { subject: "DNS", body: "Please" }, now: NOW })).status, 201);
  assert.equal((await call("DELETE", "/v1/contracts/ev-c/delegates/ev-dev", { token: owner, now: NOW })).status, 204);
  const events = await eventsSince(key, start);
  assert.deepEqual(events.map((e) => e.type), [
    "delegate.invited", "invitation.cancelled", "delegate.invited", "invitation.resent", "delegate.accepted",
    "contract.provisioning_requested", "ticket.created", "delegate.revoked",
  ]);
  assert.deepEqual(events.map((e) => e.actorId), ["ev-client", "ev-client", "ev-client", "ev-client", "ev-dev", "ev-dev", "ev-dev", "ev-client"]);
  assert.ok(events.every((e) => e.at === NOW));
  assert.equal(events[5].payload.action, "update_nameservers");
  assert.deepEqual(events[7].payload, { contractId: "ev-c", accountId: "ev-dev" });
});

test("every sharing step writes its event; unsharing lists the licenses it removed", async () => {
  const key = worker.keys.storeA;
  const put = (path, body) => call("PUT", path, { token: key, body, now: NOW });
  await put("/v1/accounts/sh-owner", { email: "owner@sh.example", name: "Owner", kind: "partner" });
  await put("/v1/accounts/sh-rec", { email: "rec@sh.example", name: "Recipient", kind: "customer" });
  await put("/v1/accounts/sh-target", { email: "target@sh.example", name: "Target", kind: "customer" });
  await put("/v1/products/sh-p", { name: "Ext", family: "magento2", billing: "one_off" });
  await put("/v1/licenses/SH-OWN", { productId: "sh-p", ownerId: "sh-owner" });
  await put("/v1/licenses/SH-REC", { productId: "sh-p", ownerId: "sh-rec" });
  await put("/v1/orders/sh-order", { ownerId: "sh-owner", billingAccountId: "sh-owner", licenseKeys: ["SH-OWN"], recurring: true });
  const start = await lastCursor(key);
  const owner = await session(key, "sh-owner");
  const rec = await session(key, "sh-rec");
  const project = (await call("POST", "/v1/projects", { token: owner, body: { name: "Prod" }, now: NOW })).body.projectId;
  assert.equal((await call("POST", `/v1/projects/${project}/shares`, { token: owner, body: { email: "rec@sh.example" }, now: NOW })).status, 201);
  assert.equal((await call("POST", `/v1/projects/${project}/licenses`, { token: owner, body: { licenseKey: "SH-OWN" }, now: NOW })).status, 201);
  assert.equal((await call("POST", `/v1/projects/${project}/licenses`, { token: rec, body: { licenseKey: "SH-REC" }, now: NOW })).status, 201);
  assert.equal((await call("DELETE", `/v1/projects/${project}/licenses/SH-REC`, { token: rec, now: NOW })).status, 204);
  assert.equal((await call("POST", `/v1/projects/${project}/licenses`, { token: rec, body: { licenseKey: "SH-REC" }, now: NOW })).status, 201);
  assert.equal((await call("DELETE", `/v1/projects/${project}/shares/sh-rec`, { token: owner, now: NOW })).status, 204);
  const moved = await call("POST", "/v1/orders/sh-order/transfer", { token: owner, body: { toEmail: "target@sh.example" }, now: NOW });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  assert.deepEqual(moved.body.unassignedLicenseKeys, ["SH-OWN"]);
  assert.equal(moved.body.billingAccountId, "sh-target");
  const events = await eventsSince(key, start);
  assert.deepEqual(events.map((e) => e.type), [
    "project.created", "project.shared", "license.assigned", "license.assigned", "license.unassigned",
    "license.assigned", "project.unshared", "order.transferred",
  ]);
  assert.deepEqual(events[6].payload.removedLicenseKeys, ["SH-REC"]);
  assert.deepEqual(events[7].payload.unassignedLicenseKeys, ["SH-OWN"]);
  // The recipient's license came back to it unassigned; the owner's moved with the order.
  const recLicenses = (await call("GET", "/v1/licenses", { token: rec, now: NOW })).body.licenses;
  assert.equal(recLicenses.find((l) => l.licenseKey === "SH-REC").projectId, undefined);
});

test("10 concurrent transfer requests of one license: exactly one pending transfer", async () => {
  const key = worker.keys.storeA;
  const put = (path, body) => call("PUT", path, { token: key, body, now: NOW });
  await put("/v1/accounts/tr-owner", { email: "owner@tr.example", name: "Owner", kind: "integrator" });
  await put("/v1/accounts/tr-target", { email: "target@tr.example", name: "Target", kind: "integrator" });
  await put("/v1/products/tr-p", { name: "Panel", family: "iridium", billing: "one_off" });
  await put("/v1/licenses/TR-1", { productId: "tr-p", ownerId: "tr-owner" });
  const owner = await session(key, "tr-owner");
  const results = await Promise.all(Array.from({ length: 10 }, () =>
    call("POST", "/v1/licenses/TR-1/transfer", { token: owner, body: { toEmail: "target@tr.example" }, now: NOW })));
  const statuses = results.map((r) => r.status);
  assert.equal(statuses.filter((s) => s === 201).length, 1, `statuses: ${statuses}`);
  for (const r of results.filter((r) => r.status !== 201)) {
    assert.equal(r.status, 409);
    assert.ok(["transfer_pending", "concurrent_modification"].includes(r.body.code), r.body.code);
  }
  const db = await worker.mf.getD1Database("DB");
  const rows = await db.prepare("SELECT COUNT(*) AS n FROM transfers WHERE store_id = 'store-a' AND subject = 'license:TR-1' AND status = 'pending'").first();
  assert.equal(rows.n, 1);
});

test("a large account is refused a whole snapshot, and gets scoped snapshots that do not grow with it", async () => {
  const key = worker.keys.storeA;
  const put = (path, body) => call("PUT", path, { token: key, body, now: NOW });
  assert.equal((await put("/v1/accounts/big", { email: "big@scale.example", name: "Big", kind: "partner" })).status, 200);
  assert.equal((await put("/v1/products/big-p", { name: "Extension", family: "magento2", billing: "one_off" })).status, 200);
  // 2,100 licenses straight into D1 (the import API is tested elsewhere; this is about reading).
  const db = await worker.mf.getD1Database("DB");
  const insert = "INSERT INTO licenses (store_id, license_key, owner_id, product_id, version, data) VALUES ('store-a', ?, 'big', 'big-p', 1, ?)";
  const statements = Array.from({ length: 2100 }, (_, i) => {
    const licenseKey = `BIG-${String(i).padStart(5, "0")}`;
    return db.prepare(insert).bind(licenseKey, JSON.stringify({ licenseKey, productId: "big-p", ownerId: "big" }));
  });
  for (let i = 0; i < statements.length; i += 500) await db.batch(statements.slice(i, i + 500));
  const token = await session(key, "big");
  assertProblem(await call("GET", "/v1/me/access", { token, now: NOW }), 422, "snapshot_too_large");

  const scoped = await call("GET", "/v1/me/access?resource=license:BIG-00042&resource=account:big", { token, now: NOW });
  assert.equal(scoped.status, 200, JSON.stringify(scoped.body));
  assert.deepEqual(scoped.body.state.licenses.map((l) => l.licenseKey), ["BIG-00042"]);
  assert.ok(scoped.headers.get("etag"), `a scoped snapshot has an ETag; headers: ${JSON.stringify([...scoped.headers])}`);
  const decision = await call("POST", "/v1/authorize", { token, body: { action: "license.transfer", resource: { type: "license", id: "BIG-01999" } }, now: NOW });
  assert.deepEqual(decision.body, { allowed: true, reasons: ["owner"] });

  assertProblem(await call("GET", "/v1/me/access?resource=license", { token, now: NOW }), 400, "invalid_resource");
  assertProblem(await call("GET", "/v1/me/access?resource=nothing:1", { token, now: NOW }), 400, "invalid_resource");
  assertProblem(await call("GET", "/v1/me/access?other=1", { token, now: NOW }), 400, "invalid_query");
  const many = Array.from({ length: 51 }, (_, i) => `resource=license:BIG-${String(i).padStart(5, "0")}`).join("&");
  assertProblem(await call("GET", `/v1/me/access?${many}`, { token, now: NOW }), 400, "too_many_resources");
});

test("every status and error code answered above is documented in openapi.json", () => {
  assert.deepEqual(undocumented(), []);
});
