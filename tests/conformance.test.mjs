// What third-party tools reading openapi.json found the worker doing against the document
// (issue 10: schemathesis), each pinned here so it stays fixed without the tool.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startWorker, client } from "./support/worker.mjs";

let worker;
let call;
const NOW = "2026-03-01T10:00:00.000Z";

before(async () => {
  worker = await startWorker();
  call = client(worker.url);
  const key = worker.keys.storeA;
  const put = async (path, body) => assert.equal((await call("PUT", path, { token: key, body, now: NOW })).status, 200);
  await put("/v1/accounts/reseller", { email: "reseller@a.example", name: "Reseller", kind: "reseller" });
  await put("/v1/accounts/customer", { email: "customer@a.example", name: "Customer", kind: "customer", managedBy: "reseller" });
  await put("/v1/products/plugin", { name: "Plugin", family: "plugins", billing: "one_off" });
});
after(() => worker?.stop());

async function session(accountId) {
  const r = await call("POST", "/v1/sessions", { token: worker.keys.storeA, body: { accountId }, now: NOW });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.token;
}

test("a method the worker does not serve (QUERY) is 405 with Allow, never served as GET", async () => {
  // workers-rs reads any method it does not know as GET; schemathesis sent QUERY and got 200.
  const token = await session("customer");
  for (const method of ["QUERY", "PROPFIND"]) {
    const r = await call(method, "/v1/contracts", { token, now: NOW });
    assert.equal(r.status, 405, `${method}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.code, "method_not_allowed");
    assert.equal(r.headers.get("allow"), "GET, OPTIONS");
  }
});

test("a whole number written with a fraction (2.0, 2e0) is an integer, as JSON Schema says", async () => {
  const reseller = await session("reseller");
  const r = await call("POST", "/v1/licenses", {
    token: reseller,
    raw: '{"productId":"plugin","customerId":"customer","quantity":2.0,"licenseType":"permanent","tier":"primary","customerPaid":true}',
    headers: { "content-type": "application/json" },
    now: NOW,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.licenses.length, 2);
  const project = await call("POST", "/v1/projects", { token: reseller, body: { name: "Server", kind: "server" }, now: NOW });
  assert.equal(project.status, 201, JSON.stringify(project.body));
  const runtime = await call("PATCH", `/v1/projects/${project.body.projectId}/runtime`, {
    token: worker.keys.storeA,
    raw: '{"serverActive":false,"activePanels":3e0}',
    headers: { "content-type": "application/json" },
  });
  assert.equal(runtime.status, 200, JSON.stringify(runtime.body));
  assert.equal(runtime.body.activePanels, 3);
  const events = await call("GET", "/v1/events?limit=2.0", { token: worker.keys.storeA });
  assert.equal(events.status, 200, JSON.stringify(events.body));
  assert.equal(events.body.events.length, 2);
  const projects = await call("GET", "/v1/projects?limit=1.0", { token: reseller, now: NOW });
  assert.equal(projects.status, 200, JSON.stringify(projects.body));
});

test("a number with a real fraction is still refused where an integer is due", async () => {
  const reseller = await session("reseller");
  const r = await call("POST", "/v1/licenses", {
    token: reseller,
    raw: '{"productId":"plugin","customerId":"customer","quantity":1.5,"licenseType":"permanent","tier":"primary","customerPaid":true}',
    headers: { "content-type": "application/json" },
    now: NOW,
  });
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.equal(r.body.code, "invalid_body");
  const events = await call("GET", "/v1/events?limit=1.5", { token: worker.keys.storeA });
  assert.equal(events.status, 400);
  assert.equal(events.body.code, "invalid_limit");
});

test("ids in paths are percent-decoded: an id with `:` or `@` is reachable as encodeURIComponent writes it", async () => {
  // schemathesis sent PUT /v1/contracts/%3AveZ and got 404 invalid_id: `%` is no id character.
  const id = "sku:1@a";
  const path = `/v1/products/${encodeURIComponent(id)}`;
  assert.equal(path, "/v1/products/sku%3A1%40a");
  const r = await call("PUT", path, { token: worker.keys.storeA, body: { name: "Colon", family: "plugins", billing: "one_off" }, now: NOW });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const reseller = await session("reseller");
  const created = await call("POST", "/v1/licenses", {
    token: reseller, now: NOW,
    body: { productId: id, customerId: "customer", quantity: 1, licenseType: "permanent", tier: "primary", customerPaid: true },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  // A segment that decodes to something no id holds is still 404 invalid_id.
  const bad = await call("PUT", "/v1/products/a%20b", { token: worker.keys.storeA, body: { name: "X", family: "plugins", billing: "one_off" } });
  assert.equal(bad.status, 404);
  assert.equal(bad.body.code, "invalid_id");
});
