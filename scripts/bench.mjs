// Speed and size of entitle's decisions, with a peer in the same run:
//   - entitle in Node: Access.can on a loaded snapshot, and authorize() decoding the snapshot each call
//   - @cedar-policy/cedar-wasm isAuthorized() on the equivalent question (policies + entities)
//   - the worker over HTTP on 127.0.0.1 (Miniflare): POST /v1/authorize against a no-op GET
//   - wasm sizes, raw and gzip
// Every loop is bounded in count and time. Usage: node scripts/bench.mjs (after scripts/build.sh)
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { startWorker, client, root } from "../tests/support/worker.mjs";

const require = createRequire(import.meta.url);
const entitle = require(join(root, "crates/entitle-wasm/npm/dist/node/entitle_wasm.js"));
const cedar = require("@cedar-policy/cedar-wasm/nodejs");

const NOW = "2026-03-01T10:00:00.000Z";
const MAX_MS = 3000;

function measure(name, iterations, fn) {
  for (let i = 0; i < Math.min(1000, iterations); i++) fn(); // warm-up
  const start = process.hrtime.bigint();
  let done = 0;
  while (done < iterations) {
    fn();
    done += 1;
    if (done % 500 === 0 && Number(process.hrtime.bigint() - start) / 1e6 > MAX_MS) break;
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { name, iterations: done, usPerOp: (ms * 1000) / done, opsPerSec: Math.round(done / (ms / 1000)) };
}

async function measureAsync(name, iterations, fn) {
  for (let i = 0; i < 20; i++) await fn();
  const start = process.hrtime.bigint();
  let done = 0;
  while (done < iterations) {
    await fn();
    done += 1;
    if (Number(process.hrtime.bigint() - start) / 1e6 > MAX_MS * 3) break;
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { name, iterations: done, usPerOp: (ms * 1000) / done, opsPerSec: Math.round(done / (ms / 1000)) };
}

// The same world for both engines: a client owning a subscription with one delegate and
// `extra` other contracts, so snapshot size matters as it would for a real account.
function world(extra) {
  const state = {
    accounts: [
      { id: "client", email: "client@b.example", name: "Client", kind: "customer" },
      { id: "dev", email: "dev@team.example", name: "Dev", kind: "customer" },
    ],
    products: [{ id: "hosting", name: "Hosting", family: "hosting", billing: "recurring" }],
    contracts: [],
    delegates: [],
  };
  for (let i = 0; i <= extra; i++) {
    state.contracts.push({ id: `c${i}`, ownerId: "client", productId: "hosting", status: "active", registeredAt: NOW, billing: "recurring" });
    state.delegates.push({ contractId: `c${i}`, accountId: "dev", status: "active", addedAt: NOW, invitationId: `inv${i}` });
  }
  const entities = [
    { uid: { type: "User", id: "client" }, attrs: {}, parents: [] },
    { uid: { type: "User", id: "dev" }, attrs: {}, parents: [] },
    ...state.contracts.map((c) => ({
      uid: { type: "Contract", id: c.id },
      attrs: { owner: { __entity: { type: "User", id: "client" } }, delegates: [{ __entity: { type: "User", id: "dev" } }] },
      parents: [],
    })),
  ];
  return { state, entities };
}

const policies = {
  staticPolicies: `
    permit(principal, action, resource is Contract) when { resource.owner == principal };
    permit(principal, action in [Action::"contract.view", Action::"contract.provision", Action::"contract.tickets.create", Action::"contract.tickets.view"], resource is Contract)
      when { resource.delegates.contains(principal) };`,
};

const rows = [];
for (const extra of [0, 50]) {
  const { state, entities } = world(extra);
  const snapshot = entitle.accessSnapshot(state, "dev");
  const access = new entitle.Access(snapshot, "dev");
  if (!access.can("contract.view", "contract", "c0", NOW) || access.can("contract.billing.view", "contract", "c0", NOW)) throw new Error("entitle gave a wrong answer");
  const call = (action) => ({
    principal: { type: "User", id: "dev" }, action: { type: "Action", id: action }, resource: { type: "Contract", id: "c0" },
    context: {}, policies, entities,
  });
  const answer = cedar.isAuthorized(call("contract.view"));
  if (answer.type !== "success" || answer.response.decision !== "allow") throw new Error(`cedar gave ${JSON.stringify(answer)}`);
  if (cedar.isAuthorized(call("contract.billing.view")).response.decision !== "deny") throw new Error("cedar allowed billing");
  const label = `${extra + 1} contract${extra ? "s" : ""} in the snapshot`;
  rows.push({ ...measure("entitle Access.can (snapshot loaded once)", 200_000, () => access.can("contract.view", "contract", "c0", NOW)), label });
  rows.push({ ...measure("entitle authorize (snapshot decoded per call)", 50_000, () => entitle.authorize(snapshot, "dev", "contract.view", { type: "contract", id: "c0" }, NOW)), label });
  rows.push({ ...measure("cedar-wasm isAuthorized (policies and entities per call)", 50_000, () => cedar.isAuthorized(call("contract.view"))), label });
  access.free();
}

// Over HTTP, sequentially, against the worker in local workerd.
const worker = await startWorker();
const http = client(worker.url);
const key = worker.keys.storeA;
await http("PUT", "/v1/accounts/client", { token: key, body: { email: "client@b.example", name: "Client", kind: "customer" } });
await http("PUT", "/v1/products/hosting", { token: key, body: { name: "Hosting", family: "hosting", billing: "recurring" } });
await http("PUT", "/v1/contracts/c0", { token: key, body: { ownerId: "client", productId: "hosting", status: "active", registeredAt: NOW, billing: "recurring" } });
const token = (await http("POST", "/v1/sessions", { token: key, body: { accountId: "client" } })).body.token;
rows.push({ ...(await measureAsync("worker GET /v1/openapi.json (no D1, baseline)", 300, () => http("GET", "/v1/openapi.json"))), label: "HTTP, sequential" });
rows.push({ ...(await measureAsync("worker POST /v1/authorize (2 D1 batches + rules)", 300, () =>
  http("POST", "/v1/authorize", { token, body: { action: "contract.delegates.manage", resource: { type: "contract", id: "c0" } } }))), label: "HTTP, sequential" });
let n = 0;
rows.push({ ...(await measureAsync("worker POST /v1/projects (load, rules, 1 D1 write batch)", 200, () =>
  http("POST", "/v1/projects", { token, body: { name: `p${n++}` } }))), label: "HTTP, sequential" });
await worker.stop();

const size = (path) => {
  const bytes = readFileSync(join(root, path));
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
};
const sizes = [
  ["@entitle/rules (npm package, web target)", size("crates/entitle-wasm/npm/dist/web/entitle_wasm_bg.wasm")],
  ["entitle worker", size("crates/entitle-worker/build/index_bg.wasm")],
  ["@cedar-policy/cedar-wasm 4.13.0 (web)", size("node_modules/@cedar-policy/cedar-wasm/web/cedar_wasm_bg.wasm")],
];

console.log(`Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
console.log("| what | setting | ops | µs/op | ops/s |\n| --- | --- | ---: | ---: | ---: |");
for (const r of rows) console.log(`| ${r.name} | ${r.label} | ${r.iterations} | ${r.usPerOp.toFixed(2)} | ${r.opsPerSec} |`);
console.log("\n| wasm | raw KB | gzip KB |\n| --- | ---: | ---: |");
for (const [name, s] of sizes) console.log(`| ${name} | ${(s.raw / 1024).toFixed(0)} | ${(s.gzip / 1024).toFixed(0)} |`);
