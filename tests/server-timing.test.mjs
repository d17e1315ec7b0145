// Server-Timing (issue 21; shared/API.md, Conventions): every answer, errors, preflights, 404 and
// 405 included, carries `d1;dur=<ms waiting on D1>;desc="<n> round trips, <m> statements"` and
// `total;dur=<ms>`, which a storefront on a listed origin can read; `D1_DELAY_MS` shows in it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startWorker, client, undocumented } from "./support/worker.mjs";

const SHOP = "https://shop.example";
let worker;
let call;

/** The metrics of a `Server-Timing` value: `{ d1: { dur, roundTrips, statements }, total: { dur } }`. */
function serverTiming(r) {
  const value = r.headers.get("server-timing");
  assert.ok(value, `a Server-Timing on ${r.status}: ${[...r.headers].join("; ")}`);
  assert.match(value, /^d1;dur=\d+;desc="\d+ round trips, \d+ statements", total;dur=\d+$/, value);
  // As a browser reads it: metrics separated by commas outside quoted strings, each a name and
  // `;param=value` pairs, a value a token or a quoted string.
  const metrics = {};
  for (const [, name, params] of value.matchAll(/\s*([\w-]+)((?:;[\w-]+=(?:"[^"]*"|[^,;"]*))*)\s*(?:,|$)/g)) {
    const fields = Object.fromEntries([...params.matchAll(/;([\w-]+)=("[^"]*"|[^,;"]*)/g)].map(([, k, v]) => [k, v.replace(/^"|"$/g, "")]));
    metrics[name] = { dur: Number(fields.dur), desc: fields.desc };
  }
  assert.deepEqual(Object.keys(metrics), ["d1", "total"], value);
  const [, roundTrips, statements] = metrics.d1.desc.match(/^(\d+) round trips, (\d+) statements$/);
  metrics.d1.roundTrips = Number(roundTrips);
  metrics.d1.statements = Number(statements);
  assert.ok(metrics.total.dur >= metrics.d1.dur, `the total includes the wait on D1: ${value}`);
  assert.ok(metrics.d1.statements >= metrics.d1.roundTrips, value);
  assert.ok(metrics.d1.roundTrips > 0 || metrics.d1.dur === 0, value);
  return metrics;
}

async function session(key, accountId) {
  const r = await call("POST", "/v1/sessions", { token: key, body: { accountId } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.token;
}

before(async () => {
  worker = await startWorker();
  call = client(worker.url);
  for (const [key, id] of [[worker.keys.storeA, "a-client"], [worker.keys.storeB, "b-client"]]) {
    const r = await call("PUT", `/v1/accounts/${id}`, { token: key, body: { email: `${id}@example.com`, name: "Client", kind: "customer" } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  const listed = await call("PUT", "/v1/settings", { token: worker.keys.storeA, body: { allowedOrigins: [SHOP] } });
  assert.equal(listed.status, 200, JSON.stringify(listed.body));
});
after(() => worker?.stop());

test("every answer carries Server-Timing, with what it asked of D1", async () => {
  const token = await session(worker.keys.storeA, "a-client");
  const answers = {
    document: [await call("GET", "/v1/openapi.json"), 200, "none"],
    unknownRoute: [await call("GET", "/v1/nothing"), 404, "none"],
    notAllowed: [await call("DELETE", "/v1/projects"), 405, "none"],
    options: [await call("OPTIONS", "/v1/projects"), 204, "none"],
    noCredentials: [await call("GET", "/v1/projects"), 401, "none"],
    badBody: [await call("POST", "/v1/projects", { token, raw: "{", headers: { "content-type": "application/json" } }), 400, "none"],
    read: [await call("GET", "/v1/projects", { token }), 200, "some"],
    snapshot: [await call("GET", "/v1/me/access", { token }), 200, "some"],
    command: [await call("POST", "/v1/projects", { token, body: { name: "Timed" } }), 201, "some"],
    refused: [await call("POST", "/v1/projects", { token, body: { name: "" } }), 422, "any"],
    notFound: [await call("GET", "/v1/contracts/nothing", { token }), 404, "some"],
    storeKey: [await call("GET", "/v1/events", { token: worker.keys.storeA }), 200, "some"],
    otherDatabase: [await call("GET", "/v1/events", { token: worker.keys.storeB }), 200, "some"],
    preflight: [await call("OPTIONS", "/v1/projects", { headers: { origin: SHOP, "access-control-request-method": "POST" } }), 204, "some"],
    preflightUnlisted: [await call("OPTIONS", "/v1/projects", { headers: { origin: "https://other.example", "access-control-request-method": "POST" } }), 204, "some"],
  };
  for (const [name, [r, status, d1]] of Object.entries(answers)) {
    assert.equal(r.status, status, `${name}: ${JSON.stringify(r.body)}`);
    const timing = serverTiming(r);
    if (d1 === "none") assert.deepEqual([timing.d1.roundTrips, timing.d1.statements, timing.d1.dur], [0, 0, 0], name);
    else if (d1 === "some") assert.ok(timing.d1.roundTrips >= 1 && timing.d1.statements >= 1, `${name}: ${r.headers.get("server-timing")}`);
  }
  // A command reads, then writes in one more round trip.
  assert.ok(serverTiming(answers.command[0]).d1.roundTrips >= 2, answers.command[0].headers.get("server-timing"));
  // A preflight names no store: it asks each database once, together (DB and DB_2 here): one
  // wait, one round trip, a statement per database.
  assert.equal(serverTiming(answers.preflight[0]).d1.roundTrips, 1);
  assert.equal(serverTiming(answers.preflight[0]).d1.statements, worker.databases.length);
});

test("a page on a listed origin can read Server-Timing, in fetch and in Resource Timing", async () => {
  const token = await session(worker.keys.storeA, "a-client");
  const r = await call("GET", "/v1/projects", { token, headers: { origin: SHOP } });
  assert.equal(r.status, 200);
  serverTiming(r);
  const exposed = (r.headers.get("access-control-expose-headers") ?? "").toLowerCase().split(/,\s*/);
  assert.ok(exposed.includes("server-timing"), exposed.join(","));
  assert.equal(r.headers.get("timing-allow-origin"), SHOP);
  const other = await call("GET", "/v1/projects", { token, headers: { origin: "https://other.example" } });
  serverTiming(other);
  assert.equal(other.headers.get("timing-allow-origin"), null, "an unlisted origin gets no timing either");
});

test("D1_DELAY_MS adds its delay to every round trip, and Server-Timing shows it", async () => {
  const slow = await startWorker({ bindings: { D1_DELAY_MS: "40" } });
  try {
    const slowCall = client(slow.url);
    const put = await slowCall("PUT", "/v1/accounts/slow", { token: slow.keys.storeA, body: { email: "slow@example.com", name: "Slow", kind: "customer" } });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const r = await slowCall("GET", "/v1/events", { token: slow.keys.storeA });
    assert.equal(r.status, 200);
    const timing = serverTiming(r);
    assert.ok(timing.d1.roundTrips >= 1);
    assert.ok(timing.d1.dur >= 40 * timing.d1.roundTrips, r.headers.get("server-timing"));
    const command = serverTiming(put);
    assert.ok(command.d1.dur >= 40 * command.d1.roundTrips, put.headers.get("server-timing"));
  } finally {
    await slow.stop();
  }
});

test("every status and error code answered above is documented in openapi.json", () => {
  assert.deepEqual(undocumented(), []);
});
