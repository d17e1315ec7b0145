// Imports the demo store's records through the store API. Idempotent: every import is a PUT.
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
console.log(`seeded the demo store: ${count} records`);
