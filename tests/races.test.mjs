// Commands raced in parallel against the worker: a command commits only on the facts it read,
// so two concurrent commands can never both win on stale facts (issue 7). Each race is repeated
// for a bounded number of rounds with fresh records, and the invariants are checked on what D1
// holds afterwards, not on what the answers said.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startWorker, client } from "./support/worker.mjs";

const ROUNDS = 5;
const NOW = "2026-03-01T10:00:00.000Z";
let worker;
let call;
let key;
let db;

before(async () => {
  worker = await startWorker();
  call = client(worker.url);
  key = worker.keys.storeA;
  db = await worker.mf.getD1Database("DB");
});
after(() => worker?.stop());

async function put(path, body) {
  const r = await call("PUT", path, { token: key, body, now: NOW });
  assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
}

async function session(accountId) {
  const r = await call("POST", "/v1/sessions", { token: key, body: { accountId }, now: NOW });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.token;
}

async function rows(sql, ...params) {
  return (await db.prepare(sql).bind(...params).all()).results;
}

/** Live licenses on a project with their owners and who assigned them. */
async function licensesOn(projectId) {
  return (await rows("SELECT data FROM licenses WHERE store_id = 'store-a' AND project_id = ?", projectId))
    .map((r) => JSON.parse(r.data));
}

async function projectOwner(projectId) {
  const [row] = await rows("SELECT owner_id FROM projects WHERE store_id = 'store-a' AND id = ?", projectId);
  return row.owner_id;
}

async function liveShares(projectId) {
  return (await rows("SELECT account_id FROM shares WHERE store_id = 'store-a' AND project_id = ? AND deleted = 0", projectId))
    .map((r) => r.account_id);
}

/** The stored share rows of a project (ended ones stay until unshared), by recipient. */
async function shareRows(projectId) {
  const found = await rows("SELECT account_id, data FROM shares WHERE store_id = 'store-a' AND project_id = ? AND deleted = 0", projectId);
  return new Map(found.map((r) => [r.account_id, JSON.parse(r.data)]));
}

/** Nothing on a project its owner cannot see: every license on it belongs to the owner or to a
 * recipient the project is still shared with, and leaves the project when that share ends (its
 * assignment ends when the share's window does: issue 23). */
async function assertNothingStranded(projectId) {
  const owner = await projectOwner(projectId);
  const shares = await liveShares(projectId);
  const windows = await shareRows(projectId);
  assert.ok(!shares.includes(owner), "the owner is not a recipient of its own project");
  for (const license of await licensesOn(projectId)) {
    assert.ok(
      license.ownerId === owner || shares.includes(license.ownerId),
      `license ${license.licenseKey} of ${license.ownerId} is stranded on ${projectId} (owner ${owner}, shared with ${shares})`,
    );
    if (license.assignedBy !== owner) {
      assert.equal(license.assignedUntil ?? null, windows.get(license.assignedBy)?.expiresAt ?? null,
        `license ${license.licenseKey} and its share end apart`);
    }
  }
}

function assertOnly(results, allowed) {
  for (const r of results) {
    assert.ok(r.status < 500, `a race answered ${r.status}: ${JSON.stringify(r.body)}`);
    if (r.status >= 400) assert.ok(allowed.includes(r.body.code), `unexpected ${r.status} ${r.body.code}`);
  }
}

test("the unpaid limit holds under 20 parallel creations", async () => {
  for (let round = 0; round < ROUNDS; round++) {
    const reseller = `race-reseller-${round}`;
    await put(`/v1/accounts/${reseller}`, { email: `${reseller}@race.example`, name: "Reseller", kind: "reseller" });
    await put("/v1/products/race-ext", { name: "Extension", family: "magento2", billing: "one_off" });
    const token = await session(reseller);
    const customer = await call("POST", "/v1/customers", { token, body: { email: `c-${round}@race.example`, name: "Customer" }, now: NOW });
    assert.equal(customer.status, 201, JSON.stringify(customer.body));
    const body = { productId: "race-ext", customerId: customer.body.accountId, quantity: 1, licenseType: "permanent", tier: "primary", customerPaid: false };
    const results = await Promise.all(Array.from({ length: 20 }, () => call("POST", "/v1/licenses", { token, body, now: NOW })));
    assertOnly(results, ["unpaid_limit_reached", "concurrent_modification"]);
    const [{ n }] = await rows("SELECT COUNT(*) AS n FROM licenses WHERE store_id = 'store-a' AND created_by = ?", reseller);
    assert.ok(n <= 10, `round ${round}: ${n} unpaid licenses, the limit is 10`);
    assert.equal(n, results.filter((r) => r.status === 201).length, "every 201 wrote its license, and nothing else did");
  }
});

test("share and assign racing a project transfer's accept leave nothing on the new owner's project", async () => {
  for (let round = 0; round < ROUNDS; round++) {
    const [owner, target, recipient] = ["owner", "target", "rec"].map((p) => `st-${p}-${round}`);
    await put(`/v1/accounts/${owner}`, { email: `${owner}@race.example`, name: "Owner", kind: "integrator" });
    await put(`/v1/accounts/${target}`, { email: `${target}@race.example`, name: "Target", kind: "integrator" });
    await put(`/v1/accounts/${recipient}`, { email: `${recipient}@race.example`, name: "Recipient", kind: "customer" });
    await put("/v1/products/race-ext", { name: "Extension", family: "magento2", billing: "one_off" });
    await put(`/v1/licenses/ST-${round}`, { productId: "race-ext", ownerId: owner });
    const ownerToken = await session(owner);
    const targetToken = await session(target);
    const project = await call("POST", "/v1/projects", { token: ownerToken, body: { name: "Shop" }, now: NOW });
    const projectId = project.body.projectId;
    const transfer = await call("POST", `/v1/projects/${projectId}/transfer`, { token: ownerToken, body: { toEmail: `${target}@race.example` }, now: NOW });
    assert.equal(transfer.status, 201, JSON.stringify(transfer.body));
    const results = await Promise.all([
      call("POST", `/v1/transfers/${transfer.body.transferId}/accept`, { token: targetToken, now: NOW }),
      call("POST", `/v1/projects/${projectId}/shares`, { token: ownerToken, body: { email: `${recipient}@race.example` }, now: NOW }),
      call("POST", `/v1/projects/${projectId}/licenses`, { token: ownerToken, body: { licenseKey: `ST-${round}` }, now: NOW }),
    ]);
    assertOnly(results, ["project_not_found", "share_recipient_forbidden", "concurrent_modification", "transfer_pending"]);
    await assertNothingStranded(projectId);
    if ((await projectOwner(projectId)) === target) {
      assert.deepEqual(await liveShares(projectId), [], `round ${round}: the old owner's share survived the transfer`);
    }
  }
});

test("assign racing unshare leaves no license of the former recipient on the project", async () => {
  for (let round = 0; round < ROUNDS; round++) {
    const [owner, recipient] = ["owner", "rec"].map((p) => `au-${p}-${round}`);
    await put(`/v1/accounts/${owner}`, { email: `${owner}@race.example`, name: "Owner", kind: "customer" });
    await put(`/v1/accounts/${recipient}`, { email: `${recipient}@race.example`, name: "Recipient", kind: "customer" });
    await put("/v1/products/race-ext", { name: "Extension", family: "magento2", billing: "one_off" });
    const keys = Array.from({ length: 4 }, (_, i) => `AU-${round}-${i}`);
    for (const k of keys) await put(`/v1/licenses/${k}`, { productId: "race-ext", ownerId: recipient });
    const ownerToken = await session(owner);
    const recipientToken = await session(recipient);
    const projectId = (await call("POST", "/v1/projects", { token: ownerToken, body: { name: "Shop" }, now: NOW })).body.projectId;
    const shared = await call("POST", `/v1/projects/${projectId}/shares`, { token: ownerToken, body: { email: `${recipient}@race.example` }, now: NOW });
    assert.equal(shared.status, 201, JSON.stringify(shared.body));
    const results = await Promise.all([
      ...keys.map((k) => call("POST", `/v1/projects/${projectId}/licenses`, { token: recipientToken, body: { licenseKey: k }, now: NOW })),
      call("DELETE", `/v1/projects/${projectId}/shares/${recipient}`, { token: ownerToken, now: NOW }),
    ]);
    assertOnly(results, ["project_not_found", "concurrent_modification"]);
    assert.deepEqual(await liveShares(projectId), []);
    assert.deepEqual((await licensesOn(projectId)).map((l) => l.licenseKey), [], `round ${round}: licenses stranded after unshare`);
  }
});

/** A project of `owner` shared with `recipient` until `end`, with one license of the recipient on it. */
async function windowedShare(prefix, round, end) {
  const [owner, recipient] = ["owner", "rec"].map((p) => `${prefix}-${p}-${round}`);
  await put(`/v1/accounts/${owner}`, { email: `${owner}@race.example`, name: "Owner", kind: "customer" });
  await put(`/v1/accounts/${recipient}`, { email: `${recipient}@race.example`, name: "Recipient", kind: "customer" });
  await put("/v1/products/race-ext", { name: "Extension", family: "magento2", billing: "one_off" });
  const key = `${prefix.toUpperCase()}-${round}`;
  await put(`/v1/licenses/${key}`, { productId: "race-ext", ownerId: recipient });
  const ownerToken = await session(owner);
  const recipientToken = await session(recipient);
  const projectId = (await call("POST", "/v1/projects", { token: ownerToken, body: { name: "Shop" }, now: NOW })).body.projectId;
  const shared = await call("POST", `/v1/projects/${projectId}/shares`, { token: ownerToken, body: { email: `${recipient}@race.example`, expiresAt: end }, now: NOW });
  assert.equal(shared.status, 201, JSON.stringify(shared.body));
  const assigned = await call("POST", `/v1/projects/${projectId}/licenses`, { token: recipientToken, body: { licenseKey: key }, now: NOW });
  assert.equal(assigned.status, 201, JSON.stringify(assigned.body));
  return { owner, recipient, key, ownerToken, recipientToken, projectId };
}

/** The events of the store's feed about one share. */
async function shareEvents(projectId, recipient) {
  const feed = (await call("GET", "/v1/events?limit=1000", { token: key })).body.events;
  return feed.filter((e) => e.payload.projectId === projectId && e.payload.accountId === recipient).map((e) => e.type);
}

test("a PATCH extending a share's window as it ends, racing the recipient and the sweep: extended or ended, never both", async (t) => {
  const outcomes = new Set();
  for (let round = 0; round < ROUNDS; round++) {
    // Within the sessions' hour: each round's share ends 5 minutes after the previous one's.
    const end = new Date(Date.parse(NOW) + 300_000 * (round + 1)).toISOString();
    const justBefore = new Date(Date.parse(end) - 1).toISOString();
    const later = new Date(Date.parse(end) + 86_400_000).toISOString();
    const s = await windowedShare("px", round, end);
    const [patch, assign] = await Promise.all([
      call("PATCH", `/v1/projects/${s.projectId}/shares/${s.recipient}`, { token: s.ownerToken, body: { expiresAt: later }, now: justBefore }),
      call("POST", `/v1/projects/${s.projectId}/licenses`, { token: s.recipientToken, body: { licenseKey: s.key }, now: end }),
      // The cron, 30 seconds after the end, records it if the PATCH has not extended the share yet.
      worker.sweep(new Date(Date.parse(end) + 30_000).toISOString()).then(() => ({ status: 200 })),
    ]);
    assertOnly([patch, assign], ["grant_expired", "project_not_found", "license_already_assigned", "concurrent_modification"]);
    const share = (await shareRows(s.projectId)).get(s.recipient);
    const events = await shareEvents(s.projectId, s.recipient);
    const [license] = await rows("SELECT project_id, data FROM licenses WHERE store_id = 'store-a' AND license_key = ?", s.key);
    if (share.expiresAt === later) {
      // Extended before the end was recorded: the share and its license go on; nothing ended.
      assert.equal(patch.status, 200, JSON.stringify(patch.body));
      assert.ok(share.nextNoticeAt, "an extended share awaits its next notice");
      assert.equal(license.project_id, s.projectId, `round ${round}: the license left an extended share`);
      assert.equal(JSON.parse(license.data).assignedUntil, later);
      assert.ok(!events.includes("share.expired"), `round ${round}: an extended share was recorded as ended`);
      outcomes.add("extended");
    } else {
      // The end was recorded first: it is over, the PATCH refused, the license off the project.
      assert.equal(share.expiresAt, end);
      assert.equal(share.nextNoticeAt, undefined);
      assert.deepEqual([patch.status, patch.body.code], [409, "grant_expired"], `round ${round}`);
      assert.equal(license.project_id, null, `round ${round}: the license stayed on an ended share`);
      assert.deepEqual(events.filter((t) => t === "share.expired"), ["share.expired"]);
      outcomes.add("ended");
    }
    // The recipient's request came after the end either way: refused, nothing written for it.
    assert.equal(assign.status >= 400, true, JSON.stringify(assign.body));
    await assertNothingStranded(s.projectId);
  }
  t.diagnostic(`outcomes: ${[...outcomes].join(", ")}`);
});

test("unshare racing a PATCH of the same share: the share is gone and the recipient's licenses with it", async () => {
  for (let round = 0; round < ROUNDS; round++) {
    const end = new Date(Date.parse(NOW) + 86_400_000).toISOString();
    const s = await windowedShare("ux", round, end);
    const [patch, unshare] = await Promise.all([
      call("PATCH", `/v1/projects/${s.projectId}/shares/${s.recipient}`, { token: s.ownerToken, body: { expiresAt: null }, now: NOW }),
      call("DELETE", `/v1/projects/${s.projectId}/shares/${s.recipient}`, { token: s.ownerToken, now: NOW }),
    ]);
    assertOnly([patch, unshare], ["share_not_found", "concurrent_modification"]);
    assert.equal(unshare.status, 204, JSON.stringify(unshare.body));
    assert.ok([200, 404].includes(patch.status), `round ${round}: ${patch.status}`);
    assert.deepEqual(await liveShares(s.projectId), []);
    assert.deepEqual((await licensesOn(s.projectId)).map((l) => l.licenseKey), [], `round ${round}: a license stranded`);
    const [license] = await rows("SELECT data FROM licenses WHERE store_id = 'store-a' AND license_key = ?", s.key);
    assert.equal(JSON.parse(license.data).assignedUntil, undefined, `round ${round}: an assignment's end outlived it`);
    await assertNothingStranded(s.projectId);
  }
});

test("a transfer's accept racing its cancel: exactly one wins", async () => {
  for (let round = 0; round < ROUNDS; round++) {
    const [owner, target] = ["owner", "target"].map((p) => `ac-${p}-${round}`);
    await put(`/v1/accounts/${owner}`, { email: `${owner}@race.example`, name: "Owner", kind: "integrator" });
    await put(`/v1/accounts/${target}`, { email: `${target}@race.example`, name: "Target", kind: "integrator" });
    const ownerToken = await session(owner);
    const targetToken = await session(target);
    const projectId = (await call("POST", "/v1/projects", { token: ownerToken, body: { name: "Shop" }, now: NOW })).body.projectId;
    const transfer = await call("POST", `/v1/projects/${projectId}/transfer`, { token: ownerToken, body: { toEmail: `${target}@race.example` }, now: NOW });
    const id = transfer.body.transferId;
    const [accept, cancel] = await Promise.all([
      call("POST", `/v1/transfers/${id}/accept`, { token: targetToken, now: NOW }),
      call("POST", `/v1/transfers/${id}/cancel`, { token: ownerToken, now: NOW }),
    ]);
    assertOnly([accept, cancel], ["transfer_cancelled", "transfer_already_accepted", "concurrent_modification"]);
    assert.equal([accept, cancel].filter((r) => r.status === 200).length, 1, `round ${round}: ${accept.status} ${cancel.status}`);
    const [row] = await rows("SELECT status FROM transfers WHERE store_id = 'store-a' AND id = ?", id);
    assert.equal(row.status, accept.status === 200 ? "accepted" : "cancelled");
    assert.equal(await projectOwner(projectId), accept.status === 200 ? target : owner);
  }
});

test("an invitation's accept racing its cancel: exactly one wins", async () => {
  for (let round = 0; round < ROUNDS; round++) {
    const [client1, dev] = ["client", "dev"].map((p) => `ic-${p}-${round}`);
    await put(`/v1/accounts/${client1}`, { email: `${client1}@race.example`, name: "Client", kind: "customer" });
    await put(`/v1/accounts/${dev}`, { email: `${dev}@race.example`, name: "Dev", kind: "customer" });
    await put("/v1/products/race-hosting", { name: "Hosting", family: "hosting", billing: "recurring" });
    await put(`/v1/contracts/ic-${round}`, { ownerId: client1, productId: "race-hosting", status: "active", registeredAt: "2026-01-01T00:00:00Z", billing: "recurring" });
    const clientToken = await session(client1);
    const devToken = await session(dev);
    const invite = await call("POST", `/v1/contracts/ic-${round}/delegates`, { token: clientToken, body: { email: `${dev}@race.example` }, now: NOW });
    assert.equal(invite.status, 201, JSON.stringify(invite.body));
    const events = (await call("GET", "/v1/events?limit=1000", { token: key })).body;
    let feed = events.events;
    for (let next = events.nextCursor; next; ) {
      const page = (await call("GET", `/v1/events?limit=1000&after=${next}`, { token: key })).body;
      feed = feed.concat(page.events);
      next = page.nextCursor;
    }
    const token = feed.filter((e) => e.payload.invitationId === invite.body.invitationId).at(-1).payload.acceptToken;
    const [accept, cancel] = await Promise.all([
      call("POST", `/v1/invitations/${token}/accept`, { token: devToken, now: NOW }),
      call("DELETE", `/v1/contracts/ic-${round}/invitations/${invite.body.invitationId}`, { token: clientToken, now: NOW }),
    ]);
    assertOnly([accept, cancel], ["invitation_cancelled", "invitation_not_pending", "invitation_already_used", "concurrent_modification"]);
    const won = [accept.status === 200, cancel.status === 204];
    assert.equal(won.filter(Boolean).length, 1, `round ${round}: ${accept.status} ${cancel.status}`);
    const delegates = await rows("SELECT status FROM delegates WHERE store_id = 'store-a' AND contract_id = ?", `ic-${round}`);
    assert.equal(delegates.length, accept.status === 200 ? 1 : 0);
  }
});

test("random pairs of commands raced in parallel keep every invariant", async () => {
  const { rng } = await import("./support/rng.mjs");
  const random = rng(7007);
  const pick = (items) => items[Math.floor(random() * items.length)];
  const PAIRS = 40;
  const p = "rp";
  // A small world: an owner with a project and licenses, two customers who may receive shares, a
  // target for transfers, a reseller with a customer.
  await put(`/v1/accounts/${p}-owner`, { email: `owner@${p}.example`, name: "Owner", kind: "integrator" });
  for (const who of ["r1", "r2"]) await put(`/v1/accounts/${p}-${who}`, { email: `${who}@${p}.example`, name: who, kind: "customer" });
  await put(`/v1/accounts/${p}-target`, { email: `target@${p}.example`, name: "Target", kind: "integrator" });
  await put(`/v1/accounts/${p}-reseller`, { email: `reseller@${p}.example`, name: "Reseller", kind: "reseller" });
  await put("/v1/products/race-ext", { name: "Extension", family: "magento2", billing: "one_off" });
  const owned = { owner: ["O1", "O2"], r1: ["R1a", "R1b"], r2: ["R2a"] };
  for (const [who, keys] of Object.entries(owned)) {
    for (const k of keys) await put(`/v1/licenses/${p}-${k}`, { productId: "race-ext", ownerId: `${p}-${who}` });
  }
  const tokens = {};
  for (const who of ["owner", "r1", "r2", "target", "reseller"]) tokens[who] = await session(`${p}-${who}`);
  const customer = await call("POST", "/v1/customers", { token: tokens.reseller, body: { email: `cust@${p}.example`, name: "Customer" }, now: NOW });
  const projectId = (await call("POST", "/v1/projects", { token: tokens.owner, body: { name: "Shop" }, now: NOW })).body.projectId;
  const licenseCount = async () => (await rows("SELECT COUNT(*) AS n FROM licenses WHERE store_id = 'store-a'"))[0].n;
  let expectedLicenses = await licenseCount();

  const pendingTransfer = async () =>
    (await rows("SELECT id FROM transfers WHERE store_id = 'store-a' AND subject = ? AND status = 'pending'", `project:${projectId}`))[0]?.id;
  const commands = [
    () => call("POST", `/v1/projects/${projectId}/shares`, { token: tokens.owner, body: { email: `${pick(["r1", "r2"])}@${p}.example` }, now: NOW }),
    () => call("DELETE", `/v1/projects/${projectId}/shares/${p}-${pick(["r1", "r2"])}`, { token: tokens.owner, now: NOW }),
    () => {
      const who = pick(["owner", "r1", "r2"]);
      return call("POST", `/v1/projects/${projectId}/licenses`, { token: tokens[who], body: { licenseKey: `${p}-${pick(owned[who])}` }, now: NOW });
    },
    () => {
      const who = pick(["owner", "r1", "r2"]);
      return call("DELETE", `/v1/projects/${projectId}/licenses/${p}-${pick(owned[who])}`, { token: tokens[who], now: NOW });
    },
    () => call("POST", `/v1/projects/${projectId}/transfer`, { token: tokens.owner, body: { toEmail: `target@${p}.example` }, now: NOW }),
    async () => {
      const id = await pendingTransfer();
      return id ? call("POST", `/v1/transfers/${id}/accept`, { token: tokens.target, now: NOW }) : { status: 200, body: {} };
    },
    async () => {
      const id = await pendingTransfer();
      return id ? call("POST", `/v1/transfers/${id}/cancel`, { token: tokens.owner, now: NOW }) : { status: 200, body: {} };
    },
    () => call("POST", "/v1/licenses", {
      token: tokens.reseller,
      body: { productId: "race-ext", customerId: customer.body.accountId, quantity: 1 + Math.floor(random() * 3), licenseType: "permanent", tier: "primary", customerPaid: false },
      now: NOW,
    }),
  ];

  for (let pair = 0; pair < PAIRS; pair++) {
    const [a, b] = [pick(commands), pick(commands)];
    const results = await Promise.all([a(), b()]);
    for (const r of results) {
      assert.ok(r.status < 500, `pair ${pair}: ${r.status} ${JSON.stringify(r.body)}`);
      if (r.status === 201 && Array.isArray(r.body.licenses)) expectedLicenses += r.body.licenses.length;
    }
    // The invariants, on what D1 holds.
    await assertNothingStranded(projectId);
    assert.equal(await licenseCount(), expectedLicenses, `pair ${pair}: a license was lost or made twice`);
    const [{ n: unpaid }] = await rows("SELECT COUNT(*) AS n FROM licenses WHERE store_id = 'store-a' AND unpaid_by = ?", `${p}-reseller`);
    assert.ok(unpaid <= 10, `pair ${pair}: ${unpaid} unpaid licenses`);
    const [{ n: pending }] = await rows("SELECT COUNT(*) AS n FROM transfers WHERE store_id = 'store-a' AND subject = ? AND status = 'pending'", `project:${projectId}`);
    assert.ok(pending <= 1, `pair ${pair}: ${pending} pending transfers of one project`);
  }
});
