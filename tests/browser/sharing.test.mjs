// Seed 000 in the browser: Agency shares a production project with Merchant (with the
// confirmation step), both assign licenses, Agency sees Merchant's, unsharing removes them;
// Partner Ltd transfers a whole order, recurring fees included, to Client Shop.
import { test, before, after } from "node:test";
import { openDemo, camera, signIn, statusSays, refusal, assert } from "./support.mjs";

let demo;
let MESSAGES;
before(async () => {
  demo = await openDemo();
  MESSAGES = demo.messages;
});
after(async () => demo?.stop());

const project = '.project[data-project="Production store"]';

test("sharing: share with Continue, recipient and owner assign licenses, owner sees the recipient's, unshare with Continue removes them", async () => {
  const { page } = demo;
  const shot = camera(page, "sharing");

  await signIn(page, "agency");
  await page.fill("#new-project input[name=name]", "Production store");
  await page.click("#new-project button");
  await page.waitForSelector(project);
  await page.click(`${project} button.share`);
  await page.fill(`${project} .share-form input[name=email]`, "merchant@shop.example");
  await page.click(`${project} .share-form button`);
  const confirmation = await page.textContent(`${project} .share-confirm`);
  assert.match(confirmation, /will appear in the account of merchant@shop\.example at once, without them confirming/);
  assert.equal(await page.$(`${project} .recipient`), null, "nothing is shared before Continue");
  await shot("01-share-confirm");
  await page.click(`${project} .share-confirm button:has-text("Continue")`);
  await statusSays(page, /Production store is now shared with merchant@shop\.example/);
  await page.waitForSelector(`${project} .recipient:has-text("merchant@shop.example")`);
  await shot("02-shared");

  await signIn(page, "merchant");
  await page.waitForSelector(project);
  assert.match(await page.textContent(`${project} .role`), /shared with you by owner@agency\.example/);
  assert.equal(await refusal(page, `${project} button.share`), MESSAGES.share_recipient_forbidden);
  assert.equal(await refusal(page, `${project} button.transfer`), MESSAGES.share_recipient_forbidden);
  await page.selectOption(`${project} .assign-form select`, "DEMO-MERCHANT-SEO-1");
  await page.click(`${project} .assign-form button`);
  await page.waitForSelector(`${project} .project-license:has-text("DEMO-MERCHANT-SEO-1")`);
  await shot("03-recipient-assigns");

  await signIn(page, "agency");
  await page.selectOption(`${project} .assign-form select`, "DEMO-AGENCY-SEARCH-1");
  await page.click(`${project} .assign-form button`);
  await page.waitForSelector(`${project} .project-license:has-text("DEMO-AGENCY-SEARCH-1")`);
  assert.match(await page.textContent(`${project} .project-license:has-text("DEMO-MERCHANT-SEO-1")`), /assigned by Merchant \(project recipient\)/);
  await shot("04-owner-sees-recipients-license");

  await signIn(page, "merchant");
  assert.equal(await page.$(`${project} .project-license:has-text("DEMO-AGENCY-SEARCH-1")`), null, "a recipient sees only its own licenses");

  await signIn(page, "agency");
  await page.click(`${project} .recipient button.unshare`);
  assert.match(await page.textContent(`${project} .unshare-confirm`), /the licenses they assigned leave the project/);
  await shot("05-unshare-confirm");
  await page.click(`${project} .unshare-confirm button:has-text("Continue")`);
  await statusSays(page, /no longer shared with merchant@shop\.example/);
  await page.waitForSelector(`${project} .recipient`, { state: "detached" });
  assert.equal(await page.$(`${project} .project-license:has-text("DEMO-MERCHANT-SEO-1")`), null);
  assert.ok(await page.$(`${project} .project-license:has-text("DEMO-AGENCY-SEARCH-1")`));
  await shot("06-unshared");

  await signIn(page, "merchant");
  assert.equal(await page.$(project), null);
  assert.match(await page.textContent('#licenses [data-license="DEMO-MERCHANT-SEO-1"]'), /unassigned/);
  await shot("07-recipient-after-unshare");
  assert.deepEqual(demo.errors, []);
});

test("sharing: the partner transfers a whole order and its recurring fees; the new owner sees it and, not being a partner, may not pass it on", async () => {
  const { page } = demo;
  const shot = camera(page, "order-transfer");
  const order = '.order[data-order="demo-order-partner"]';

  await signIn(page, "partner");
  assert.match(await page.textContent(`${order} .billing`), /Recurring fees are charged to you/);
  await page.click(`${order} button.transfer-order`);
  assert.match(await page.textContent(`${order} .panel`), /recurring fees, which will be charged to them/);
  await page.fill(`${order} .order-transfer-form input[name=email]`, "it@client-shop.example");
  await shot("01-partner-order");
  await page.click(`${order} .order-transfer-form button`);
  await statusSays(page, /Order demo-order-partner now belongs to it@client-shop\.example/);
  await page.waitForSelector(order, { state: "detached" });
  assert.equal(await page.isHidden("#orders-section"), true);
  assert.equal(await page.$('#licenses [data-license="DEMO-PARTNER-SEARCH-1"]'), null);
  await shot("02-partner-after");

  await signIn(page, "client-shop");
  assert.match(await page.textContent(`${order} .billing`), /Recurring fees are charged to you/);
  assert.ok(await page.$('#licenses [data-license="DEMO-PARTNER-SEARCH-1"]'));
  assert.ok(await page.$('#licenses [data-license="DEMO-PARTNER-SEARCH-2"]'));
  assert.equal(await refusal(page, `${order} button.transfer-order`), MESSAGES.partner_only);
  await shot("03-new-owner");
  assert.deepEqual(demo.errors, []);
});
