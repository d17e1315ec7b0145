// Starts the built worker in Miniflare (local workerd) on 127.0.0.1 with fresh, migrated
// in-memory D1 databases (every binding of wrangler.toml: DB and DB_2), two stores with their own
// keys on two databases (`store-b` lives on DB_2), D1's production limits of the Free plan
// enforced (D1_LIMITS = "free": 50 statements per invocation, 100 bound parameters, 100 KB of
// SQL, 2 MB per value), the test clock, the demo sign-in and webhooks to http://127.0.0.1 on
// (retries after 1 s, then 2, 4, ...); the delivery queue and its consumer run too, and so does
// the Durable Object of live changes (wrangler.toml's binding, in memory). Signed snapshots are
// signed with a fresh Ed25519 key (`signingKeys`).
import { Miniflare } from "miniflare";
import { Agent, fetch } from "undici";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { createHash, randomBytes, generateKeyPairSync } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const sha256 = (text) => createHash("sha256").update(text).digest("hex");

/** Statements of a migration file: comments dropped, split at semicolons ending a line. */
function statements(sql) {
  return sql
    .split("\n")
    .filter((line) => !line.trim().startsWith("--"))
    .join("\n")
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A fresh signing key as `SIGNING_KEYS` lists it: `{kid, privateKey: <Ed25519 JWK>}`. */
export function signingKey(kid = `test-${randomBytes(4).toString("hex")}`) {
  return { kid, privateKey: generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }) };
}

/** Where the harness puts stores: `store-b` on the second database, every other store on DB. */
export const STORE_DATABASES = { "store-b": "DB_2" };

/**
 * Starts the worker; `stores` names extra stores, each with the key `sk_test_<name>`;
 * `bindings` replaces any of the bindings below (such as `STORE_KEYS`, `SESSION_SECRET`,
 * `STORE_DATABASES` or `D1_LIMITS`); `extra` any other Miniflare option (such as
 * `durableObjects`). `mf.getD1Database(binding)` reads a database.
 */
export async function startWorker({ stores = [], bindings = {}, options: extra = {} } = {}) {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(root, "wrangler.toml"));
  const keys = { demo: "sk_demo_local_only", storeA: `sk_a_${randomBytes(16).toString("hex")}`, storeB: `sk_b_${randomBytes(16).toString("hex")}` };
  const signingKeys = [signingKey()];
  const options = {
    ...workerOptions,
    host: "127.0.0.1",
    port: 0,
    cf: false,
    modules: true,
    modulesRoot: root,
    scriptPath: join(root, "crates/entitle-worker/build/index.js"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-01",
    bindings: {
      ...workerOptions.bindings,
      STORE_KEYS: JSON.stringify({
        demo: sha256(keys.demo),
        "store-a": sha256(keys.storeA),
        "store-b": sha256(keys.storeB),
        ...Object.fromEntries(stores.map((name) => [name, sha256(`sk_test_${name}`)])),
      }),
      SESSION_SECRET: randomBytes(32).toString("hex"),
      TEST_CLOCK: "on",
      DEMO_SIGNIN: "on",
      WEBHOOK_KEY: randomBytes(32).toString("hex"),
      WEBHOOK_LOCAL_HTTP: "on",
      WEBHOOK_RETRY_SECONDS: "1",
      STORE_DATABASES: JSON.stringify(STORE_DATABASES),
      D1_LIMITS: "free",
      SIGNING_KEYS: JSON.stringify(signingKeys),
      ...bindings,
    },
    ...extra,
  };
  const mf = new Miniflare(options);
  const url = (await mf.ready).toString().replace(/\/$/, "");
  const databases = Object.keys(workerOptions.d1Databases ?? {});
  const migrations = readdirSync(join(root, "migrations")).filter((f) => f.endsWith(".sql")).sort();
  for (const binding of databases) {
    const db = await mf.getD1Database(binding);
    for (const file of migrations) {
      const sql = readFileSync(join(root, "migrations", file), "utf8");
      await db.batch(statements(sql).map((s) => db.prepare(s)));
    }
  }
  /** Restarts the worker with `changed` bindings on the same databases (their rows stay). */
  const rebind = async (changed) => {
    options.bindings = { ...options.bindings, ...changed };
    await mf.setOptions(options);
  };
  /**
   * Runs the cron at `now` (RFC 3339) `runs` times: the windows' sweep, then the webhooks'
   * fan-out and pruning. One run sweeps a bounded number of stores, the longest due first; other
   * tests' stores may be due too, so a test runs it a few times (a run with nothing due does
   * nothing) unless it measures one run.
   */
  const sweep = async (now, { runs = 6 } = {}) => {
    const fetcher = await mf.getWorker();
    for (let run = 0; run < runs; run++) {
      const result = await fetcher.scheduled({ scheduledTime: new Date(now), cron: "* * * * *" });
      if (result.outcome !== "ok") throw new Error(`the cron at ${now}: ${result.outcome}`);
    }
  };
  return { mf, url, keys, signingKeys, databases, rebind, sweep, stop: () => mf.dispose() };
}

/** Every (route, status, code) the worker answered in this process, for the OpenAPI check. */
export const observed = [];

/**
 * One connection per request: a test's burst of parallel POSTs must not land on a pooled
 * connection that the local server is closing for idleness at that moment (a POST is never
 * retried by the client, so that race shows up as "other side closed", not as an answer).
 */
const fresh = new Agent({ pipelining: 0 });

/** A small HTTP client for the worker: JSON in and out; every answer is recorded in `observed`. */
export function client(url) {
  return async function call(method, path, { token, body, now, headers = {}, raw } = {}) {
    const h = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    if (now) h["x-entitle-test-now"] = now;
    let payload;
    if (raw !== undefined) payload = raw;
    else if (body !== undefined) {
      h["content-type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const response = await fetch(url + path, { method, headers: h, body: payload, dispatcher: fresh });
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = { unparsed: text };
    }
    observed.push({ method, path: path.split("?")[0], status: response.status, code: json?.code ?? null });
    return { status: response.status, headers: response.headers, body: json };
  };
}

/**
 * The route table of the worker, read from openapi.json, which is generated from it (a Rust
 * test keeps the committed file fresh): `[{ method, pattern, regex }]`.
 */
export function routeTable() {
  const doc = JSON.parse(readFileSync(join(root, "openapi.json"), "utf8"));
  return Object.entries(doc.paths).flatMap(([pattern, ops]) =>
    Object.keys(ops).map((method) => ({
      method: method.toUpperCase(),
      pattern,
      regex: new RegExp(`^${pattern.replaceAll(/\{[^}]+\}/g, "[^/]+")}$`),
    })),
  );
}

/**
 * Checks that every answer in `observed` is documented in openapi.json: the status under the
 * route's responses, and an error's code named in that response's description.
 * Returns the undocumented answers.
 */
export function undocumented() {
  const doc = JSON.parse(readFileSync(join(root, "openapi.json"), "utf8"));
  const routes = routeTable();
  const missing = new Set();
  for (const o of observed) {
    if (o.code === "route_not_found" || o.code === "method_not_allowed") continue;
    const route = routes.find((r) => r.method === o.method && r.regex.test(o.path));
    if (!route) continue;
    const response = doc.paths[route.pattern]?.[o.method.toLowerCase()]?.responses?.[String(o.status)];
    if (!response) missing.add(`${o.method} ${route.pattern} → ${o.status}`);
    else if (o.status >= 400 && o.code && !response.description.includes(`\`${o.code}\``)) {
      missing.add(`${o.method} ${route.pattern} → ${o.status} ${o.code}`);
    }
  }
  return [...missing].sort();
}
