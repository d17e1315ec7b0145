// CORS per store (issue 9): the store's allowed origins (`PUT`/`GET /v1/settings`), preflights,
// the CORS headers of actual answers, `Allow` on every 405, and a real cross-origin page in
// headless Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createServer } from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startWorker, client, root, routeTable, undocumented } from "./support/worker.mjs";

let worker;
let call;
const SHOP = "https://shop.example";
const DEV = "http://localhost:5173";

async function importAccount(key, id) {
  const r = await call("PUT", `/v1/accounts/${id}`, { token: key, body: { email: `${id}@example.com`, name: id, kind: "customer" } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

async function session(key, accountId) {
  const r = await call("POST", "/v1/sessions", { token: key, body: { accountId } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.token;
}

async function allow(key, origins) {
  const r = await call("PUT", "/v1/settings", { token: key, body: { allowedOrigins: origins } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

function assertProblem(r, status, code) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.match(r.headers.get("content-type"), /^application\/problem\+json/);
  assert.equal(r.body.code, code);
}

const preflight = (path, origin, method = "GET", headers = "authorization") =>
  call("OPTIONS", path, { headers: { origin, "access-control-request-method": method, "access-control-request-headers": headers } });

/** The response's headers whose names start with `access-control-`. */
const corsHeaders = (r) => [...r.headers.keys()].filter((name) => name.startsWith("access-control-"));

const varyOrigin = (r) => (r.headers.get("vary") ?? "").split(",").map((v) => v.trim().toLowerCase()).includes("origin");

before(async () => {
  worker = await startWorker();
  call = client(worker.url);
  await importAccount(worker.keys.storeA, "a-client");
  await importAccount(worker.keys.storeB, "b-client");
});
after(() => worker?.stop());

test("settings start empty, round-trip through PUT and GET, per store, and write an event", async () => {
  assert.deepEqual((await call("GET", "/v1/settings", { token: worker.keys.storeA })).body, { allowedOrigins: [] });
  const origins = [SHOP, "https://shop.example:8443", DEV, "http://127.0.0.1:4173", "http://[::1]:5173"];
  const put = await call("PUT", "/v1/settings", { token: worker.keys.storeA, body: { allowedOrigins: origins } });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.deepEqual(put.body, { allowedOrigins: origins });
  assert.deepEqual((await call("GET", "/v1/settings", { token: worker.keys.storeA })).body, { allowedOrigins: origins });
  // Another store's settings are its own.
  assert.deepEqual((await call("GET", "/v1/settings", { token: worker.keys.storeB })).body, { allowedOrigins: [] });
  // A PUT replaces the list whole.
  await allow(worker.keys.storeA, [SHOP]);
  assert.deepEqual((await call("GET", "/v1/settings", { token: worker.keys.storeA })).body, { allowedOrigins: [SHOP] });
  const events = (await call("GET", "/v1/events?limit=1000", { token: worker.keys.storeA })).body.events;
  const updates = events.filter((e) => e.type === "settings.updated");
  assert.equal(updates.length, 2);
  assert.deepEqual(updates.at(-1).payload, { allowedOrigins: [SHOP] });
  assert.equal(updates.at(-1).actorId, null);
});

test("settings are for the store key only", async () => {
  const token = await session(worker.keys.storeA, "a-client");
  assertProblem(await call("GET", "/v1/settings", { token }), 403, "store_key_required");
  assertProblem(await call("PUT", "/v1/settings", { token, body: { allowedOrigins: [] } }), 403, "store_key_required");
  assertProblem(await call("GET", "/v1/settings"), 401, "missing_credentials");
  assertProblem(await call("PUT", "/v1/settings", { token: "sk_nope", body: { allowedOrigins: [] } }), 401, "invalid_store_key");
});

test("invalid origins are 422 invalid_origin naming the index, and change nothing", async () => {
  await allow(worker.keys.storeA, [SHOP]);
  const invalid = [
    "", "null", "*", "shop.example", "https://*.shop.example", "https://shop.example/", "https://shop.example/shop",
    "https://shop.example?x=1", "https://shop.example#top", "https://user:pw@shop.example", "http://shop.example",
    "http://192.168.1.10:5173", "ftp://shop.example", "https://Shop.Example", "https://shop.example:443",
    "http://localhost:80", "https://bücher.example", " https://shop.example", "https://shop.example ", "https://",
    `https://${"a".repeat(300)}.example`,
  ];
  for (const origin of invalid) {
    const r = await call("PUT", "/v1/settings", { token: worker.keys.storeA, body: { allowedOrigins: [DEV, origin] } });
    assertProblem(r, 422, "invalid_origin");
    assert.match(r.body.detail, /allowedOrigins\[1\]/, origin);
  }
  const twice = await call("PUT", "/v1/settings", { token: worker.keys.storeA, body: { allowedOrigins: [SHOP, DEV, SHOP] } });
  assertProblem(twice, 422, "invalid_origin");
  assert.match(twice.body.detail, /allowedOrigins\[2\].*listed twice/);
  assert.deepEqual((await call("GET", "/v1/settings", { token: worker.keys.storeA })).body, { allowedOrigins: [SHOP] });
});

test("more than 20 origins are 422 too_many_origins; 20 are accepted", async () => {
  const many = Array.from({ length: 21 }, (_, i) => `https://shop${i}.example`);
  assertProblem(await call("PUT", "/v1/settings", { token: worker.keys.storeB, body: { allowedOrigins: many } }), 422, "too_many_origins");
  await allow(worker.keys.storeB, many.slice(0, 20));
  assert.equal((await call("GET", "/v1/settings", { token: worker.keys.storeB })).body.allowedOrigins.length, 20);
  await allow(worker.keys.storeB, []);
});

test("malformed settings bodies are 400 with a code", async () => {
  const key = worker.keys.storeA;
  assertProblem(await call("PUT", "/v1/settings", { token: key, raw: "{", headers: { "content-type": "application/json" } }), 400, "malformed_json");
  assertProblem(await call("PUT", "/v1/settings", { token: key, body: {} }), 400, "invalid_body");
  assertProblem(await call("PUT", "/v1/settings", { token: key, body: { allowedOrigins: SHOP } }), 400, "invalid_body");
  assertProblem(await call("PUT", "/v1/settings", { token: key, body: { allowedOrigins: [], extra: 1 } }), 400, "invalid_body");
  assertProblem(await call("PUT", "/v1/settings", { token: key }), 400, "missing_body");
});

test("a preflight from an allowed origin is 204 with the exact origin, Vary, methods, headers and max age", async () => {
  await allow(worker.keys.storeA, [SHOP, DEV]);
  for (const path of ["/v1/me/access", "/v1/projects/p1/shares", "/v1/no-such-route"]) {
    const r = await preflight(path, DEV, "POST", "authorization,content-type,idempotency-key");
    assert.equal(r.status, 204, path);
    assert.equal(r.headers.get("access-control-allow-origin"), DEV);
    assert.ok(varyOrigin(r));
    const methods = r.headers.get("access-control-allow-methods").split(",").map((m) => m.trim());
    assert.deepEqual(methods.sort(), ["DELETE", "GET", "PATCH", "POST", "PUT"]);
    const headers = r.headers.get("access-control-allow-headers").split(",").map((h) => h.trim().toLowerCase());
    assert.deepEqual(headers.sort(), ["authorization", "content-type", "idempotency-key", "if-none-match"]);
    assert.equal(r.headers.get("access-control-max-age"), "7200");
    assert.equal(r.headers.get("access-control-allow-credentials"), null, "no cookies, so no credentials");
  }
});

test("a preflight from an origin no store lists gets no CORS headers", async () => {
  await allow(worker.keys.storeA, [SHOP]);
  for (const origin of ["https://evil.example", "https://shop.example:8443", "http://shop.example", "null", "https://SHOP.example"]) {
    const r = await preflight("/v1/me/access", origin);
    assert.deepEqual(corsHeaders(r), [], origin);
    assert.equal(r.status, 204);
    assert.equal(r.headers.get("allow"), "GET, OPTIONS");
  }
  // A preflight on an unknown path from such an origin is the plain 404.
  const unknown = await preflight("/v1/no-such-route", "https://evil.example");
  assert.deepEqual(corsHeaders(unknown), []);
  assert.equal(unknown.status, 404);
});

test("requests from an origin that is not listed get no CORS headers, success or error", async () => {
  await allow(worker.keys.storeA, [SHOP]);
  const token = await session(worker.keys.storeA, "a-client");
  const origin = "https://evil.example";
  for (const r of [
    await call("GET", "/v1/me/access", { token, headers: { origin } }),
    await call("GET", "/v1/me/access", { token: "bad.token.here", headers: { origin } }),
    await call("GET", "/v1/settings", { token: worker.keys.storeA, headers: { origin } }),
    await call("GET", "/v1/openapi.json", { headers: { origin } }),
    await call("DELETE", "/v1/me/access", { token, headers: { origin } }),
  ]) {
    assert.deepEqual(corsHeaders(r), [], `${r.status}`);
    assert.ok(varyOrigin(r));
  }
});

test("a cross-origin GET /v1/me/access from an allowed origin carries the origin and exposes ETag, on 200, 304 and errors", async () => {
  await allow(worker.keys.storeA, [SHOP]);
  const token = await session(worker.keys.storeA, "a-client");
  const exposed = (r) => r.headers.get("access-control-expose-headers").split(",").map((h) => h.trim().toLowerCase());
  const first = await call("GET", "/v1/me/access", { token, headers: { origin: SHOP } });
  assert.equal(first.status, 200);
  assert.equal(first.headers.get("access-control-allow-origin"), SHOP);
  assert.ok(varyOrigin(first));
  for (const header of ["etag", "request-id", "idempotent-replayed", "retry-after", "location", "allow"]) {
    assert.ok(exposed(first).includes(header), header);
  }
  const etag = first.headers.get("etag");
  assert.ok(etag);
  const again = await call("GET", "/v1/me/access", { token, headers: { origin: SHOP, "if-none-match": etag } });
  assert.equal(again.status, 304);
  assert.equal(again.headers.get("access-control-allow-origin"), SHOP);
  assert.ok(exposed(again).includes("etag"));
  // Errors are readable too: an expired or forged session, an unknown route, a wrong method.
  for (const r of [
    await call("GET", "/v1/me/access", { token: `${token}x`, headers: { origin: SHOP } }),
    await call("GET", "/v1/contracts/nope", { token, headers: { origin: SHOP } }),
    await call("GET", "/v1/no-such-route", { headers: { origin: SHOP } }),
    await call("DELETE", "/v1/me/access", { token, headers: { origin: SHOP } }),
  ]) {
    assert.ok(r.status >= 400, `${r.status}`);
    assert.match(r.headers.get("content-type"), /problem\+json/);
    assert.equal(r.headers.get("access-control-allow-origin"), SHOP, `${r.status} ${r.body.code}`);
  }
});

test("an origin listed only by another store gets no CORS headers on this store's answers", async () => {
  await allow(worker.keys.storeA, [SHOP]);
  await allow(worker.keys.storeB, ["https://other-shop.example"]);
  const tokenB = await session(worker.keys.storeB, "b-client");
  // The preflight names no store, so it passes for an origin any store lists...
  assert.equal((await preflight("/v1/me/access", SHOP)).headers.get("access-control-allow-origin"), SHOP);
  // ...but store B's answer is readable only by store B's origins.
  const r = await call("GET", "/v1/me/access", { token: tokenB, headers: { origin: SHOP } });
  assert.equal(r.status, 200);
  assert.deepEqual(corsHeaders(r), []);
  const own = await call("GET", "/v1/me/access", { token: tokenB, headers: { origin: "https://other-shop.example" } });
  assert.equal(own.headers.get("access-control-allow-origin"), "https://other-shop.example");
  await allow(worker.keys.storeB, []);
});

test("removing an origin takes effect on the very next request", async () => {
  await allow(worker.keys.storeA, [SHOP]);
  const token = await session(worker.keys.storeA, "a-client");
  assert.equal((await call("GET", "/v1/me/access", { token, headers: { origin: SHOP } })).headers.get("access-control-allow-origin"), SHOP);
  await allow(worker.keys.storeA, []);
  assert.deepEqual(corsHeaders(await call("GET", "/v1/me/access", { token, headers: { origin: SHOP } })), []);
  assert.deepEqual(corsHeaders(await preflight("/v1/me/access", SHOP)), []);
});

test("every 405 carries Allow with the methods served on that path", async () => {
  const routes = routeTable();
  const paths = [...new Set(routes.map((r) => r.pattern))];
  const methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];
  let checked = 0;
  for (const pattern of paths) {
    const path = pattern.replaceAll(/\{[^}]+\}/g, "x");
    const served = routes.filter((r) => r.regex.test(path)).map((r) => r.method);
    for (const method of methods.filter((m) => !served.includes(m))) {
      const r = await call(method, path, { token: worker.keys.storeA });
      assertProblem(r, 405, "method_not_allowed");
      assert.deepEqual(r.headers.get("allow").split(", ").sort(), [...served, "OPTIONS"].sort(), `${method} ${pattern}`);
      checked += 1;
    }
    // A plain OPTIONS lists the same methods.
    const options = await call("OPTIONS", path);
    assert.equal(options.status, 204);
    assert.deepEqual(options.headers.get("allow").split(", ").sort(), [...served, "OPTIONS"].sort(), `OPTIONS ${pattern}`);
  }
  assert.ok(checked > 100, `${checked} wrong methods checked`);
});

test("in Chromium, a page on a listed origin reads /v1/me/access cross-origin; other pages are blocked", async () => {
  await importAccount(worker.keys.storeA, "a-browser");
  const token = await session(worker.keys.storeA, "a-browser");
  // Three pages, each on its own origin (127.0.0.1 with its own port): listed by store A, listed
  // only by store B, listed by nobody.
  const page = "<!doctype html><title>storefront</title><p>storefront";
  const servers = await Promise.all([0, 1, 2].map(() => new Promise((resolve) => {
    const server = createServer((req, res) => res.writeHead(200, { "content-type": "text/html" }).end(page));
    server.listen(0, "127.0.0.1", () => resolve(server));
  })));
  const [listed, otherStore, unlisted] = servers.map((s) => `http://127.0.0.1:${s.address().port}`);
  await allow(worker.keys.storeA, [listed]);
  await allow(worker.keys.storeB, [otherStore]);
  const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "entitle-cors-")), {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  try {
    const tab = browser.pages()[0] ?? (await browser.newPage());
    tab.setDefaultTimeout(15_000);
    const fetchAccess = async (origin) => {
      await tab.goto(`${origin}/`);
      return tab.evaluate(async ({ api, token }) => {
        try {
          const r = await fetch(`${api}/v1/me/access`, { headers: { authorization: `Bearer ${token}` }, cache: "no-store" });
          const body = await r.json();
          const etag = r.headers.get("etag");
          const again = await fetch(`${api}/v1/me/access`, { headers: { authorization: `Bearer ${token}`, "if-none-match": etag }, cache: "no-store" });
          return { ok: true, status: r.status, accountId: body.accountId, etag, again: again.status, location: window.location.origin };
        } catch (error) {
          return { ok: false, error: String(error), location: window.location.origin };
        }
      }, { api: worker.url, token });
    };
    const good = await fetchAccess(listed);
    assert.equal(good.location, listed);
    assert.notEqual(new URL(worker.url).origin, listed, "the page runs on another origin than the API");
    assert.deepEqual({ ...good, etag: Boolean(good.etag) }, { ok: true, status: 200, accountId: "a-browser", etag: true, again: 304, location: listed });
    for (const origin of [otherStore, unlisted]) {
      const blocked = await fetchAccess(origin);
      assert.equal(blocked.ok, false, origin);
      assert.match(blocked.error, /TypeError: Failed to fetch/);
    }
  } finally {
    await browser.close();
    for (const server of servers) server.close();
    await allow(worker.keys.storeA, []);
    await allow(worker.keys.storeB, []);
  }
});

test("the seeded demo store allows Vite's dev and preview origins", async () => {
  // Asynchronously: the worker's output is read by this process's event loop, and a blocked loop
  // lets its pipe fill until the worker, and the seeding waiting on it, stop (a deadlock).
  await promisify(execFile)("node", [join(root, "scripts/seed-demo.mjs"), worker.url, worker.keys.demo]);
  const vite = ["http://localhost:5173", "http://127.0.0.1:5173", "http://localhost:4173", "http://127.0.0.1:4173"];
  const settings = await call("GET", "/v1/settings", { token: worker.keys.demo });
  assert.deepEqual(settings.body.allowedOrigins, vite);
  const token = await session(worker.keys.demo, "company-b");
  for (const origin of vite) {
    assert.equal((await preflight("/v1/me/access", origin)).headers.get("access-control-allow-origin"), origin);
    const r = await call("GET", "/v1/me/access", { token, headers: { origin } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("access-control-allow-origin"), origin);
  }
});

test("every status and error code answered above is documented in openapi.json", () => {
  assert.deepEqual(undocumented(), []);
});
