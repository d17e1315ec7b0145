// What windows of access (issue 23) cost the decisions of the check-only module, before and after
// in one run: `Access.check` on a loaded snapshot and `authorize` decoding the snapshot per call,
// each through the module's own exports (the JavaScript layer in front of them is the same in
// both builds), on the world of scripts/bench.mjs (a delegate on 1 or 51 contracts), and after
// windows also on a snapshot whose every delegation has a window (started, ending later), so the
// window is looked at on every check. Rows of the two builds are measured in turns, three rounds,
// and the median of the rounds is reported. Bounded in count and time.
//
//   node scripts/bench-windows.mjs <before> <after>
//
// Each argument is a directory holding wasm-bindgen's `--target nodejs` output of a check-only
// build (`cargo build -p entitle-wasm --release --target wasm32-unknown-unknown`, then
// wasm-bindgen with `--remove-name-section --remove-producers-section` and `wasm-opt -Oz` as
// scripts/build.sh runs them), such as one of the commit before windows and one of now.
import { createRequire } from "node:module";
import { resolve } from "node:path";

const require = createRequire(import.meta.url);
const [beforeDir, afterDir] = process.argv.slice(2);
if (!beforeDir || !afterDir) throw new Error("usage: node scripts/bench-windows.mjs <before glue dir> <after glue dir>");
const builds = { before: require(resolve(beforeDir, "entitle_rules.js")), after: require(resolve(afterDir, "entitle_rules.js")) };

const NOW = "2026-03-01T10:00:00.000Z";
const MILLIS = Date.parse(NOW);
const MAX_MS = 2000;

function measure(iterations, fn) {
  const warm = process.hrtime.bigint();
  for (let i = 0; i < iterations && Number(process.hrtime.bigint() - warm) / 1e6 < 300; i++) fn();
  const start = process.hrtime.bigint();
  let done = 0;
  while (done < iterations) {
    fn();
    done += 1;
    if (done % 500 === 0 && Number(process.hrtime.bigint() - start) / 1e6 > MAX_MS) break;
  }
  return (Number(process.hrtime.bigint() - start) / 1e3) / done;
}

/** The delegate's snapshot: its account, the client's, `extra + 1` contracts and its delegations. */
function snapshot(extra, windowed) {
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
    const delegate = { contractId: `c${i}`, accountId: "dev", status: "active", addedAt: "2026-01-01T00:00:00.000Z", invitationId: `inv${i}` };
    if (windowed) Object.assign(delegate, { startsAt: "2026-02-01T00:00:00.000Z", expiresAt: "2026-06-01T00:00:00.000Z", nextNoticeAt: "2026-05-25T00:00:00.000Z" });
    state.delegates.push(delegate);
  }
  return JSON.stringify(state);
}

/** The two measurements of one setting on one build. */
function run(glue, build, json, target) {
  const access = build === "before" ? new glue.Access(json, "dev") : new glue.Access(json, "dev", MILLIS);
  const action = JSON.parse(glue.actionNames()).indexOf("contract.view");
  const resource = JSON.parse(access.resources()).findIndex((r) => r.type === "contract" && r.id === target);
  if (access.check(action, resource, MILLIS) !== 1) throw new Error(`${build}: a wrong answer`);
  const resourceJson = JSON.stringify({ type: "contract", id: target });
  const can = measure(1_000_000, () => access.check(action, resource, MILLIS));
  const decide = measure(50_000, () => glue.authorize(json, "dev", "contract.view", resourceJson, NOW));
  access.free();
  return { can, decide };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const settings = [];
for (const extra of [0, 50]) {
  for (const target of extra ? ["c0", `c${extra}`] : ["c0"]) {
    const label = `${extra + 1} contract${extra ? "s" : ""}, asking about ${target}`;
    settings.push({ build: "before", label, json: snapshot(extra, false), target });
    settings.push({ build: "after", label, json: snapshot(extra, false), target });
    settings.push({ build: "after", label: `${label}, every delegation with a window`, json: snapshot(extra, true), target });
  }
}
const results = settings.map(() => ({ can: [], decide: [] }));
for (let round = 0; round < 3; round++) {
  settings.forEach((s, i) => {
    const { can, decide } = run(builds[s.build], s.build, s.json, s.target);
    results[i].can.push(can);
    results[i].decide.push(decide);
  });
}
console.log("| build | setting | Access.can µs/op | authorize µs/op |");
console.log("| --- | --- | ---: | ---: |");
settings.forEach((s, i) => {
  console.log(`| ${s.build} | ${s.label} | ${median(results[i].can).toFixed(3)} | ${median(results[i].decide).toFixed(2)} |`);
});
