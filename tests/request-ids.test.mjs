// Request ids (issue 10): every answer carries a `Request-Id` header, fresh for each request, and
// every problem+json body repeats it as `requestId`: answers of handlers, errors raised before a
// handler runs (unknown routes, 405, bad credentials, a malformed idempotency key), plain OPTIONS
// and CORS preflights.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startWorker, client, undocumented } from "./support/worker.mjs";

let worker;
let call;
const SHOP = "https://shop.example";
const ID = /^req_[A-Za-z0-9_-]{22}$/;

before(async () => {
  worker = await startWorker();
  call = client(worker.url);
  const listed = await call("PUT", "/v1/settings", { token: worker.keys.storeA, body: { allowedOrigins: [SHOP] } });
  assert.equal(listed.status, 200, JSON.stringify(listed.body));
  const account = await call("PUT", "/v1/accounts/a-client", { token: worker.keys.storeA, body: { email: "client@a.example", name: "Client", kind: "customer" } });
  assert.equal(account.status, 200, JSON.stringify(account.body));
});
after(() => worker?.stop());

function requestId(r) {
  const id = r.headers.get("request-id");
  assert.match(id ?? "", ID, `a Request-Id on ${r.status}: ${[...r.headers].join("; ")}`);
  return id;
}

/** Answers of every kind: success, problem, before and after routing, preflights. */
async function answers() {
  const session = (await call("POST", "/v1/sessions", { token: worker.keys.storeA, body: { accountId: "a-client" } })).body.token;
  return {
    ok: await call("GET", "/v1/openapi.json"),
    created: await call("POST", "/v1/projects", { token: session, body: { name: "P" } }),
    deleted: await call("DELETE", "/v1/projects/nothing/shares/nobody", { token: session }),
    notModified: await (async () => {
      const first = await call("GET", "/v1/me/access", { token: session });
      return call("GET", "/v1/me/access", { token: session, headers: { "if-none-match": first.headers.get("etag") } });
    })(),
    unknownRoute: await call("GET", "/v1/nothing"),
    notAllowed: await call("DELETE", "/v1/projects"),
    noCredentials: await call("GET", "/v1/projects"),
    badKey: await call("POST", "/v1/projects", { token: session, body: { name: "P" }, headers: { "idempotency-key": "" } }),
    badBody: await call("POST", "/v1/projects", { token: session, raw: "{", headers: { "content-type": "application/json" } }),
    refused: await call("POST", "/v1/projects", { token: session, body: { name: "" } }),
    options: await call("OPTIONS", "/v1/projects"),
    optionsUnknown: await call("OPTIONS", "/v1/nothing"),
    preflight: await call("OPTIONS", "/v1/nothing", { headers: { origin: SHOP, "access-control-request-method": "POST" } }),
    preflightUnlisted: await call("OPTIONS", "/v1/nothing", { headers: { origin: "https://other.example", "access-control-request-method": "POST" } }),
  };
}

test("every answer carries a fresh Request-Id, errors before routing and preflights included", async () => {
  const all = await answers();
  const expected = {
    ok: 200, created: 201, deleted: 404, notModified: 304, unknownRoute: 404, notAllowed: 405, noCredentials: 401, badKey: 400,
    badBody: 400, refused: 422, options: 204, optionsUnknown: 404, preflight: 204, preflightUnlisted: 404,
  };
  const ids = new Set();
  for (const [name, r] of Object.entries(all)) {
    assert.equal(r.status, expected[name], `${name}: ${JSON.stringify(r.body)}`);
    ids.add(requestId(r));
  }
  assert.equal(ids.size, Object.keys(all).length, "no two requests share an id");
  assert.ok(all.preflight.headers.get("access-control-allow-origin"), "the listed origin's preflight is a CORS answer");
});

test("every problem+json body repeats its Request-Id as requestId", async () => {
  const all = await answers();
  const problems = Object.entries(all).filter(([, r]) => (r.headers.get("content-type") ?? "").startsWith("application/problem+json"));
  assert.deepEqual(problems.map(([name]) => name).sort(),
    ["badBody", "badKey", "deleted", "noCredentials", "notAllowed", "optionsUnknown", "preflightUnlisted", "refused", "unknownRoute"]);
  for (const [name, r] of problems) assert.equal(r.body.requestId, r.headers.get("request-id"), name);
});

test("a page on a listed origin can read the Request-Id", async () => {
  const r = await call("GET", "/v1/openapi.json", { headers: { origin: SHOP } });
  requestId(r);
  const exposed = (r.headers.get("access-control-expose-headers") ?? "").toLowerCase().split(/,\s*/);
  assert.ok(exposed.includes("request-id"), exposed.join(","));
});

test("a client cannot choose its request id", async () => {
  const r = await call("GET", "/v1/openapi.json", { headers: { "request-id": "req_mine", "cf-ray": "1234-AMS" } });
  const id = requestId(r);
  assert.notEqual(id, "req_mine");
  assert.ok(!id.includes("1234"));
});

test("every status and error code answered above is documented in openapi.json", () => {
  assert.deepEqual(undocumented(), []);
});
