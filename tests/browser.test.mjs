// The demo page in headless Debian Chromium, served by the worker (static assets) in
// Miniflare, with the demo store seeded through the store API.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startWorker, root } from "./support/worker.mjs";

let worker;
let browser;
let page;
const shots = join(root, "target", "test-logs");

before(async () => {
  worker = await startWorker();
  execFileSync("node", [join(root, "scripts/seed-demo.mjs"), worker.url, worker.keys.demo], { stdio: "pipe" });
  // A fresh profile each run; playwright-core drives Debian's chromium, never a downloaded one.
  browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "entitle-chromium-")), {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(15_000);
  mkdirSync(shots, { recursive: true });
  await page.goto(`${worker.url}/`);
  await page.waitForSelector("body[data-ready=true]");
});

after(async () => {
  await browser?.close();
  await worker?.stop();
});

async function signIn(accountId) {
  await page.selectOption("#account", accountId);
  await page.click("#signin button[type=submit]");
  await page.waitForSelector(`body[data-account="${accountId}"]`);
}

test("the demo page is served at / and loads the npm package", async () => {
  assert.equal(await page.title(), "entitle demo store");
  const options = await page.$$eval("#account option", (o) => o.map((x) => x.value));
  assert.ok(options.includes("company-b") && options.includes("dev-team-1"));
});

test("contract delegates: invite, pending list, accept, limited delegate view, revoke", async () => {
  await signIn("company-b");
  const hosting = '.contract[data-contract="demo-hosting"]';
  await page.waitForSelector(hosting);
  // One-off purchases have no delegates: the rules say so in the browser.
  const ssl = await page.textContent('.contract[data-contract="demo-ssl"] [data-action="contract.delegates.manage"]');
  assert.match(ssl, /contract_not_subscription/);
  assert.match(await page.textContent(`${hosting} .billing`), /recurring/);

  await page.fill(`${hosting} .invite-form input[name=email]`, "dev@team-one.example");
  await page.click(`${hosting} .invite-form button`);
  await page.waitForSelector(`${hosting} .invitation:has-text("dev@team-one.example")`);
  await page.screenshot({ path: join(shots, "demo-delegates-owner.png"), fullPage: true });

  await signIn("dev-team-1");
  await page.waitForSelector(".letter");
  assert.equal(await page.$(hosting), null, "nothing before acceptance");
  await page.click('.letter button:has-text("Accept invitation")');
  await page.waitForSelector(`${hosting} .role:has-text("delegate")`);
  assert.equal(await page.$(`${hosting} .billing`), null, "a delegate sees no billing");
  assert.match(await page.textContent(`${hosting} [data-action="contract.billing.manage"]`), /delegate_action_forbidden/);
  assert.match(await page.textContent(`${hosting} [data-action="contract.provision"]`), /allowed/);
  assert.equal(await page.isDisabled(`${hosting} .billing-manage`), true);
  assert.equal(await page.$(`${hosting} .delegates`), null, "a delegate cannot manage delegates");
  await page.fill(`${hosting} .ticket-form input[name=subject]`, "Redesign DNS");
  await page.fill(`${hosting} .ticket-form input[name=body]`, "Point www to the new host");
  await page.click(`${hosting} .ticket-form button`);
  await page.waitForSelector(`${hosting} .ticket:has-text("Redesign DNS")`);
  await page.screenshot({ path: join(shots, "demo-delegates-delegate.png"), fullPage: true });

  await signIn("company-b");
  await page.waitForSelector(`${hosting} .delegate:has-text("dev@team-one.example")`);
  await page.waitForSelector(`${hosting} .ticket:has-text("Redesign DNS")`);
  await page.click(`${hosting} .delegate button:has-text("Revoke access")`);
  await page.waitForSelector(`${hosting} .delegate`, { state: "detached" });

  await signIn("dev-team-1");
  await page.waitForSelector('#contracts .hint:has-text("No contracts.")');
});

test("project sharing: share, recipient assigns, owner sees it, unshare removes it", async () => {
  await signIn("agency");
  await page.fill("#new-project input[name=name]", "Production store");
  await page.click("#new-project button");
  const project = '.project[data-project="Production store"]';
  await page.waitForSelector(project);
  await page.fill(`${project} .share-form input[name=email]`, "merchant@shop.example");
  await page.click(`${project} .share-form button`);
  await page.waitForSelector(`${project} .recipient:has-text("merchant@shop.example")`);

  await signIn("merchant");
  await page.waitForSelector(`${project} .role:has-text("recipient")`);
  assert.match(await page.textContent(`${project} [data-action="project.share"]`), /share_recipient_forbidden/);
  assert.equal(await page.$(`${project} .share-form`), null);
  await page.selectOption(`${project} .assign-form select`, "DEMO-MERCHANT-SEO-1");
  await page.click(`${project} .assign-form button`);
  await page.waitForSelector(`${project} .project-license:has-text("DEMO-MERCHANT-SEO-1")`);
  await page.screenshot({ path: join(shots, "demo-sharing-recipient.png"), fullPage: true });

  await signIn("agency");
  await page.waitForSelector(`${project} .project-license:has-text("DEMO-MERCHANT-SEO-1")`);
  await page.click(`${project} .recipient button:has-text("Unshare")`);
  await page.waitForSelector(`${project} .recipient`, { state: "detached" });
  assert.equal(await page.$(`${project} .project-license:has-text("DEMO-MERCHANT-SEO-1")`), null);

  await signIn("merchant");
  await page.waitForSelector('#projects .hint:has-text("No projects.")');
  assert.match(await page.textContent("#licenses"), /DEMO-MERCHANT-SEO-1 — m2-seo · unassigned/);
});
