// The edge data path (issue 21), measured: what each route asks of D1 (round trips and
// statements, from its Server-Timing) on the requests the issue measured before; the import of
// licenses of distinct owners, 1,000 a request; and the latency of authorize and of a share when
// every D1 round trip waits a fixed delay (`D1_DELAY_MS`, the test harness's latency injection),
// against the same requests without it, in the same run.
//
//   node scripts/bench-edge.mjs        (after `bash scripts/build.sh worker`)
//
// Prints Markdown tables for BENCHMARKS.md. The worker runs in Miniflare (local workerd, in-memory
// D1) on 127.0.0.1 with D1's Free-plan limits on. Every loop is bounded in count.
import { performance } from "node:perf_hooks";
import { startWorker, client } from "../tests/support/worker.mjs";

const NOW = "2026-03-01T10:00:00.000Z";
const DELAY_MS = Number(process.env.DELAY_MS ?? 20);
const ROUNDS = Number(process.env.ROUNDS ?? 30);
const IMPORT_REQUESTS = Number(process.env.IMPORT_REQUESTS ?? 10);
const CUSTOMERS = 995;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

function cost(r) {
  const m = /d1;dur=(\d+);desc="(\d+) round trips?, (\d+) statements?"/.exec(r.headers.get("server-timing") ?? "");
  if (!m) throw new Error(`no d1 metric: ${r.headers.get("server-timing")}`);
  return { waited: Number(m[1]), roundTrips: Number(m[2]), statements: Number(m[3]) };
}

async function world(bindings = {}) {
  const worker = await startWorker({ bindings });
  const call = client(worker.url);
  const key = worker.keys.storeA;
  const ok = async (method, path, options, status) => {
    const r = await call(method, path, { now: NOW, ...options });
    if (r.status >= 400 || (status && r.status !== status)) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r;
  };
  const session = async (accountId) => (await ok("POST", "/v1/sessions", { token: key, body: { accountId } })).body.token;
  await ok("POST", "/v1/imports", {
    token: key,
    body: {
      accounts: [
        { id: "client", email: "client@b.example", name: "Client", kind: "customer" },
        { id: "dev", email: "dev@team.example", name: "Dev", kind: "customer" },
        { id: "friend", email: "friend@b.example", name: "Friend", kind: "customer" },
        { id: "reseller", email: "sales@reseller.example", name: "Reseller", kind: "reseller" },
      ],
      products: [{ id: "hosting", name: "Hosting", family: "hosting", billing: "recurring" }],
      contracts: [{ id: "c1", ownerId: "client", productId: "hosting", status: "active", registeredAt: "2026-01-01T00:00:00Z", billing: "recurring" }],
      licenses: [{ licenseKey: "L1", productId: "hosting", ownerId: "client" }],
    },
  });
  await ok("PUT", "/v1/settings", { token: key, body: { allowedOrigins: ["https://shop.example"] } });
  return { worker, call, key, ok, session };
}

/** The rows the issue measured before, and what they ask of D1 now. */
async function routeTable() {
  const w = await world();
  const client = await w.session("client");
  const reseller = await w.session("reseller");
  const project = (await w.ok("POST", "/v1/projects", { token: client, body: { name: "Shop" } })).body.projectId;
  const rows = [];
  const row = async (what, before, method, path, options) => {
    const r = await w.ok(method, path, options);
    const c = cost(r);
    rows.push([what, before, `${c.roundTrips}`, `${c.statements}`]);
  };
  const authorize = { token: client, body: { action: "contract.view", resource: { type: "contract", id: "c1" } } };
  await row("`POST /v1/authorize`", "4 / 4", "POST", "/v1/authorize", authorize);
  await row("`POST /v1/authorize` with an `Origin`", "5 / 5", "POST", "/v1/authorize", { ...authorize, headers: { origin: "https://shop.example" } });
  await row("`GET /v1/me/access`", "3 / 20", "GET", "/v1/me/access", { token: client });
  await row("`GET /v1/me/access?resource=…`", "3 / 3", "GET", `/v1/me/access?resource=project:${project}`, { token: client });
  await row("`GET /v1/projects/{id}/licenses`", "5 / 5", "GET", `/v1/projects/${project}/licenses`, { token: client });
  await row("`POST /v1/contracts/{id}/delegates`", "6 / 12-14", "POST", "/v1/contracts/c1/delegates", { token: client, body: { email: "dev@team.example" } });
  await row("`POST /v1/projects/{id}/shares`", "6 / 12-14", "POST", `/v1/projects/${project}/shares`, { token: client, body: { email: "friend@b.example" } });
  await row("`DELETE /v1/projects/{id}/shares/{accountId}`", "6 / 12-14", "DELETE", `/v1/projects/${project}/shares/friend`, { token: client });
  // A reseller with 995 customers.
  const customers = Array.from({ length: CUSTOMERS }, (_, i) => ({ id: `cu-${i}`, email: `cu${i}@shop.example`, name: `C${i}`, kind: "customer", managedBy: "reseller" }));
  await row("`POST /v1/imports`, 1,000 accounts", "5 / 2,009", "POST", "/v1/imports", {
    token: w.key,
    body: { accounts: [...customers, ...Array.from({ length: 5 }, (_, i) => ({ id: `extra-${i}`, email: `extra${i}@shop.example`, name: "E", kind: "customer" }))] },
  });
  await row("`POST /v1/licenses` (reseller)", "5 / 13", "POST", "/v1/licenses", {
    token: reseller,
    body: { productId: "hosting", customerId: "cu-0", quantity: 1, licenseType: "permanent", tier: "primary", customerPaid: false },
  });
  await row("`PUT /v1/licenses/{key}`", "5 / 10", "PUT", "/v1/licenses/L1", { token: w.key, body: { productId: "hosting", ownerId: "client" } });
  const licenses = Array.from({ length: 1000 }, (_, i) => ({ licenseKey: `D-${i}`, productId: "hosting", ownerId: `cu-${i % CUSTOMERS}` }));
  await row("`POST /v1/imports`, 1,000 licenses of 995 owners", "N + 4, 500 from 9 owners on", "POST", "/v1/imports", { token: w.key, body: { licenses } });
  await row(`\`GET /v1/licenses\` for a reseller with ${CUSTOMERS} customers`, "2 / 998", "GET", "/v1/licenses", { token: reseller });
  await w.worker.stop();
  return rows;
}

/** Licenses of distinct owners, 1,000 a request, imported back to back. */
async function importRate() {
  const w = await world();
  const owners = Array.from({ length: 1000 }, (_, i) => ({ id: `own-${i}`, email: `own${i}@shop.example`, name: `O${i}`, kind: "customer" }));
  await w.ok("POST", "/v1/imports", { token: w.key, body: { accounts: owners } });
  const times = [];
  let statements = 0;
  for (let r = 0; r < IMPORT_REQUESTS; r++) {
    const licenses = Array.from({ length: 1000 }, (_, i) => ({ licenseKey: `R${r}-${i}`, productId: "hosting", ownerId: `own-${i}` }));
    const started = performance.now();
    const answer = await w.ok("POST", "/v1/imports", { token: w.key, body: { licenses } });
    times.push(performance.now() - started);
    statements = Math.max(statements, cost(answer).statements);
  }
  await w.worker.stop();
  const total = times.reduce((a, b) => a + b, 0);
  return { requests: IMPORT_REQUESTS, perRequestMs: median(times), recordsPerSecond: Math.round((IMPORT_REQUESTS * 1000) / (total / 1000)), statements };
}

/** Median latency of authorize and of a share (with its unshare), with a D1 delay or none. */
async function latency(delayMs) {
  const w = await world(delayMs ? { D1_DELAY_MS: String(delayMs) } : {});
  const client = await w.session("client");
  const project = (await w.ok("POST", "/v1/projects", { token: client, body: { name: "Timed" } })).body.projectId;
  const authorize = [];
  const share = [];
  for (let i = 0; i < ROUNDS; i++) {
    let started = performance.now();
    await w.ok("POST", "/v1/authorize", { token: client, body: { action: "project.share", resource: { type: "project", id: project } } });
    authorize.push(performance.now() - started);
    started = performance.now();
    await w.ok("POST", `/v1/projects/${project}/shares`, { token: client, body: { email: "friend@b.example" } }, 201);
    share.push(performance.now() - started);
    await w.ok("DELETE", `/v1/projects/${project}/shares/friend`, { token: client });
  }
  await w.worker.stop();
  return { authorize: median(authorize), share: median(share) };
}

const rows = await routeTable();
const rate = await importRate();
const plain = await latency(0);
const delayed = await latency(DELAY_MS);

console.log(`Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${(await import("node:os")).loadavg().map((l) => l.toFixed(1)).join(", ")}\n`);
console.log("| request | before: round trips / statements | round trips now | statements now |");
console.log("| --- | --- | ---: | ---: |");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
console.log(`\nImports of licenses of 1,000 distinct owners, 1,000 a request, ${rate.requests} requests back to back: ${rate.perRequestMs.toFixed(0)} ms a request (median), **${rate.recordsPerSecond} records/s**, ${rate.statements} statements a request.\n`);
const bound = 1.3 * (DELAY_MS + plain.authorize);
console.log(`| latency, median of ${ROUNDS} | no delay | ${DELAY_MS} ms a round trip | goal |`);
console.log("| --- | ---: | ---: | --- |");
console.log(`| \`POST /v1/authorize\` | ${plain.authorize.toFixed(1)} ms | ${delayed.authorize.toFixed(1)} ms | ≤ 1.3 × (${DELAY_MS} + ${plain.authorize.toFixed(1)}) = ${bound.toFixed(1)} ms: ${delayed.authorize <= bound ? "met" : "NOT met"} |`);
console.log(`| \`POST /v1/projects/{id}/shares\` | ${plain.share.toFixed(1)} ms | ${delayed.share.toFixed(1)} ms | two round trips: about 2 × ${DELAY_MS} ms more |`);
