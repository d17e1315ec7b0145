// Differential test: seeded random command sequences over all four seeds run through the npm
// package and through the worker over HTTP. Every step must get the same outcome (success with
// the same events, or the same error code and status) and every permission check the same
// decision, or the two runtimes disagree. Only steps both sides executed count (a step naming
// what an earlier, refused step would have made is skipped on both), and every kind of step
// must have run, and succeeded, a floor of times. Bounded: 16 sequences of 80 steps, one fixed seed.
// Shares and invitations get windows around the step's time (issue 23), their owners change them,
// time jumps by days, and the store's sweep runs (the worker's cron at the step's time; in Node,
// the rules' sweepWindows on the grants `dueWindows` finds).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startWorker, client } from "./support/worker.mjs";
import { runWasm, entitle } from "./support/run-wasm.mjs";
import { runHttp } from "./support/run-http.mjs";
import { rng } from "./support/rng.mjs";

const SEED = 7_2026;
const SEQUENCES = 16;
const STEPS = 80;
/** Every kind of step the generator makes, and how many of each must run (and succeed) on both sides. */
const KINDS = ["createProject", "shareProject", "unshareProject", "assignLicense", "unassignLicense", "transferOrder",
  "inviteDelegate", "acceptInvitation", "cancelInvitation", "resendInvitation", "revokeDelegate", "createTicket",
  "requestProvisioning", "requestLicenseTransfer", "requestProjectTransfer", "acceptTransfer", "cancelTransfer",
  "createLicenses", "updateLicensePayment", "store", "check", "updateShare", "updateDelegate", "sweep"];
const FLOOR = { executed: 5, succeeded: 1 };

const account = (id, kind, extra = {}) => ({ id, email: `${id}@d.example`, name: id, kind, ...extra });
const records = {
  accounts: [
    account("owner", "customer"), account("rec", "customer"), account("partner", "partner"),
    account("admin", "integrator", { companyId: "corp", companyRole: "admin" }),
    account("employee", "integrator", { companyId: "corp", companyRole: "employee" }),
    account("enduser", "end_user"), account("diy", "diy"), account("reseller", "reseller"),
    account("cust", "customer", { managedBy: "reseller" }),
  ],
  products: [
    { id: "hosting", name: "Hosting", family: "hosting", billing: "recurring" },
    { id: "theme", name: "Theme", family: "themes", billing: "one_off" },
    { id: "m2", name: "M2 ext", family: "magento2", billing: "one_off" },
    { id: "ps", name: "PS module", family: "prestashop", billing: "one_off" },
  ],
  licenses: [
    { licenseKey: "L1", productId: "m2", ownerId: "owner" }, { licenseKey: "L2", productId: "m2", ownerId: "owner", activated: true },
    { licenseKey: "L3", productId: "m2", ownerId: "rec" }, { licenseKey: "L4", productId: "m2", ownerId: "partner", orderId: "ord" },
    { licenseKey: "L5", productId: "ps", ownerId: "partner", orderId: "ord" }, { licenseKey: "L6", productId: "m2", ownerId: "employee" },
    { licenseKey: "L7", productId: "m2", ownerId: "admin" }, { licenseKey: "L8", productId: "ps", ownerId: "diy" },
  ],
  orders: [{ id: "ord", ownerId: "partner", billingAccountId: "partner", licenseKeys: ["L4", "L5"], recurring: true }],
  contracts: [
    { id: "c1", ownerId: "owner", productId: "hosting", status: "active", registeredAt: "2026-01-01T00:00:00Z", renewsAt: "2027-01-01T00:00:00Z", billing: "recurring" },
    { id: "c2", ownerId: "owner", productId: "theme", status: "active", registeredAt: "2026-01-01T00:00:00Z", billing: "one_off" },
  ],
};
const people = records.accounts.map((a) => a.id);
const emails = [...records.accounts.map((a) => a.email), "ghost@nowhere.example"];
const ACTIONS = ["contract.view", "contract.billing.view", "contract.provision", "contract.tickets.view", "contract.delegates.manage",
  "project.view", "project.share", "project.transfer", "project.licenses.assign", "project.licenses.view_all", "project.modify",
  "project.users.invite", "license.view", "license.assign", "license.transfer", "license.mark_paid", "order.view", "order.transfer",
  "account.view"];

function scenario(seed) {
  const r = rng(seed);
  const pick = (list) => list[Math.floor(r() * list.length)];
  const made = { p: 0, i: 0, t: 0, l: 0 };
  const alias = (kind) => `$${kind}${Math.floor(r() * Math.max(1, made[kind]))}`;
  // Who made each project, who was invited, who a transfer goes to: a later step acts as that
  // account more often than not, so that accepting, cancelling and transferring really run.
  const who = { p: [], i: [], t: [] };
  const accountOf = (email) => records.accounts.find((a) => a.email === email)?.id ?? "owner";
  const related = (kind, fallback) => {
    const n = Math.floor(r() * Math.max(1, made[kind]));
    return { ref: `${kind}${n}`, as: r() < 0.7 && who[kind][n] ? who[kind][n] : fallback };
  };
  const shared = {};
  const assigned = [];
  const accepted = [];
  const ownLicense = (account) => {
    const mine = records.licenses.filter((l) => l.ownerId === account);
    return mine.length && r() < 0.8 ? pick(mine) : pick(records.licenses);
  };
  const licenseRef = () => (made.l > 0 && r() < 0.3 ? alias("l") : pick(records.licenses).licenseKey);
  const steps = [];
  // The time of the step being made, as the runners give it: its `at`, or a second after the last.
  let clock = Date.UTC(2026, 0, 5, 9);
  const hours = (h) => new Date(clock + 1000 + h * 3_600_000).toISOString();
  /** A window around now, or none; some are no window at all (an end already past). */
  const window = (often) => {
    if (r() >= often) return {};
    const w = {};
    const start = pick([null, null, null, 1, 30]);
    const end = pick([null, 2, 2, 50, 200, -1]);
    if (start !== null) w.startsAt = hours(start);
    if (end !== null) w.expiresAt = hours(end);
    return w;
  };
  // Follow-up steps a step calls for (an invitee accepting, the owner revoking), run next.
  const next = [];
  while (steps.length < STEPS) {
    if (next.length) {
      steps.push(next.shift());
      clock += 1000;
      continue;
    }
    const as = pick(people);
    const k = Math.floor(r() * 28);
    let step;
    if (k === 0) {
      // Mostly an account that owns licenses, so that they can go on the project.
      const creator = r() < 0.6 ? pick(["owner", "rec", "partner", "diy", "employee"]) : as;
      who.p[made.p] = creator;
      step = { as: creator, do: { type: "createProject", name: `p${made.p}`, kind: pick(["standard", "server", "lite", "serverless_pro"]) }, save: { [`p${made.p++}`]: "projectId" } };
    } else if (k === 1 || k === 24) {
      const p = related("p", as);
      const email = pick(emails);
      (shared[p.ref] ??= []).push(accountOf(email));
      step = { as: p.as, do: { type: "shareProject", projectId: `$${p.ref}`, email, ...window(0.7) } };
      // Its owner changes its window at times, right away or after time passed.
      if (r() < 0.35) next.push({ as: p.as, do: { type: "updateShare", projectId: `$${p.ref}`, accountId: accountOf(email), expiresAt: pick([null, hours(4), hours(90)]) } });
    }
    else if (k === 2) {
      const p = related("p", as);
      const accountId = shared[p.ref] && r() < 0.7 ? pick(shared[p.ref]) : pick(people);
      step = { as: p.as, do: { type: "unshareProject", projectId: `$${p.ref}`, accountId } };
    } else if (k <= 5) {
      // Assigned twice as often as unassigned; by the project's maker, with its own license, mostly.
      const p = related("p", as);
      const licenseKey = made.l > 0 && r() < 0.2 ? alias("l") : ownLicense(p.as).licenseKey;
      if (k < 5 || assigned.length === 0 || r() < 0.3) {
        if (k < 5) assigned.push({ as: p.as, projectId: `$${p.ref}`, licenseKey });
        step = { as: p.as, do: { type: k === 5 ? "unassignLicense" : "assignLicense", projectId: `$${p.ref}`, licenseKey } };
      } else {
        const a = pick(assigned);
        step = { as: a.as, do: { type: "unassignLicense", projectId: a.projectId, licenseKey: a.licenseKey } };
      }
    }
    else if (k === 6) step = { as: pick(["partner", "owner", as]), do: { type: "transferOrder", orderId: "ord", toEmail: pick(emails) } };
    else if (k === 7) {
      const email = pick(emails);
      who.i[made.i] = accountOf(email);
      const ref = `i${made.i++}`;
      step = { as: r() < 0.8 ? "owner" : as, do: { type: "inviteDelegate", contractId: r() < 0.8 ? "c1" : "c2", email, ...window(0.35) }, save: { [ref]: "invitationId" } };
      if (r() < 0.5) {
        next.push({ as: accountOf(email), do: { type: "acceptInvitation", token: `$token:${ref}` } });
        if (r() < 0.6) next.push({ as: "owner", do: { type: "updateDelegate", contractId: "c1", accountId: accountOf(email), expiresAt: pick([null, hours(4), hours(90)]) } });
        if (r() < 0.5) next.push({ as: "owner", do: { type: "revokeDelegate", contractId: "c1", accountId: accountOf(email) } });
      } else if (r() < 0.5) {
        next.push({ as: "owner", do: { type: pick(["cancelInvitation", "resendInvitation"]), contractId: "c1", invitationId: `$${ref}` } });
      }
    } else if (k === 8) {
      const i = related("i", as);
      accepted.push(i.as);
      step = { as: i.as, do: { type: "acceptInvitation", token: `$token:${i.ref}` } };
    } else if (k === 9) step = { as: r() < 0.8 ? "owner" : as, do: { type: pick(["cancelInvitation", "resendInvitation"]), contractId: "c1", invitationId: alias("i") } };
    else if (k === 10 || k === 22) step = { as: r() < 0.8 ? "owner" : as, do: { type: "revokeDelegate", contractId: "c1", accountId: r() < 0.7 && accepted.length ? pick(accepted) : pick(people) } };
    else if (k === 11) step = { as: r() < 0.5 ? "owner" : as, do: pick([{ type: "createTicket", contractId: "c1", subject: "s", body: "b" }, { type: "requestProvisioning", contractId: pick(["c1", "c2"]), action: "login" }]) };
    else if (k === 12) {
      // Mostly the license's owner asks, as in real use; sometimes anyone.
      const license = pick(records.licenses);
      const asker = r() < 0.6 ? (license.ownerId === "employee" && r() < 0.5 ? "admin" : license.ownerId) : as;
      const toEmail = pick(emails);
      who.t[made.t] = accountOf(toEmail);
      const ref = `t${made.t++}`;
      step = { as: asker, do: { type: "requestLicenseTransfer", licenseKey: license.licenseKey, toEmail }, save: { [ref]: "transferId" } };
      const answer = r();
      if (answer < 0.3) next.push({ as: accountOf(toEmail), do: { type: "acceptTransfer", transferId: `$${ref}` } });
      else if (answer < 0.6) next.push({ as: asker, do: { type: "cancelTransfer", transferId: `$${ref}` } });
    }
    else if (k === 13) {
      const p = related("p", as);
      const toEmail = pick(emails);
      who.t[made.t] = accountOf(toEmail);
      step = { as: p.as, do: { type: "requestProjectTransfer", projectId: `$${p.ref}`, toEmail }, save: { [`t${made.t++}`]: "transferId" } };
    } else if (k === 14 || k === 23) {
      const t = related("t", as);
      step = { as: t.as, do: { type: pick(["acceptTransfer", "cancelTransfer"]), transferId: `$${t.ref}` } };
    }
    else if (k === 15) step = { as: pick(["reseller", as]), do: { type: "createLicenses", productId: pick(["m2", "ps"]), customerId: "cust", quantity: 1 + Math.floor(r() * 4), licenseType: pick(["permanent", "trial"]), tier: pick(["primary", "additional"]), customerPaid: r() < 0.3 }, save: { [`l${made.l++}`]: "licenseKey" } };
    else if (k === 16) step = { as: r() < 0.8 ? "reseller" : as, do: { type: "updateLicensePayment", licenseKey: made.l > 0 && r() < 0.8 ? alias("l") : licenseRef(), customerPaid: r() < 0.5 } };
    else if (k === 17) step = { store: { type: "setProjectRuntime", record: { projectId: alias("p"), serverActive: r() < 0.5, activePanels: Math.floor(r() * 3) } } };
    else if (k === 25) {
      const p = related("p", as);
      const accountId = shared[p.ref] && r() < 0.8 ? pick(shared[p.ref]) : pick(people);
      step = { as: p.as, do: { type: "updateShare", projectId: `$${p.ref}`, accountId, expiresAt: pick([null, hours(3), hours(80), hours(-2)]) } };
      if (r() < 0.3) step.do.startsAt = pick([null, hours(5)]);
    } else if (k === 26) {
      const accountId = accepted.length && r() < 0.8 ? pick(accepted) : pick(people);
      step = { as: r() < 0.8 ? "owner" : as, do: { type: "updateDelegate", contractId: "c1", accountId, expiresAt: pick([null, hours(3), hours(80), hours(-2)]) } };
    } else if (k === 27) {
      // The cron, some hours later: windows have started, reminders and ends are due.
      step = { store: { type: "sweepWindows", record: null }, at: hours(1 + Math.floor(r() * 72)) };
    }
    else {
      const action = pick(ACTIONS);
      const type = action.split(".")[0];
      const ids = { contract: ["c1", "c2", "nope"], project: [alias("p"), "nope"], license: [licenseRef(), "nope"], order: ["ord", "nope"], account: [...people, "nope"] }[type];
      step = { as, check: [action, type, pick(ids)] };
    }
    if (!step.at && r() < 0.08) step.at = new Date(clock + (1 + Math.floor(r() * 5)) * 86_400_000).toISOString();
    clock = step.at ? Date.parse(step.at) : clock + 1000;
    steps.push(step);
  }
  return { name: `random-${seed}`, start: "2026-01-05T09:00:00Z", records, steps };
}

/**
 * A snapshot or outcome made comparable across runtimes: ids and tokens the runtimes generate (random on the worker,
 * counters in Node) become placeholders, empty collections are dropped, and arrays are sorted.
 */
function canonical(value) {
  if (typeof value === "string") return /^(prj|inv|tkt|trf|acc)_|^LK-/.test(value) ? "#generated" : value;
  if (Array.isArray(value)) return value.map(canonical).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value)
      .filter(([, v]) => !(Array.isArray(v) && v.length === 0))
      .map(([k, v]) => [k, k === "acceptToken" ? "#generated" : canonical(v)])
      .sort(([a], [b]) => a.localeCompare(b)));
  }
  return value;
}

let worker;
let call;
before(async () => {
  worker = await startWorker({ stores: Array.from({ length: SEQUENCES }, (_, i) => `diff-${i}`) });
  call = client(worker.url);
});
after(() => worker?.stop());

/** What a step is, for the floors below: its command's type, `store`, or `check`. */
const kindOf = (step) => (step.do ? step.do.type : step.store?.type === "sweepWindows" ? "sweep" : step.store ? "store" : "check");

test("the npm package and the worker agree on random sequences over all four seeds", async () => {
  const executed = {};
  const succeeded = {};
  let skipped = 0;
  for (let i = 0; i < SEQUENCES; i++) {
    const s = scenario(SEED + i);
    const wasm = runWasm(s);
    const http = await runHttp(s, call, `sk_test_diff-${i}`, { sweep: worker.sweep });
    // Every actor's whole snapshot agrees too, with generated ids made comparable.
    for (const actor of people) {
      const fromWorker = await call("GET", "/v1/me/access", { token: await http.sessionFor(actor), now: http.now });
      assert.equal(fromWorker.status, 200);
      assert.deepEqual(canonical(fromWorker.body.state), canonical(entitle.accessSnapshot(wasm.state, actor, http.now)), `sequence ${i}: snapshot of ${actor}`);
    }
    s.steps.forEach((step, index) => {
      const where = `sequence ${i} step ${index}: ${JSON.stringify(step)}`;
      // A step names an alias no earlier step saved: both sides skip it, and it proves nothing.
      assert.equal(Boolean(http.actual[index].skipped), Boolean(wasm.actual[index].skipped), where);
      if (wasm.actual[index].skipped) {
        skipped += 1;
        return;
      }
      // The same outcome, events included (generated ids aside), or the same decision.
      assert.deepEqual(canonical(http.actual[index]), canonical(wasm.actual[index]), where);
      const kind = kindOf(step);
      executed[kind] = (executed[kind] ?? 0) + 1;
      // A sweep succeeds when it had something to do.
      const did = kind === "sweep" ? wasm.actual[index].events?.length > 0 : wasm.actual[index].ok || wasm.actual[index].allowed;
      if (did) succeeded[kind] = (succeeded[kind] ?? 0) + 1;
    });
  }
  // The sequences must exercise every kind of step, and real work, not only refusals.
  const total = Object.values(executed).reduce((a, b) => a + b, 0);
  assert.equal(total + skipped, SEQUENCES * STEPS);
  console.log(`# differential: ${total} steps executed on both sides (${skipped} skipped), by kind ${JSON.stringify(executed)}, succeeded ${JSON.stringify(succeeded)}`);
  for (const kind of KINDS) {
    assert.ok((executed[kind] ?? 0) >= FLOOR.executed, `only ${executed[kind] ?? 0} ${kind} steps executed on both sides`);
    assert.ok((succeeded[kind] ?? 0) >= FLOOR.succeeded, `only ${succeeded[kind] ?? 0} ${kind} steps succeeded`);
  }
});

test("the generator is deterministic", () => {
  assert.deepEqual(scenario(SEED), scenario(SEED));
});
