// Imports the demo store's records through the store API, and lets Vite's dev and preview
// servers call the API from the browser (CORS). Idempotent: every import is a PUT.
// usage: node scripts/seed-demo.mjs <base url> <store key>
import { readFileSync } from "node:fs";

const [base, key] = process.argv.slice(2);
if (!base || !key) {
  console.error("usage: node scripts/seed-demo.mjs <base url> <store key>");
  process.exit(2);
}
const data = JSON.parse(readFileSync(new URL("../www/demo-store.json", import.meta.url), "utf8"));
const paths = { accounts: "accounts", products: "products", licenses: "licenses", orders: "orders", contracts: "contracts" };
let count = 0;
for (const [kind, path] of Object.entries(paths)) {
  for (const record of data[kind]) {
    const { id, licenseKey, ...body } = record;
    const response = await fetch(`${base}/v1/${path}/${encodeURIComponent(id ?? licenseKey)}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      console.error(`PUT /v1/${path}/${id ?? licenseKey}: ${response.status} ${await response.text()}`);
      process.exit(1);
    }
    count += 1;
  }
}
// A storefront developed with Vite (`vite` on 5173, `vite preview` on 4173) runs on its own origin.
const allowedOrigins = ["http://localhost:5173", "http://127.0.0.1:5173", "http://localhost:4173", "http://127.0.0.1:4173"];
const settings = await fetch(`${base}/v1/settings`, {
  method: "PUT",
  headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
  body: JSON.stringify({ allowedOrigins }),
});
if (!settings.ok) {
  console.error(`PUT /v1/settings: ${settings.status} ${await settings.text()}`);
  process.exit(1);
}
console.log(`seeded the demo store: ${count} records; CORS for ${allowedOrigins.join(", ")}`);
