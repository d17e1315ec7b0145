// A database per store and D1's production limits (issue 21). The harness puts `store-b` on the
// second D1 database (DB_2, `STORE_DATABASES`) and enforces the Free plan's limits in every test
// (`D1_LIMITS = "free"`). Here: a store on DB_2 writes only there; a store whose binding is not
// a D1 database is 500 `misconfigured` while the others keep working; webhooks of a store on
// DB_2 are delivered, by the request's fan-out and by the cron sweep; past the statements one
// request may run, a request is refused before D1 sees it and writes nothing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { startWorker, client, undocumented } from "./support/worker.mjs";
import { copyStore, deleteStore } from "../scripts/move-store.mjs";

let worker;
let call;

function assertProblem(r, status, code) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.match(r.headers.get("content-type") ?? "", /^application\/problem\+json/);
  assert.equal(r.body.code, code, JSON.stringify(r.body));
}

/** Rows of `store` in every table of `binding` that has a `store_id` column, by table. */
async function rowsOf(target, binding, store) {
  const db = await target.mf.getD1Database(binding);
  const tables = (await db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%'").all()).results.map((t) => t.name);
  const counts = {};
  for (const table of tables) {
    const columns = (await db.prepare(`PRAGMA table_info(${table})`).all()).results.map((c) => c.name);
    if (!columns.includes("store_id")) continue;
    const { n } = await db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE store_id = ?`).bind(store).first();
    if (n > 0) counts[table] = n;
  }
  return counts;
}

const put = (key, path, body, via = call) => via("PUT", path, { token: key, body });

/** A store's records: two accounts, a product, its origins, a project shared through a session. */
async function someRecords(key, prefix, via = call) {
  const put = (k, path, body) => via("PUT", path, { token: k, body });
  const call = via;
  for (const r of [
    await put(key, `/v1/accounts/${prefix}-owner`, { email: `owner@${prefix}.example`, name: "Owner", kind: "customer" }),
    await put(key, `/v1/accounts/${prefix}-friend`, { email: `friend@${prefix}.example`, name: "Friend", kind: "customer" }),
    await put(key, `/v1/products/${prefix}-tool`, { name: "Tool", family: "tools", billing: "one_off" }),
    await put(key, "/v1/settings", { allowedOrigins: [`https://${prefix}.example`] }),
  ]) {
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  const s = await call("POST", "/v1/sessions", { token: key, body: { accountId: `${prefix}-owner` } });
  assert.equal(s.status, 201, JSON.stringify(s.body));
  const project = await call("POST", "/v1/projects", { token: s.body.token, body: { name: "Shop" }, headers: { "idempotency-key": `${prefix}-1` } });
  assert.equal(project.status, 201, JSON.stringify(project.body));
  const share = await call("POST", `/v1/projects/${project.body.projectId}/shares`, { token: s.body.token, body: { email: `friend@${prefix}.example` } });
  assert.equal(share.status, 201, JSON.stringify(share.body));
}

/** A receiver on 127.0.0.1 recording every POST by path. */
function startReceiver() {
  const requests = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (chunk) => (body += chunk)).on("end", () => {
      requests.push({ path: req.url, body });
      res.writeHead(200).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, url: (path) => `http://127.0.0.1:${server.address().port}${path}`, at: (path) => requests.filter((r) => r.path === path) }),
    ),
  );
}

async function until(check, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

before(async () => {
  worker = await startWorker();
  call = client(worker.url);
  assert.deepEqual(worker.databases, ["DB", "DB_2"]);
});
after(() => worker?.stop());

test("a store on DB_2 writes only to DB_2, and a store on DB only to DB", async () => {
  await someRecords(worker.keys.storeA, "a");
  await someRecords(worker.keys.storeB, "b");
  const bOnSecond = await rowsOf(worker, "DB_2", "store-b");
  for (const table of ["accounts", "products", "projects", "shares", "events", "store_origins", "idempotency_keys"]) {
    assert.ok(bOnSecond[table] > 0, `store-b's ${table} on DB_2: ${JSON.stringify(bOnSecond)}`);
  }
  assert.deepEqual(await rowsOf(worker, "DB", "store-b"), {}, "nothing of store-b on DB");
  const aOnFirst = await rowsOf(worker, "DB", "store-a");
  assert.ok(aOnFirst.accounts > 0 && aOnFirst.events > 0, JSON.stringify(aOnFirst));
  assert.deepEqual(await rowsOf(worker, "DB_2", "store-a"), {}, "nothing of store-a on DB_2");
  // Each store reads its own records back from its own database.
  const b = await call("GET", "/v1/events?limit=1000", { token: worker.keys.storeB });
  assert.equal(b.status, 200);
  assert.ok(b.body.events.some((e) => e.type === "project.shared"));
  assert.ok(!b.body.events.some((e) => JSON.stringify(e).includes("a.example")), "no event of store-a");
});

test("a preflight is answered for an origin listed by a store on either database", async () => {
  for (const origin of ["https://a.example", "https://b.example"]) {
    const r = await call("OPTIONS", "/v1/projects", { headers: { origin, "access-control-request-method": "POST" } });
    assert.equal(r.status, 204);
    assert.equal(r.headers.get("access-control-allow-origin"), origin);
  }
  const unlisted = await call("OPTIONS", "/v1/projects", { headers: { origin: "https://c.example", "access-control-request-method": "POST" } });
  assert.equal(unlisted.headers.get("access-control-allow-origin"), null);
});

test("a store whose binding is not a D1 database is 500 misconfigured; the other stores keep working", async () => {
  const broken = await startWorker({
    stores: ["on-queue", "on-var"],
    bindings: { STORE_DATABASES: JSON.stringify({ "store-b": "DB_9", "on-queue": "WEBHOOK_QUEUE", "on-var": "TEST_CLOCK" }) },
  });
  try {
    const brokenCall = client(broken.url);
    for (const key of [broken.keys.storeB, "sk_test_on-queue", "sk_test_on-var"]) {
      assertProblem(await brokenCall("GET", "/v1/events", { token: key }), 500, "misconfigured");
      assertProblem(await brokenCall("PUT", "/v1/accounts/x", { token: key, body: { email: "x@example.com", name: "X", kind: "customer" } }), 500, "misconfigured");
      assertProblem(await brokenCall("POST", "/v1/sessions", { token: key, body: { accountId: "x" } }), 500, "misconfigured");
    }
    const ok = await brokenCall("PUT", "/v1/accounts/x", { token: broken.keys.storeA, body: { email: "x@example.com", name: "X", kind: "customer" } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal((await brokenCall("GET", "/v1/events", { token: broken.keys.storeA })).status, 200);
    // A preflight asks the databases that exist; the cron sweeps them.
    const preflight = await brokenCall("OPTIONS", "/v1/projects", { headers: { origin: "https://a.example", "access-control-request-method": "GET" } });
    assert.equal(preflight.status, 204);
    const scheduled = await (await broken.mf.getWorker()).scheduled({ cron: "* * * * *" });
    assert.equal(scheduled.outcome, "ok");
  } finally {
    await broken.stop();
  }
});

test("a STORE_DATABASES that is not a JSON object is 500 misconfigured for every store, and routes without a store still answer", async () => {
  const broken = await startWorker({ bindings: { STORE_DATABASES: "{\"store-b\":" } });
  try {
    const brokenCall = client(broken.url);
    assertProblem(await brokenCall("GET", "/v1/events", { token: broken.keys.storeA }), 500, "misconfigured");
    assertProblem(await brokenCall("GET", "/v1/events", { token: broken.keys.storeB }), 500, "misconfigured");
    assert.equal((await brokenCall("GET", "/v1/openapi.json")).status, 200);
    assertProblem(await brokenCall("GET", "/v1/events"), 401, "missing_credentials");
  } finally {
    await broken.stop();
  }
});

test("webhooks of a store on DB_2 are delivered, by the fan-out of a change and by the cron sweep", async () => {
  const receiver = await startReceiver();
  try {
    const key = worker.keys.storeB;
    const hook = await call("POST", "/v1/webhooks", { token: key, body: { url: receiver.url("/b") } });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    const second = await worker.mf.getD1Database("DB_2");
    const first = await worker.mf.getD1Database("DB");
    const onSecond = await second.prepare("SELECT COUNT(*) AS n FROM webhooks WHERE store_id = 'store-b'").first();
    assert.equal(onSecond.n, 1, "the endpoint lives on DB_2");
    assert.equal((await first.prepare("SELECT COUNT(*) AS n FROM webhooks").first()).n, 0, "and not on DB");
    const r = await put(key, "/v1/accounts/b-hooked", { email: "hooked@b.example", name: "Hooked", kind: "customer" });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await until(() => receiver.at("/b").some((d) => JSON.parse(d.body).type === "account.imported"), 10_000, "the change's delivery");
    // An event written without a fan-out message, as if that message were lost: the cron sweeps DB_2.
    await second
      .prepare("INSERT INTO events (store_id, type, at, actor_id, payload) VALUES ('store-b', 'account.imported', ?1, NULL, ?2)")
      .bind(new Date().toISOString(), JSON.stringify({ accountId: "swept" }))
      .run();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(!receiver.at("/b").some((d) => d.body.includes("swept")), "nothing announced it");
    const scheduled = await (await worker.mf.getWorker()).scheduled({ cron: "* * * * *" });
    assert.equal(scheduled.outcome, "ok");
    await until(() => receiver.at("/b").some((d) => d.body.includes("swept")), 10_000, "the swept event");
    const log = await call("GET", `/v1/webhooks/${hook.body.webhookId}/deliveries`, { token: key });
    assert.equal(log.status, 200);
    assert.ok(log.body.deliveries.length >= 2, JSON.stringify(log.body));
    assert.equal((await first.prepare("SELECT COUNT(*) AS n FROM webhook_deliveries").first()).n, 0, "the log lives on DB_2");
  } finally {
    receiver.server.close();
  }
});

test("past the statements one request may run, D1's limit refuses the request before it reaches D1, and nothing is written", async () => {
  // Two statements per invocation: any command needs more (its reads, then its write batch).
  const strict = await startWorker({ bindings: { D1_LIMITS: "2" } });
  try {
    const strictCall = client(strict.url);
    const r = await strictCall("PUT", "/v1/accounts/too-much", { token: strict.keys.storeA, body: { email: "much@example.com", name: "Much", kind: "customer" } });
    assertProblem(r, 500, "database_limit_exceeded");
    assert.equal(r.body.detail.includes("Too many"), false, "the 5xx body reveals nothing");
    const timing = r.headers.get("server-timing");
    const [, statements] = timing.match(/(\d+) statements/);
    assert.ok(Number(statements) <= 2, `no more than the limit was sent: ${timing}`);
    const db = await strict.mf.getD1Database("DB");
    assert.equal((await db.prepare("SELECT COUNT(*) AS n FROM accounts").first()).n, 0);
    assert.equal((await db.prepare("SELECT COUNT(*) AS n FROM events").first()).n, 0);
  } finally {
    await strict.stop();
  }
});

test("a D1 failure is 503 database_unavailable with Retry-After, never 500, and writes nothing", async () => {
  const broken = await startWorker({ bindings: { STORE_DATABASES: JSON.stringify({ "store-b": "DB_2" }) } });
  try {
    const brokenCall = client(broken.url);
    // The second database loses its schema: every statement of store-b fails in D1 itself.
    const second = await broken.mf.getD1Database("DB_2");
    await second.prepare("DROP TABLE events").run();
    const r = await brokenCall("PUT", "/v1/accounts/lost", { token: broken.keys.storeB, body: { email: "lost@example.com", name: "Lost", kind: "customer" } });
    assertProblem(r, 503, "database_unavailable");
    assert.match(r.headers.get("retry-after") ?? "", /^\d+$/);
    assert.equal((await second.prepare("SELECT COUNT(*) AS n FROM accounts").first()).n, 0, "the batch rolled back whole");
    assertProblem(await brokenCall("GET", "/v1/events", { token: broken.keys.storeB }), 503, "database_unavailable");
    assert.equal((await brokenCall("GET", "/v1/events", { token: broken.keys.storeA })).status, 200, "store-a's database answers");
  } finally {
    await broken.stop();
  }
});

/** A database of a Miniflare worker as scripts/move-store.mjs reaches one. */
async function moverDatabase(target, binding) {
  const db = await target.mf.getD1Database(binding);
  return {
    query: async (sql) => (await db.prepare(sql).all()).results,
    run: async (statements) => {
      if (statements.length > 0) await db.batch(statements.map((sql) => db.prepare(sql)));
    },
  };
}

test("a store moves to another database with scripts/move-store.mjs and carries on where it was", async () => {
  const moving = await startWorker({ stores: ["mover"] });
  const receiver = await startReceiver();
  try {
    const via = client(moving.url);
    const key = "sk_test_mover";
    await someRecords(key, "m", via);
    const hook = await via("POST", "/v1/webhooks", { token: key, body: { url: receiver.url("/m") } });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    await until(() => receiver.at("/m").length >= 1, 10_000, "the webhook.created delivery");
    const before = (await via("GET", "/v1/events?limit=1000", { token: key })).body.events;
    const onFirst = await rowsOf(moving, "DB", "mover");
    // Paused while its rows are copied: a name that is not a binding refuses its requests.
    await moving.rebind({ STORE_DATABASES: JSON.stringify({ "store-b": "DB_2", mover: "PAUSED" }) });
    assertProblem(await via("GET", "/v1/events", { token: key }), 500, "misconfigured");
    const from = await moverDatabase(moving, "DB");
    const to = await moverDatabase(moving, "DB_2");
    const copied = await copyStore("mover", from, to);
    assert.deepEqual(Object.fromEntries(Object.entries(copied).filter(([, n]) => n > 0)), onFirst);
    await assert.rejects(copyStore("mover", from, to), /already holds/, "a second copy writes nothing");
    await moving.rebind({ STORE_DATABASES: JSON.stringify({ "store-b": "DB_2", mover: "DB_2" }) });
    // The same feed, cursors included; a new change continues it, and its webhook still delivers.
    assert.deepEqual((await via("GET", "/v1/events?limit=1000", { token: key })).body.events, before);
    const r = await put(key, "/v1/accounts/m-after", { email: "after@m.example", name: "After", kind: "customer" }, via);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const after = (await via("GET", "/v1/events?limit=1000", { token: key })).body.events;
    assert.equal(after.length, before.length + 1);
    assert.ok(Number(after.at(-1).cursor) > Number(before.at(-1).cursor));
    await until(() => receiver.at("/m").some((d) => d.body.includes("m-after")), 10_000, "the delivery from DB_2");
    const session = await via("POST", "/v1/sessions", { token: key, body: { accountId: "m-owner" } });
    assert.equal(session.status, 201);
    const projects = await via("GET", "/v1/projects", { token: session.body.token });
    assert.equal(projects.body.projects.length, 1, JSON.stringify(projects.body));
    // The old rows go; the other stores never noticed.
    // (Miniflare's handles do not outlive a restart: ask for the database again.)
    const deleted = await deleteStore("mover", await moverDatabase(moving, "DB"));
    assert.deepEqual(Object.fromEntries(Object.entries(deleted).filter(([, n]) => n > 0)), onFirst);
    assert.deepEqual(await rowsOf(moving, "DB", "mover"), {});
    assert.equal((await via("GET", "/v1/events", { token: moving.keys.storeA })).status, 200);
  } finally {
    receiver.server.close();
    await moving.stop();
  }
});

test("the move refuses a target whose feed already took the store's cursors", async () => {
  const moving = await startWorker({ stores: ["crowded"] });
  try {
    const via = client(moving.url);
    await someRecords("sk_test_crowded", "c", via);
    // store-b, on DB_2, writes events there first: its cursors start at 1, as the mover's did on DB.
    await someRecords(moving.keys.storeB, "b", via);
    await assert.rejects(
      copyStore("crowded", await moverDatabase(moving, "DB"), await moverDatabase(moving, "DB_2")),
      /already has cursor/,
    );
    assert.deepEqual(await rowsOf(moving, "DB_2", "crowded"), {}, "nothing written");
  } finally {
    await moving.stop();
  }
});

test("every status and error code answered above is documented in openapi.json", () => {
  assert.deepEqual(undocumented(), []);
});

// Issue 21, bad input and faults: the read plans must not let one store see or change another's
// records, whether the two stores share a database or not. The harness runs the whole suite with
// them on two databases; here both stores share `DB`, with the same ids, and every kind of read
// and command of one leaves the other alone.
test("two stores on one database with the same ids see and change only their own records", async () => {
  const shared = await startWorker({ bindings: { STORE_DATABASES: "{}" } });
  try {
    const via = client(shared.url);
    const NOW = "2026-03-01T10:00:00.000Z";
    for (const [key, name] of [[shared.keys.storeA, "A"], [shared.keys.storeB, "B"]]) {
      const r = await via("POST", "/v1/imports", {
        token: key, now: NOW,
        body: {
          accounts: [
            { id: "owner", email: "owner@x.example", name: `Owner ${name}`, kind: "reseller" },
            { id: "friend", email: "friend@x.example", name: `Friend ${name}`, kind: "customer", managedBy: "owner" },
          ],
          products: [{ id: "p", name: `Product ${name}`, family: "f", billing: "recurring" }],
          licenses: [{ licenseKey: "L", productId: "p", ownerId: "friend" }],
          contracts: [{ id: "c", ownerId: "owner", productId: "p", status: "active", registeredAt: "2026-01-01T00:00:00Z", billing: "recurring" }],
        },
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
    const session = async (key) => (await via("POST", "/v1/sessions", { token: key, body: { accountId: "owner" }, now: NOW })).body.token;
    const a = await session(shared.keys.storeA);
    const b = await session(shared.keys.storeB);
    // A shares a project and invites a delegate; B's records must not move.
    const project = (await via("POST", "/v1/projects", { token: a, body: { name: "A's" }, now: NOW })).body.projectId;
    assert.equal((await via("POST", `/v1/projects/${project}/shares`, { token: a, body: { email: "friend@x.example" }, now: NOW })).status, 201);
    assert.equal((await via("POST", "/v1/contracts/c/delegates", { token: a, body: { email: "friend@x.example" }, now: NOW })).status, 201);
    const snapshotB = (await via("GET", "/v1/me/access", { token: b, now: NOW })).body.state;
    assert.deepEqual(snapshotB.projects, [], "B sees none of A's projects");
    assert.deepEqual(snapshotB.invitations, [], "nor its invitations");
    assert.ok(snapshotB.accounts.every((x) => x.name.endsWith(" B")), JSON.stringify(snapshotB.accounts));
    assert.deepEqual((await via("GET", "/v1/licenses", { token: b, now: NOW })).body.licenses.map((l) => l.licenseKey), ["L"]);
    assert.equal((await via("GET", `/v1/projects/${project}/licenses`, { token: b, now: NOW })).status, 404);
    assert.deepEqual((await via("POST", "/v1/authorize", { token: b, body: { action: "project.view", resource: { type: "project", id: project } }, now: NOW })).body, { allowed: false, reasons: ["not_found"] });
    assert.deepEqual((await via("GET", "/v1/contracts/c/delegates", { token: b, now: NOW })).body.invitations, [], "B's contract `c` has no invitation");
    const db = await shared.mf.getD1Database("DB");
    const { n } = await db.prepare("SELECT COUNT(*) AS n FROM invitations WHERE store_id = 'store-b'").first();
    assert.equal(n, 0);
  } finally {
    await shared.stop();
  }
});
