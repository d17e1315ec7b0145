// Bounded, seeded fuzzing of every route: random JSON bodies, random path parameters and
// random headers, with valid credentials. Bad input must get a 4xx with a code, never a 5xx.
// 12 requests per route and method (about 500 in all), one fixed seed, so the run repeats.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startWorker, client, routeTable } from "./support/worker.mjs";
import { rng } from "./support/rng.mjs";

const SEED = 20261121;
const PER_ROUTE = 12;
let worker;
let call;

const strings = ["", " ", "a", "x".repeat(300), "é☃𝄞", "dev@team-one.example", "not an email", "../../etc", "%00", "null",
  "2026-01-01T00:00:00Z", "2026-13-45T99:99:99Z", "contract.view", "<script>", "' OR 1=1 --", "c1", "demo-hosting"];

function value(r, depth = 0) {
  const pick = Math.floor(r() * (depth > 2 ? 5 : 8));
  switch (pick) {
    case 0: return strings[Math.floor(r() * strings.length)];
    case 1: return Math.floor(r() * 2 ** 31) * (r() < 0.5 ? -1 : 1);
    case 2: return r() < 0.5;
    case 3: return null;
    case 4: return r() * 1e308;
    case 5: return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
    default: {
      const keys = ["email", "name", "kind", "action", "resource", "type", "id", "subject", "body", "licenseKey", "toEmail",
        "productId", "customerId", "quantity", "licenseType", "tier", "customerPaid", "accountId", "ownerId", "billing",
        "status", "registeredAt", "serverActive", "activePanels", "licenseKeys", "recurring", "family", "zzz"];
      return Object.fromEntries(Array.from({ length: Math.floor(r() * 5) }, () => [keys[Math.floor(r() * keys.length)], value(r, depth + 1)]));
    }
  }
}

function param(r) {
  const options = [...strings.filter(Boolean), "demo-hosting", "company-b", "x".repeat(200), "a%2Fb", "%E2%98%83", "%ZZ"];
  const raw = options[Math.floor(r() * options.length)];
  return /%/.test(raw) ? raw : encodeURIComponent(raw);
}

before(async () => {
  worker = await startWorker();
  call = client(worker.url);
  await call("PUT", "/v1/accounts/company-b", { token: worker.keys.demo, body: { email: "client@company-b.example", name: "B", kind: "customer" } });
});
after(() => worker?.stop());

test("no route answers 5xx to random input", async () => {
  const r = rng(SEED);
  const session = (await call("POST", "/v1/sessions", { token: worker.keys.demo, body: { accountId: "company-b" } })).body.token;
  const failures = [];
  let sent = 0;
  for (const route of routeTable()) {
    const credentials = route.pattern.startsWith("/v1/demo") || route.pattern === "/v1/openapi.json" ? [session, undefined]
      : ["PUT", "PATCH"].includes(route.method) || route.pattern === "/v1/sessions" || route.pattern === "/v1/events" ? [worker.keys.demo] : [session];
    for (let i = 0; i < PER_ROUTE; i++) {
      const path = route.pattern.replaceAll(/\{[^}]+\}/g, () => param(r));
      const token = credentials[i % credentials.length];
      const options = { token };
      const shape = route.method === "GET" ? 1 : r();
      if (shape < 0.6) options.body = value(r);
      else if (shape < 0.8) options.raw = JSON.stringify(value(r)).slice(0, Math.floor(r() * 40));
      else if (shape < 0.9) options.raw = "\u0000\u0001garbage";
      if (options.raw !== undefined) options.headers = { "content-type": r() < 0.8 ? "application/json" : "text/plain" };
      const response = await call(route.method, path, options);
      sent += 1;
      if (response.status >= 500) failures.push(`${route.method} ${path} → ${response.status} ${JSON.stringify(response.body)}`);
      else if (response.status >= 400) assert.ok(response.body?.code, `${route.method} ${path} → ${response.status} without a code`);
    }
  }
  assert.ok(sent >= 400, `sent ${sent}`);
  assert.deepEqual(failures, []);
});
