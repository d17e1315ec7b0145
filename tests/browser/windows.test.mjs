// Access for a time in the browser (issue 23): Agency shares a project with Merchant from a few
// seconds from now, and another one until a few seconds from now. The owner sees "starts …" and
// "until …", changes an end, and sees an ended share as ended; the recipient sees until when it
// has access, and its page follows the windows by itself (a timer at `Access.validUntil` fetches
// the snapshot again): the project appears at the start and leaves at the end, with no reload.
// The clock is the real one: the worker decides on the request's time, the page on its own.
import { test, before, after } from "node:test";
import { openDemo, camera, signIn, statusSays, assert } from "./support.mjs";

let demo;
before(async () => {
  demo = await openDemo();
});
after(async () => demo?.stop());

/** The value of a `datetime-local` field for `ms` milliseconds from now, in the page's time zone. */
function localIn(page, ms) {
  return page.evaluate((ahead) => {
    const d = new Date(Date.now() + ahead);
    const pad = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }, ms);
}

/** Creates a project as the signed-in owner and opens its share form. */
async function newProject(page, name) {
  await page.fill("#new-project input[name=name]", name);
  await page.click("#new-project button");
  const card = `.project[data-project="${name}"]`;
  await page.waitForSelector(card);
  await page.click(`${card} button.share`);
  return card;
}

test("a share that starts later: nothing for the recipient before its start, the project at its start, with no reload", async () => {
  const { page } = demo;
  const shot = camera(page, "share-starts-later");
  await signIn(page, "agency");
  const card = await newProject(page, "Launch");
  await page.fill(`${card} .share-form input[name=email]`, "merchant@shop.example");
  await page.fill(`${card} .share-form input[name=startsAt]`, await localIn(page, 12_000));
  await page.click(`${card} .share-form button[type=submit]`);
  assert.match(await page.textContent(`${card} .share-confirm`), /will appear in the account of merchant@shop\.example on \d+ \w+, \d\d:\d\d/);
  await page.click(`${card} .share-confirm button:has-text("Continue")`);
  await statusSays(page, /Launch is now shared with merchant@shop\.example/);
  const row = `${card} .recipient:has-text("merchant@shop.example")`;
  await page.waitForSelector(row);
  assert.equal(await page.getAttribute(row, "data-status"), "scheduled");
  assert.match(await page.textContent(`${row} .window`), /^starts \d+ \w+, \d\d:\d\d$/);
  await shot("01-owner-sees-starts");

  await signIn(page, "merchant");
  assert.equal(await page.$(card), null, "before its start the share gives nothing");
  await shot("02-recipient-before-start");
  // The page's timer at validUntil fetches the snapshot again at the start.
  await page.waitForSelector(card, { timeout: 20_000 });
  assert.match(await page.textContent(`${card} .role`), /shared with you by owner@agency\.example · no end date/);
  assert.ok(await page.$(`${card} .assign-form`), "the recipient may assign its licenses now");
  await shot("03-recipient-after-start");

  // The owner gives it an end: the recipient sees until when it has access.
  await signIn(page, "agency");
  await page.click(`${row} button.change-end`);
  await page.fill(`${row} .end-form input[name=expiresAt]`, await localIn(page, 3 * 86_400_000));
  await page.click(`${row} .end-form button[type=submit]`);
  await statusSays(page, /Launch is shared with merchant@shop\.example until \d+ \w+, \d\d:\d\d/);
  await page.locator(`${row} .window`).filter({ hasText: /^until / }).waitFor();
  await shot("04-owner-sets-an-end");
  await signIn(page, "merchant");
  assert.match(await page.textContent(`${card} .role`), /· until \d+ \w+, \d\d:\d\d/);
  await shot("05-recipient-sees-until");
  assert.deepEqual(demo.errors, []);
});

test("a share that ends: the recipient sees until when, loses the project at the end with no reload; the owner sees it ended", async () => {
  const { page } = demo;
  const shot = camera(page, "share-ends");
  await signIn(page, "agency");
  const card = await newProject(page, "Pop-up shop");
  await page.fill(`${card} .share-form input[name=email]`, "merchant@shop.example");
  await page.fill(`${card} .share-form input[name=expiresAt]`, await localIn(page, 15_000));
  await page.click(`${card} .share-form button[type=submit]`);
  assert.match(await page.textContent(`${card} .share-confirm`), /at once, without them confirming, and leave it on \d+ \w+, \d\d:\d\d, with the licenses they assigned/);
  await page.click(`${card} .share-confirm button:has-text("Continue")`);
  await statusSays(page, /Pop-up shop is now shared with merchant@shop\.example until/);
  const row = `${card} .recipient:has-text("merchant@shop.example")`;
  await page.waitForSelector(row);
  assert.equal(await page.getAttribute(row, "data-status"), "active");
  await shot("01-owner-shares-until");

  await signIn(page, "merchant");
  await page.waitForSelector(card);
  assert.match(await page.textContent(`${card} .role`), /· until \d+ \w+, \d\d:\d\d/);
  await page.selectOption(`${card} .assign-form select`, "DEMO-MERCHANT-SEO-1");
  await page.click(`${card} .assign-form button`);
  await page.waitForSelector(`${card} .project-license:has-text("DEMO-MERCHANT-SEO-1")`);
  assert.match(await page.textContent('#licenses [data-license="DEMO-MERCHANT-SEO-1"]'), /on project Pop-up shop until \d+ \w+/);
  await shot("02-recipient-sees-until");
  // At the end the page fetches its snapshot again by itself: the project leaves, the license is free.
  await page.waitForSelector(card, { state: "detached", timeout: 25_000 });
  assert.match(await page.textContent('#licenses [data-license="DEMO-MERCHANT-SEO-1"]'), /unassigned/);
  await shot("03-recipient-after-the-end");

  await signIn(page, "agency");
  assert.equal(await page.getAttribute(row, "data-status"), "expired");
  assert.match(await page.textContent(`${row} .window`), /^ended \d+ \w+, \d\d:\d\d$/);
  assert.equal(await page.$(`${row} button.change-end`), null, "an ended share no longer changes");
  assert.equal(await page.$(`${card} .project-license:has-text("DEMO-MERCHANT-SEO-1")`), null, "the recipient's license left the project");
  await shot("04-owner-sees-it-ended");
  assert.deepEqual(demo.errors, []);
});
