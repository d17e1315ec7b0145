// schemathesis (PyPI, installed by scripts/setup.sh into target/venv) against the worker in
// Miniflare: requests generated from openapi.json, every answer checked against it (status,
// content type, headers, body schema, valid requests accepted, invalid ones refused, `Allow`
// on 405s, methods the document does not list). Fixed seed and bounded examples
// (tests/schemathesis/schemathesis.toml), stopped after 5 minutes at most. The demo store is seeded as scripts/dev.sh
// seeds it, so ids in the store's and accounts' paths exist; requests carry the store key or
// a session, as each operation's `security` says.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { startWorker, root } from "./support/worker.mjs";

const bin = join(root, "target/venv/bin/schemathesis");
const reports = join(root, "target/test-logs/schemathesis");
let worker;

before(async () => {
  worker = await startWorker();
  execFileSync(process.execPath, [join(root, "scripts/seed-demo.mjs"), worker.url, worker.keys.demo], { stdio: "ignore" });
});
after(() => worker?.stop());

async function sessionFor(accountId) {
  const r = await fetch(`${worker.url}/v1/sessions`, {
    method: "POST",
    headers: { authorization: `Bearer ${worker.keys.demo}`, "content-type": "application/json" },
    body: JSON.stringify({ accountId }),
  });
  assert.equal(r.status, 201);
  return (await r.json()).token;
}

/** Runs schemathesis to its end, 5 minutes at most; resolves with its exit code and output. */
function schemathesis(env) {
  return new Promise((resolve) => {
    const child = spawn(bin, [
      "--config-file", join(root, "tests/schemathesis/schemathesis.toml"), "--no-color",
      "run", join(root, "openapi.json"), "--url", worker.url,
      "--report", "ndjson", "--report-dir", reports,
    ], { cwd: root, env: { ...process.env, ...env }, timeout: 300_000, killSignal: "SIGKILL" });
    let output = "";
    child.stdout.on("data", (d) => { output += d; });
    child.stderr.on("data", (d) => { output += d; });
    child.on("close", (code) => resolve({ code, output }));
  });
}

test("schemathesis finds no answer that disagrees with openapi.json", { timeout: 600_000 }, async () => {
  assert.ok(existsSync(bin), "schemathesis is installed (bash scripts/setup.sh)");
  rmSync(reports, { recursive: true, force: true });
  mkdirSync(reports, { recursive: true });
  const { code, output } = await schemathesis({
    ENTITLE_STORE_KEY: worker.keys.demo,
    // The owner of the demo store's hosting contract; the reseller for the reseller's routes.
    ENTITLE_SESSION: await sessionFor("company-b"),
    ENTITLE_RESELLER_SESSION: await sessionFor("reseller"),
  });
  const summary = output.split("\n").filter((line) => /Test cases:|generated|failures?|passed|Seed:/.test(line));
  console.log(summary.join("\n"));
  const report = readdirSync(reports).find((f) => f.endsWith(".ndjson"));
  assert.ok(report, "schemathesis wrote its report");
  assert.ok(readFileSync(join(reports, report), "utf8").length > 0);
  assert.equal(code, 0, output.slice(-20_000));
});
