// Issue 21: what every route asks of D1, first attempt, no conflict, with D1's production
// limits on (the harness enforces the Free plan's 50 statements a request). Each route's round
// trips and statements, read from its `Server-Timing`, must be what the table says: a route
// whose reads are discovered one at a time, or whose statements grow with what it touches,
// fails here by name. Read-only requests take one round trip, commands two (the reads, the
// writes), an idempotent replay one, a preflight one; a cross-origin request costs the same as
// a same-origin one; and no count grows with an account's size, a reseller's customers or an
// import's records (checked below at two sizes each).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startWorker, client, root } from "./support/worker.mjs";

const NOW = "2026-03-01T10:00:00.000Z";
const SHOP = "https://shop.example";

/**
 * Round trips and statements per operation (operationId of openapi.json), as measured on the
 * requests below. A change here is a change of cost: say why in the commit.
 */
const BUDGETS = {
  getOpenApi: [0, 0],
  getErrors: [0, 0],
  getKeys: [0, 0],
  getSignedAccess: [1, 1],
  // A WebSocket route: asked over plain HTTP it is refused before any read (426); the upgrade
  // itself checks the session and hands the socket to the store's object, reading no D1.
  watchAccess: [0, 0],
  createSession: [1, 1],
  createDemoSession: [1, 1],
  getDemoMailbox: [1, 2],
  listEvents: [1, 1],
  getSettings: [1, 1],
  putSettings: [1, 3],
  createWebhook: [1, 2],
  listWebhooks: [1, 1],
  listWebhookDeliveries: [1, 2],
  deleteWebhook: [1, 3],
  putAccount: [2, 6],
  putProduct: [2, 4],
  putLicense: [2, 6],
  putOrder: [2, 6],
  putContract: [2, 6],
  importRecords: [2, 6],
  patchProjectRuntime: [2, 6],
  authorize: [1, 1],
  getAccess: [1, 1],
  listContracts: [1, 1],
  getContract: [1, 1],
  listDelegates: [1, 1],
  inviteDelegate: [2, 6],
  resendInvitation: [2, 6],
  cancelInvitation: [2, 6],
  acceptInvitation: [2, 7],
  acceptInvitationByPath: [2, 7],
  revokeDelegate: [2, 6],
  updateDelegate: [2, 6],
  requestProvisioning: [2, 5],
  createTicket: [2, 6],
  listTickets: [1, 1],
  listCustomers: [1, 1],
  createCustomer: [2, 6],
  listLicenses: [1, 1],
  createLicenses: [2, 6],
  updateLicensePayment: [2, 6],
  transferLicense: [2, 6],
  listProjects: [1, 1],
  createProject: [2, 6],
  listProjectLicenses: [1, 1],
  assignLicense: [2, 6],
  unassignLicense: [2, 6],
  shareProject: [2, 6],
  updateShare: [2, 7],
  unshareProject: [2, 7],
  transferProject: [2, 6],
  transferOrder: [2, 7],
  listTransfers: [1, 1],
  acceptTransfer: [2, 7],
  cancelTransfer: [2, 6],
};

let worker;
let call;
let key;
const measured = new Map();

/** `d1;dur=..;desc="<n> round trips, <m> statements"` of an answer: [n, m]. */
function cost(r) {
  const header = r.headers.get("server-timing") ?? "";
  const m = /d1;dur=\d+;desc="(\d+) round trips?, (\d+) statements?"/.exec(header);
  assert.ok(m, `no d1 metric in Server-Timing: ${header}`);
  return [Number(m[1]), Number(m[2])];
}

/** Calls a route and records what it cost under its operation id; the answer must succeed. */
async function measure(operation, method, path, options = {}, status) {
  const r = await call(method, path, { now: NOW, ...options });
  if (status !== undefined) assert.equal(r.status, status, `${operation}: ${JSON.stringify(r.body)}`);
  else assert.ok(r.status < 400, `${operation}: ${r.status} ${JSON.stringify(r.body)}`);
  const value = cost(r);
  if (!measured.has(operation)) measured.set(operation, value);
  return r;
}

async function put(path, body) {
  const r = await call("PUT", path, { token: key, body, now: NOW });
  assert.ok(r.status < 300, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

async function session(accountId) {
  const r = await call("POST", "/v1/sessions", { token: key, body: { accountId }, now: NOW });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.token;
}

before(async () => {
  worker = await startWorker();
  call = client(worker.url);
  key = worker.keys.storeA;
});
after(() => worker?.stop());

test("every route asks of D1 what its budget says, one read round trip and one write round trip at most", async () => {
  // The store's records, each PUT measured.
  await measure("putAccount", "PUT", "/v1/accounts/client", { token: key, body: { email: "client@b.example", name: "Client", kind: "partner" } });
  for (const [id, email, kind, managedBy] of [
    ["dev", "dev@team.example", "customer"],
    ["stranger", "s@else.example", "customer"],
    ["integrator", "i@int.example", "integrator"],
    ["reseller", "sales@reseller.example", "reseller"],
    ["cust", "cust@shop.example", "customer", "reseller"],
  ]) await put(`/v1/accounts/${id}`, { email, name: id, kind, ...(managedBy ? { managedBy } : {}) });
  await measure("putProduct", "PUT", "/v1/products/hosting", { token: key, body: { name: "Hosting", family: "hosting", billing: "recurring" } });
  await measure("putLicense", "PUT", "/v1/licenses/L1", { token: key, body: { productId: "hosting", ownerId: "client" } });
  await put("/v1/licenses/L2", { productId: "hosting", ownerId: "client" });
  await put("/v1/licenses/L3", { productId: "hosting", ownerId: "dev" });
  await measure("putOrder", "PUT", "/v1/orders/o1", { token: key, body: { ownerId: "client", billingAccountId: "client", licenseKeys: ["L2"], recurring: true } });
  await measure("putContract", "PUT", "/v1/contracts/c1", { token: key, body: { ownerId: "client", productId: "hosting", status: "active", registeredAt: "2026-01-01T00:00:00Z", billing: "recurring" } });
  await measure("importRecords", "POST", "/v1/imports", { token: key, body: { licenses: [{ licenseKey: "L4", productId: "hosting", ownerId: "client" }] } });

  await measure("createSession", "POST", "/v1/sessions", { token: key, body: { accountId: "client" } }, 201);
  const client = await session("client");
  const dev = await session("dev");
  const reseller = await session("reseller");

  // Reads.
  await measure("authorize", "POST", "/v1/authorize", { token: client, body: { action: "contract.view", resource: { type: "contract", id: "c1" } } });
  await measure("getAccess", "GET", "/v1/me/access", { token: client });
  await measure("listContracts", "GET", "/v1/contracts", { token: client });
  await measure("getContract", "GET", "/v1/contracts/c1", { token: client });
  await measure("listDelegates", "GET", "/v1/contracts/c1/delegates", { token: client });
  await measure("listEvents", "GET", "/v1/events", { token: key });
  await measure("listCustomers", "GET", "/v1/customers", { token: reseller });
  await measure("listLicenses", "GET", "/v1/licenses", { token: reseller });
  await measure("listTransfers", "GET", "/v1/transfers", { token: client });
  await measure("getSignedAccess", "GET", "/v1/me/access/signed", { token: client });
  await measure("getKeys", "GET", "/v1/keys", {});
  await measure("watchAccess", "GET", "/v1/me/access/live", { headers: { "sec-websocket-protocol": `entitle.${client}` } }, 426);
  await measure("getOpenApi", "GET", "/v1/openapi.json", {});
  await measure("getErrors", "GET", "/v1/errors", {});

  // Contract delegates.
  const invited = await measure("inviteDelegate", "POST", "/v1/contracts/c1/delegates", { token: client, body: { email: "dev@team.example" } }, 201);
  const invitation = invited.body.invitationId;
  await measure("resendInvitation", "POST", `/v1/contracts/c1/invitations/${invitation}/resend`, { token: client });
  const events = (await call("GET", "/v1/events", { token: key })).body.events;
  const token = events.filter((e) => e.payload.invitationId === invitation).at(-1).payload.acceptToken;
  await measure("acceptInvitation", "POST", "/v1/invitations/accept", { token: dev, body: { token } });
  await measure("requestProvisioning", "POST", "/v1/contracts/c1/provisioning", { token: dev, body: { action: "update_nameservers" } });
  await measure("createTicket", "POST", "/v1/contracts/c1/tickets", { token: dev, body: { subject: "Help", body: "Please" } }, 201);
  await measure("listTickets", "GET", "/v1/contracts/c1/tickets", { token: dev });
  await measure("updateDelegate", "PATCH", "/v1/contracts/c1/delegates/dev", { token: client, body: { expiresAt: "2026-06-01T00:00:00Z" } });
  await measure("revokeDelegate", "DELETE", "/v1/contracts/c1/delegates/dev", { token: client });
  const second = await call("POST", "/v1/contracts/c1/delegates", { token: client, body: { email: "s@else.example" }, now: NOW });
  await measure("cancelInvitation", "DELETE", `/v1/contracts/c1/invitations/${second.body.invitationId}`, { token: client });
  const third = await call("POST", "/v1/contracts/c1/delegates", { token: client, body: { email: "dev@team.example" }, now: NOW });
  const events2 = (await call("GET", "/v1/events", { token: key })).body.events;
  const token2 = events2.filter((e) => e.payload.invitationId === third.body.invitationId).at(-1).payload.acceptToken;
  await measure("acceptInvitationByPath", "POST", `/v1/invitations/${encodeURIComponent(token2)}/accept`, { token: dev });

  // Project sharing.
  const created = await measure("createProject", "POST", "/v1/projects", { token: client, body: { name: "Shop" } }, 201);
  const project = created.body.projectId;
  await measure("shareProject", "POST", `/v1/projects/${project}/shares`, { token: client, body: { email: "dev@team.example" } }, 201);
  await measure("assignLicense", "POST", `/v1/projects/${project}/licenses`, { token: dev, body: { licenseKey: "L3" } });
  // A change of the share's end moves the end of the recipient's license on it too.
  await measure("updateShare", "PATCH", `/v1/projects/${project}/shares/dev`, { token: client, body: { expiresAt: "2026-06-01T00:00:00Z" } });
  await measure("listProjects", "GET", "/v1/projects", { token: client });
  await measure("listProjectLicenses", "GET", `/v1/projects/${project}/licenses`, { token: client });
  await measure("unassignLicense", "DELETE", `/v1/projects/${project}/licenses/L3`, { token: dev });
  await call("POST", `/v1/projects/${project}/licenses`, { token: dev, body: { licenseKey: "L3" }, now: NOW });
  await measure("unshareProject", "DELETE", `/v1/projects/${project}/shares/dev`, { token: client });
  await measure("patchProjectRuntime", "PATCH", `/v1/projects/${project}/runtime`, { token: key, body: { serverActive: false, activePanels: 0 } });

  // Transfers.
  await measure("transferLicense", "POST", "/v1/licenses/L1/transfer", { token: client, body: { toEmail: "s@else.example" } }, 201);
  const stranger = await session("stranger");
  const transfers = (await call("GET", "/v1/transfers", { token: stranger, now: NOW })).body.transfers;
  await measure("cancelTransfer", "POST", `/v1/transfers/${transfers[0].transferId}/cancel`, { token: client });
  const request = await measure("transferProject", "POST", `/v1/projects/${project}/transfer`, { token: client, body: { toEmail: "s@else.example" } }, 201);
  await measure("acceptTransfer", "POST", `/v1/transfers/${request.body.transferId}/accept`, { token: stranger });
  await measure("transferOrder", "POST", "/v1/orders/o1/transfer", { token: client, body: { toEmail: "dev@team.example" } });

  // Reseller licenses.
  await measure("createCustomer", "POST", "/v1/customers", { token: reseller, body: { email: "new@shop.example", name: "New" } }, 201);
  const licenses = await measure("createLicenses", "POST", "/v1/licenses", {
    token: reseller,
    body: { productId: "hosting", customerId: "cust", quantity: 2, licenseType: "permanent", tier: "primary", customerPaid: false },
  }, 201);
  await measure("updateLicensePayment", "PATCH", `/v1/licenses/${licenses.body.licenses[0].licenseKey}`, { token: reseller, body: { customerPaid: true } });

  // Settings and webhooks.
  await measure("putSettings", "PUT", "/v1/settings", { token: key, body: { allowedOrigins: [SHOP] } });
  await measure("getSettings", "GET", "/v1/settings", { token: key });
  const hook = await measure("createWebhook", "POST", "/v1/webhooks", { token: key, body: { url: "http://127.0.0.1:9/hook" } }, 201);
  await measure("listWebhooks", "GET", "/v1/webhooks", { token: key });
  await measure("listWebhookDeliveries", "GET", `/v1/webhooks/${hook.body.webhookId}/deliveries`, { token: key });
  await measure("deleteWebhook", "DELETE", `/v1/webhooks/${hook.body.webhookId}`, { token: key }, 204);

  // The local demo store's routes.
  const demoKey = worker.keys.demo;
  assert.ok((await call("PUT", "/v1/accounts/visitor", { token: demoKey, body: { email: "visitor@demo.example", name: "Visitor", kind: "customer" }, now: NOW })).status < 300);
  const demo = await measure("createDemoSession", "POST", "/v1/demo/sessions", { body: { accountId: "visitor" } }, 201);
  await measure("getDemoMailbox", "GET", "/v1/demo/mailbox", { token: demo.body.token });

  const table = Object.fromEntries([...measured.entries()].sort());
  const expected = Object.fromEntries(Object.entries(BUDGETS).filter(([op]) => measured.has(op)).sort());
  assert.deepEqual(table, expected, `measured:\n${JSON.stringify(table)}`);
  const unmeasured = Object.keys(BUDGETS).filter((op) => !measured.has(op));
  assert.deepEqual(unmeasured, [], "every route of the table is measured above");
  // And every operation of the document has a budget: a new route must say what it costs.
  const doc = JSON.parse(readFileSync(join(root, "openapi.json"), "utf8"));
  const operations = Object.values(doc.paths).flatMap((methods) => Object.values(methods).map((op) => op.operationId));
  assert.deepEqual(operations.filter((op) => !(op in BUDGETS)), [], "operations without a budget");
  assert.equal(Object.keys(BUDGETS).length, operations.length);
  for (const [op, [roundTrips, statements]] of measured) {
    assert.ok(roundTrips <= 2 && statements <= 50, `${op}: ${roundTrips} round trips, ${statements} statements`);
  }
});

test("a cross-origin request, an idempotency key, a replay and a preflight cost what the budgets say", async () => {
  await put("/v1/accounts/o-owner", { email: "o-owner@b.example", name: "Owner", kind: "customer" });
  await put("/v1/accounts/o-friend", { email: "o-friend@b.example", name: "Friend", kind: "customer" });
  assert.equal((await call("PUT", "/v1/settings", { token: key, body: { allowedOrigins: [SHOP] }, now: NOW })).status, 200);
  const owner = await session("o-owner");
  const origin = { origin: SHOP };
  const project = (await call("POST", "/v1/projects", { token: owner, body: { name: "Cross" }, now: NOW })).body.projectId;
  // The same questions with and without `Origin`: the same round trips and statements.
  for (const [method, path, body] of [
    ["GET", "/v1/projects"],
    ["GET", "/v1/me/access"],
    ["POST", "/v1/authorize", { action: "project.share", resource: { type: "project", id: project } }],
  ]) {
    const plain = await call(method, path, { token: owner, body, now: NOW });
    const cross = await call(method, path, { token: owner, body, now: NOW, headers: origin });
    assert.equal(cross.headers.get("access-control-allow-origin"), SHOP, path);
    // The same round trips; the store's answer about the origin rides in the first one.
    assert.deepEqual(cost(cross), [cost(plain)[0], cost(plain)[1] + 1], `${method} ${path} from another origin`);
  }
  const shared = await call("POST", `/v1/projects/${project}/shares`, { token: owner, body: { email: "o-friend@b.example" }, now: NOW, headers: origin });
  assert.equal(shared.status, 201, JSON.stringify(shared.body));
  assert.equal(shared.headers.get("access-control-allow-origin"), SHOP);
  assert.deepEqual(cost(shared), [BUDGETS.shareProject[0], BUDGETS.shareProject[1] + 1], "a cross-origin command");

  // An idempotency key rides in the command's two round trips (its claim with the reads, its
  // answer with the writes); a replay is one round trip.
  const headers = { "idempotency-key": "budget-1" };
  const first = await call("POST", "/v1/projects", { token: owner, body: { name: "Keyed" }, now: NOW, headers });
  assert.equal(first.status, 201);
  const [roundTrips, statements] = cost(first);
  assert.equal(roundTrips, 2, "a keyed command: two round trips");
  assert.equal(statements, BUDGETS.createProject[1] + 3 + 3, "its claim (3 statements) and its stored answer (3)");
  const replay = await call("POST", "/v1/projects", { token: owner, body: { name: "Keyed" }, now: NOW, headers });
  assert.equal(replay.headers.get("idempotent-replayed"), "true");
  assert.equal(cost(replay)[0], 1, "a replay: one round trip");

  // A preflight: one wait, a statement per database.
  const preflight = await call("OPTIONS", "/v1/projects", { headers: { origin: SHOP, "access-control-request-method": "POST" } });
  assert.equal(preflight.status, 204);
  assert.deepEqual(cost(preflight), [1, worker.databases.length]);
});

test("no route's statements grow with an account's size, a reseller's customers or an import's records", async () => {
  // Two resellers: one with 3 customers, one with 150, each customer with two licenses.
  const grow = async (name, customers) => {
    await put(`/v1/accounts/${name}`, { email: `${name}@resellers.example`, name, kind: "reseller" });
    const accounts = Array.from({ length: customers }, (_, i) => ({ id: `${name}-c${i}`, email: `${name}-c${i}@shop.example`, name: `C${i}`, kind: "customer", managedBy: name }));
    assert.equal((await call("POST", "/v1/imports", { token: key, body: { accounts }, now: NOW })).status, 200);
    const licenses = accounts.flatMap((a) => [1, 2].map((n) => ({ licenseKey: `${a.id}-L${n}`, productId: "hosting", ownerId: a.id })));
    const imported = await call("POST", "/v1/imports", { token: key, body: { licenses }, now: NOW });
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    return { imported: cost(imported), token: await session(name) };
  };
  const small = await grow("r-small", 3);
  const large = await grow("r-large", 150);
  assert.deepEqual(large.imported, small.imported, "an import of 300 licenses asks what one of 6 asks");
  for (const [method, path] of [
    ["GET", "/v1/licenses"],
    ["GET", "/v1/licenses?limit=1000"],
    ["GET", "/v1/customers"],
    ["GET", "/v1/me/access"],
    ["GET", "/v1/projects"],
    ["GET", "/v1/transfers"],
  ]) {
    const a = await call(method, path, { token: small.token, now: NOW });
    const b = await call(method, path, { token: large.token, now: NOW });
    assert.equal(b.status, 200, `${path}: ${JSON.stringify(b.body)}`);
    assert.deepEqual(cost(b), cost(a), `${method} ${path}: 150 customers cost what 3 cost`);
  }
  const page = await call("GET", "/v1/licenses?limit=1000", { token: large.token, now: NOW });
  assert.equal(page.body.licenses.length, 300, "the reseller sees its customers' licenses");
  // A thousand licenses created at once cost what one does.
  const one = await call("POST", "/v1/licenses", { token: large.token, now: NOW, body: { productId: "hosting", customerId: "r-large-c0", quantity: 1, licenseType: "permanent", tier: "primary", customerPaid: true } });
  const hundred = await call("POST", "/v1/licenses", { token: large.token, now: NOW, body: { productId: "hosting", customerId: "r-large-c1", quantity: 100, licenseType: "permanent", tier: "primary", customerPaid: true } });
  assert.equal(hundred.status, 201, JSON.stringify(hundred.body));
  assert.deepEqual(cost(hundred), cost(one), "100 licenses in one request cost what 1 costs");
});
