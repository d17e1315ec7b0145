// The demo page as a whole: the landing text before sign-in, one sentence for every code, no
// stale data or message after switching accounts (even when answers arrive out of order), and
// a 390 px wide screen.
import { test, before, after } from "node:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openDemo, camera, signIn, statusSays, assert, root } from "./support.mjs";

let demo;
let MESSAGES;
before(async () => {
  demo = await openDemo();
  MESSAGES = demo.messages;
});
after(async () => demo?.stop());

const source = (path) => readFileSync(join(root, path), "utf8");

test("every reason code of the rules and every error code has a sentence in the page's one table", () => {
  // openapi.json is generated from the rules' and the transport's registries: its `ReasonCode`
  // and `ErrorCode` schemas list every code.
  const schemas = JSON.parse(source("openapi.json")).components.schemas;
  const reasons = schemas.ReasonCode.enum;
  const errors = schemas.ErrorCode.enum;
  assert.ok(reasons.length >= 24 && errors.length >= 80, `found ${reasons.length} reasons and ${errors.length} errors`);
  assert.ok(errors.includes("session_required") && errors.includes("invitation_expired"));
  const missing = [...new Set([...reasons, ...errors])].filter((code) => !MESSAGES[code]);
  assert.deepEqual(missing, []);
  // Sentences, not codes.
  for (const [code, sentence] of Object.entries(MESSAGES)) assert.match(sentence, /^[A-Z].*[.!]$/, code);
});

test("the landing text explains the demo and its accounts before sign-in", async () => {
  const { page } = demo;
  assert.equal(await page.isVisible("#about"), true);
  assert.equal(await page.isHidden("#app"), true);
  const about = await page.textContent("#about");
  assert.match(about, /there are no passwords\s+here/);
  const rows = await page.$$eval("#tour tbody tr", (r) => r.map((x) => x.textContent));
  assert.equal(rows.length, 4);
  assert.match(rows[0], /Delegates.*Company B \(hosting client\), Dev Team 1/);
  assert.match(rows[3], /Reseller.*Reseller Co/);
  await camera(page, "page")("01-landing");
});

/** Records, for the whole test, every time the app shows text matching `pattern`. */
async function watch(page, pattern) {
  await page.evaluate((source) => {
    window.leaks = [];
    const re = new RegExp(source);
    const check = () => {
      const app = document.querySelector("#app");
      if (!app.hidden && re.test(app.textContent)) window.leaks.push(document.body.dataset.account ?? "(none)");
    };
    new MutationObserver(check).observe(document.querySelector("#app"), { subtree: true, childList: true, characterData: true, attributes: true });
  }, pattern.source);
}

test("switching accounts clears the previous account's data and message at once", async () => {
  const { page } = demo;
  await signIn(page, "agency");
  await page.fill("#new-project input[name=name]", "Secret agency project");
  await page.click("#new-project button");
  await statusSays(page, /Project Secret agency project created/);
  await watch(page, /Secret agency project|DEMO-AGENCY/);
  await signIn(page, "merchant");
  assert.equal(await page.textContent("#status"), "", "the previous account's message is gone");
  assert.doesNotMatch(await page.textContent("#app"), /Secret agency project|DEMO-AGENCY/);
  assert.deepEqual(await page.evaluate(() => window.leaks), []);
});

test("an answer for the previous account never renders, whichever request is slow", async () => {
  const { page } = demo;
  const shot = camera(page, "switching");
  for (const slowPath of ["/v1/me/access", "/v1/demo/sessions", "/v1/demo/mailbox"]) {
    await signIn(page, "integrator");
    await watch(page, /DEMO-PARTNER|Partner Ltd/);
    // The partner's requests are held back until the reseller's page has rendered.
    let release;
    const held = new Promise((resolve) => {
      release = resolve;
    });
    let holding = true;
    await page.route(`**${slowPath}`, async (route) => {
      if (holding) {
        holding = false;
        await held;
      }
      await route.continue();
    });
    await page.selectOption("#account", "partner");
    await page.click("#signin button[type=submit]");
    await page.waitForFunction(() => document.body.dataset.account === undefined);
    await signIn(page, "reseller");
    release();
    // Give the held answer time to arrive and (wrongly) render.
    await page.waitForTimeout(800);
    await page.unroute(`**${slowPath}`);
    assert.equal(await page.getAttribute("body", "data-account"), "reseller", slowPath);
    assert.match(await page.textContent("#whoami"), /Reseller Co/, slowPath);
    assert.doesNotMatch(await page.textContent("#app"), /DEMO-PARTNER|Partner Ltd/, slowPath);
    assert.deepEqual(await page.evaluate(() => window.leaks), [], slowPath);
  }
  await shot("01-reseller-after-slow-partner");
});

test("usable at 390 px wide: no horizontal overflow signed out or as any account, forms open", async () => {
  const { page } = demo;
  const shot = camera(page, "narrow");
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  assert.equal(await overflow(), 0, "signed out");
  await shot("01-landing");
  const accounts = await page.$$eval("#account option", (o) => o.map((x) => x.value));
  for (const id of accounts) {
    await signIn(page, id);
    // Open every panel a button opens, so the forms are measured too.
    for (const button of await page.$$("button.share:not([disabled]), button.transfer:not([disabled]), button.transfer-order:not([disabled])")) await button.click();
    assert.equal(await overflow(), 0, id);
    if (["company-b", "integrator", "reseller"].includes(id)) await shot(`02-${id}`);
  }
  await signIn(page, "company-b");
  for (const tab of ["tickets", "delegates"]) {
    await page.click(`.contract[data-contract="demo-hosting"] .tab-${tab}`);
    assert.equal(await overflow(), 0, tab);
  }
  await shot("03-company-b-delegates-tab");
  assert.deepEqual(demo.errors, []);
});
