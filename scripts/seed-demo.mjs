// Seeds the demo store from www/demo-store.json. Idempotent, so scripts/dev.sh can run it on
// every start over a persisted local D1:
//   1. imports accounts, products, licenses, orders and contracts with the store key (PUTs);
//   2. creates the demo projects as their owners would (a session per owner), skipping those
//      that exist by name, reports their device state with the store key, and assigns their
//      licenses;
//   3. creates the reseller's demo licenses through the API, skipping those whose notes exist;
//   4. lets Vite's dev and preview servers call the API from the browser (CORS).
// usage: node scripts/seed-demo.mjs <base url> <store key>
import { readFileSync } from "node:fs";

const [base, key] = process.argv.slice(2);
if (!base || !key) {
  console.error("usage: node scripts/seed-demo.mjs <base url> <store key>");
  process.exit(2);
}
const data = JSON.parse(readFileSync(new URL("../www/demo-store.json", import.meta.url), "utf8"));
const enc = encodeURIComponent;
let count = 0;

async function call(method, path, token, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const allowedOrigins = ["http://localhost:5173", "http://127.0.0.1:5173", "http://localhost:4173", "http://127.0.0.1:4173"];

// The store's records and settings: any failure here is fatal.
try {
  for (const kind of ["accounts", "products", "licenses", "orders", "contracts"]) {
    for (const record of data[kind]) {
      const { id, licenseKey, ...body } = record;
      await call("PUT", `/v1/${kind}/${enc(id ?? licenseKey)}`, key, body);
      count += 1;
    }
  }
  // A storefront developed with Vite (`vite` on 5173, `vite preview` on 4173) runs on its own origin.
  await call("PUT", "/v1/settings", key, { allowedOrigins });
} catch (error) {
  console.error(error.message);
  process.exit(1);
}

// What customers did by hand on a persisted database (a project transferred, a license moved)
// may make a step below impossible: that step is skipped with a warning, the rest goes on.
async function step(what, fn) {
  try {
    await fn();
  } catch (error) {
    console.warn(`seed: skipped ${what}: ${error.message}`);
  }
}

const sessions = new Map();
async function sessionOf(accountId) {
  if (!sessions.has(accountId)) {
    sessions.set(accountId, (await call("POST", "/v1/sessions", key, { accountId })).token);
  }
  return sessions.get(accountId);
}

for (const project of data.projects) await step(`project ${project.name}`, async () => {
  const token = await sessionOf(project.ownerId);
  const { projects } = await call("GET", "/v1/projects", token);
  let id = projects.find((p) => p.name === project.name && p.ownerId === project.ownerId)?.id;
  if (!id) {
    id = (await call("POST", "/v1/projects", token, { name: project.name, kind: project.kind })).projectId;
    count += 1;
  }
  if (project.kind !== "standard") {
    await call("PATCH", `/v1/projects/${enc(id)}/runtime`, key, {
      serverActive: project.serverActive,
      activePanels: project.activePanels,
    });
  }
  const { licenses } = await call("GET", `/v1/projects/${enc(id)}/licenses`, token);
  for (const licenseKey of project.licenseKeys) {
    if (licenses.some((l) => l.licenseKey === licenseKey)) continue;
    await call("POST", `/v1/projects/${enc(id)}/licenses`, token, { licenseKey });
    count += 1;
  }
});

for (const { resellerId, ...order } of data.resellerLicenses) await step(`licenses ${order.resellerNotes}`, async () => {
  const token = await sessionOf(resellerId);
  const { licenses } = await call("GET", "/v1/licenses", token);
  if (licenses.some((l) => l.resellerNotes === order.resellerNotes)) return;
  count += (await call("POST", "/v1/licenses", token, order)).licenses.length;
});
console.log(`seeded the demo store: ${count} records written; CORS for ${allowedOrigins.join(", ")}`);
