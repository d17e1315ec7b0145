// Issue 24's figures: what `Access.fromSigned` costs in Node (WebCrypto's Ed25519 verification,
// then the load `new Access` does), and the time from a delegate revocation's answer to the
// `changed` message on the delegate's socket, against the worker in Miniflare on 127.0.0.1.
// Every loop is bounded in count and time. Usage: node scripts/bench-live.mjs (after
// scripts/build.sh); `--rounds N` sets the revocations timed (default 40).
import { join } from "node:path";
import { WebSocket } from "undici";
import { startWorker, client, root } from "../tests/support/worker.mjs";

const { Access } = await import(join(root, "crates/entitle-wasm/npm/dist/node/index.mjs"));
const rounds = Number(process.argv[process.argv.indexOf("--rounds") + 1]) || 40;
const MAX_MS = 5000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function measureAsync(iterations, fn) {
  for (let i = 0; i < 50; i++) await fn();
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  let done = 0;
  while (done < iterations) {
    await fn();
    done += 1;
    if (Number(process.hrtime.bigint() - start) / 1e6 > MAX_MS) break;
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  return { ops: done, us: (ms * 1000) / done, cpuUs: (used.user + used.system) / done };
}

const stats = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { n: sorted.length, median: at(0.5), p95: at(0.95), min: sorted[0], max: sorted.at(-1) };
};

const worker = await startWorker();
const call = client(worker.url);
const key = worker.keys.storeA;
const ok = (r, status = 200) => {
  if (r.status !== status) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};

try {
  // An owner with `n` subscriptions, each with the delegate `dev`: the snapshots of bench.mjs.
  ok(await call("PUT", "/v1/accounts/owner", { token: key, body: { email: "owner@x.example", name: "Owner", kind: "customer" } }));
  ok(await call("PUT", "/v1/accounts/dev", { token: key, body: { email: "dev@x.example", name: "Dev", kind: "customer" } }));
  ok(await call("PUT", "/v1/products/hosting", { token: key, body: { name: "Hosting", family: "hosting", billing: "recurring" } }));
  const owner = ok(await call("POST", "/v1/sessions", { token: key, body: { accountId: "owner" } }), 201).token;
  const dev = ok(await call("POST", "/v1/sessions", { token: key, body: { accountId: "dev" } }), 201).token;
  const keys = ok(await call("GET", "/v1/keys"));
  const events = async () => ok(await call("GET", "/v1/events?limit=1000&after=" + (events.cursor ?? 0), { token: key }));
  async function delegate(contract) {
    ok(await call("POST", `/v1/contracts/${contract}/delegates`, { token: owner, body: { email: "dev@x.example" } }), 201);
    let acceptToken;
    for (let page = await events(); page.events.length; page = await events()) {
      for (const e of page.events) if (e.type === "delegate.invited") acceptToken = e.payload.acceptToken;
      events.cursor = page.events.at(-1).cursor;
    }
    ok(await call("POST", "/v1/invitations/accept", { token: dev, body: { token: acceptToken } }));
  }

  const rows = [];
  let contracts = 0;
  for (const size of [1, 51]) {
    for (; contracts < size; contracts++) {
      ok(await call("PUT", `/v1/contracts/c${contracts}`, { token: key, body: { ownerId: "owner", productId: "hosting", status: "active", registeredAt: "2026-01-01T00:00:00Z", billing: "recurring" } }));
      await delegate(`c${contracts}`);
    }
    const signed = ok(await call("GET", "/v1/me/access/signed", { token: dev }));
    const now = new Date().toISOString();
    const check = await Access.fromSigned(signed, keys, now);
    if (!check.can("contract.view", "contract", "c0", now) || check.can("contract.billing.view", "contract", "c0", now)) throw new Error("wrong answers");
    check.free();
    const json = Buffer.from(signed.snapshot.split(".")[0], "base64url").length;
    const verified = await measureAsync(20000, async () => (await Access.fromSigned(signed, keys, now)).free());
    const payload = JSON.parse(Buffer.from(signed.snapshot.split(".")[0], "base64url"));
    const loaded = await measureAsync(20000, async () => new Access(payload.state, payload.accountId).free());
    rows.push([`Access.fromSigned (verify Ed25519, then load)`, `${size} contract(s), ${json} B of JSON`, verified]);
    rows.push([`new Access on the same snapshot (the load alone)`, `${size} contract(s)`, loaded]);
  }
  console.log("| what | snapshot | ops | µs/op | CPU µs/op |");
  console.log("| --- | --- | ---: | ---: | ---: |");
  for (const [what, setting, r] of rows) console.log(`| ${what} | ${setting} | ${r.ops} | ${r.us.toFixed(1)} | ${r.cpuUs.toFixed(1)} |`);

  // Revocation to `changed`: the delegate's socket is open; the owner revokes; the clock runs
  // from the revocation's answer (and from its request) to the message's arrival.
  const fromAnswer = [];
  const fromRequest = [];
  const ws = new WebSocket(`${worker.url.replace(/^http/, "ws")}/v1/me/access/live`, [`entitle.${dev}`]);
  let arrived = null;
  ws.onmessage = (event) => {
    if (event.data !== "pong") arrived ??= performance.now();
  };
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  for (let i = 0; i < rounds; i++) {
    await sleep(50);
    arrived = null;
    const sent = performance.now();
    ok(await call("DELETE", "/v1/contracts/c0/delegates/dev", { token: owner }), 204);
    const answered = performance.now();
    const until = answered + 3000;
    while (arrived === null && performance.now() < until) await sleep(1);
    if (arrived === null) throw new Error(`round ${i}: no message within 3 s`);
    fromAnswer.push(arrived - answered);
    fromRequest.push(arrived - sent);
    await delegate("c0");
    await sleep(50);
  }
  ws.close();
  const fmt = (s) => `${s.median.toFixed(1)} | ${s.p95.toFixed(1)} | ${s.min.toFixed(1)} | ${s.max.toFixed(1)}`;
  console.log();
  console.log(`| from | to \`changed\` on the delegate's socket | rounds | median ms | p95 ms | min ms | max ms |`);
  console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
  console.log(`| the revocation's answer received | the message received | ${rounds} | ${fmt(stats(fromAnswer))} |`);
  console.log(`| the revocation's request sent | the message received | ${rounds} | ${fmt(stats(fromRequest))} |`);
} finally {
  await worker.stop();
}
