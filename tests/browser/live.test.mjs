// Issue 24 in the browser: two tabs, the owner's and the delegate's. The delegate's tab loses
// the contract within a second of the owner's revocation in the other tab, with no reload; the
// owner's tab sees the delegate arrive when it accepts, also with no reload.
import { test, before, after } from "node:test";
import { openDemo, camera, signIn, statusSays, assert } from "./support.mjs";

let demo;
before(async () => {
  demo = await openDemo();
});
after(async () => demo?.stop());

const hosting = '.contract[data-contract="demo-hosting"]';

test("live: the delegate's tab loses the contract within a second of the owner's revocation in another tab, with no reload", async () => {
  const owner = demo.page;
  const ownerShot = camera(owner, "live-owner");
  await signIn(owner, "company-b");
  await owner.waitForSelector('body[data-live="open"]');
  await owner.click(`${hosting} .tab-delegates`);
  await owner.fill(`${hosting} .invite-form input[name=email]`, "dev@team-one.example");
  await owner.click(`${hosting} .invite-form button`);
  await statusSays(owner, /Invitation sent to dev@team-one.example/);

  // A second tab, signed in as the delegate (each tab keeps its own session).
  const delegate = await owner.context().newPage();
  const delegateShot = camera(delegate, "live-delegate");
  const errors = [];
  delegate.on("pageerror", (error) => errors.push(error.message));
  let loads = 0;
  delegate.on("load", () => (loads += 1));
  await delegate.goto(`${demo.worker.url}/`);
  await delegate.waitForSelector("body[data-ready=true]");
  await signIn(delegate, "dev-team-1");
  await delegate.click(".letter a.accept-link");
  await statusSays(delegate, /You are now a delegate on Web Hosting Pro/);
  await delegate.waitForSelector(hosting);
  await delegate.waitForSelector('body[data-live="open"]');
  assert.match(await delegate.textContent("#live"), /Live/);

  // The owner's tab, on its delegates list, shows the new delegate without a reload.
  await owner.waitForSelector(`${hosting} .delegate:has-text("dev@team-one.example")`, { timeout: 2000 });
  assert.match(await owner.textContent("#live"), /updated/);
  await ownerShot("01-delegate-arrived-without-reload");
  await delegateShot("01-sees-the-contract");

  // A mark on the delegate's page: a reload would wipe it.
  await delegate.evaluate(() => (window.__sameDocument = true));
  const loadsBefore = loads;

  await owner.click(`${hosting} .delegate button:has-text("Revoke access")`);
  const answered = await owner.waitForResponse((r) => r.url().includes("/delegates/dev-team-1") && r.request().method() === "DELETE");
  assert.equal(answered.status(), 204);
  const since = Date.now();
  await delegate.waitForSelector(hosting, { state: "detached", timeout: 1000 });
  const elapsed = Date.now() - since;
  await delegate.waitForSelector('#contracts .hint:has-text("No subscriptions")');
  assert.ok(elapsed < 1000, `the contract left the delegate's tab ${elapsed} ms after the answer`);
  assert.equal(await delegate.evaluate(() => window.__sameDocument), true, "no reload");
  assert.equal(loads, loadsBefore, "no navigation");
  assert.match(await delegate.textContent("#live"), /updated/);
  await statusSays(owner, /dev@team-one\.example no longer has access/);
  await delegateShot("02-contract-gone-without-reload");
  await ownerShot("02-revoked");

  // The delegate's tab decides on the fresh snapshot: it sees nothing of the contract.
  assert.equal(await delegate.$(hosting), null);
  console.log(`# revoke answered → delegate tab updated: ${elapsed} ms`);
  assert.deepEqual(errors, []);
  assert.deepEqual(demo.errors, []);
  await delegate.close();
});
