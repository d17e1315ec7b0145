// Seed 001 in the browser: Reseller Co creates a customer, creates licenses for a customer it
// manages (the form's every field), sees the keys and the unpaid counter out of 10, is stopped
// before the limit, marks a license paid; the customer sees its licenses without the notes.
import { test, before, after } from "node:test";
import { openDemo, camera, signIn, statusSays, refusal, assert } from "./support.mjs";

let demo;
let MESSAGES;
before(async () => {
  demo = await openDemo();
  MESSAGES = demo.messages;
});
after(async () => demo?.stop());

test("reseller: create customer, create licenses with every field, keys and unpaid counter, the limit of 10, mark paid; the customer's view", async () => {
  const { page } = demo;
  const shot = camera(page, "reseller");

  await signIn(page, "reseller");
  // Seeded: one paid license for Anna, one unpaid PrestaShop trial for Bruno.
  assert.equal(await page.textContent(".unpaid-counter"), "Unpaid licenses: 1 of 10.");
  assert.match(await page.textContent('.customer[data-customer="anna"]'), /Anna Novak · anna@novak\.example.*SEO Toolkit for Magento 2/);
  assert.match(await page.textContent(".reseller-licenses"), /Notes: PO-1001 \(invoice sent\)/);
  const catalog = await page.$$eval(".catalog .pick-product", (b) => b.map((x) => x.dataset.product));
  assert.deepEqual(catalog, ["m2-seo", "m2-search", "ps-blog"]);
  assert.match(await page.textContent("#reseller"), /Passwords are the store's business/);
  await shot("01-reseller-home");

  await page.fill(".customer-form input[name=email]", "carla@rossi.example");
  await page.fill(".customer-form input[name=first]", "Carla");
  await page.fill(".customer-form input[name=last]", "Rossi");
  await page.click(".customer-form button");
  await statusSays(page, /Customer Carla Rossi created/);
  await page.waitForSelector('.customer:has-text("Carla Rossi · carla@rossi.example")');
  assert.match(await page.textContent('.customer:has-text("Carla Rossi")'), /No licenses yet/);
  // The same address again is refused in words.
  await page.fill(".customer-form input[name=email]", "carla@rossi.example");
  await page.fill(".customer-form input[name=first]", "Carla");
  await page.fill(".customer-form input[name=last]", "Again");
  await page.click(".customer-form button");
  assert.equal(await statusSays(page, /already has an account/, "error"), MESSAGES.email_in_use);
  await shot("02-customer-created");

  // Two unpaid PrestaShop trials for Anna, from the product list.
  await page.click('.pick-product[data-product="ps-blog"]');
  assert.equal(await page.inputValue(".license-form select[name=productId]"), "ps-blog");
  await page.selectOption(".license-form select[name=customerId]", "anna");
  await page.fill(".license-form input[name=quantity]", "2");
  await page.fill(".license-form textarea[name=resellerNotes]", "PO-2001 second shop");
  await page.fill(".license-form textarea[name=customerDetails]", "For Anna's second shop");
  await page.check(".license-form input[name=licenseType][value=trial]");
  assert.match(await page.textContent(".trial-note"), /A trial ends after 30 days \(PrestaShop product\)/);
  await page.check(".license-form input[name=tier][value=primary]");
  await shot("03-license-form");
  await page.click(".license-form button[type=submit]");
  await statusSays(page, /Created 2 licenses/);
  const keys = await page.$$eval(".new-key", (li) => li.map((x) => x.textContent));
  assert.equal(keys.length, 2);
  const in30 = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  for (const key of keys) assert.match(key, new RegExp(`trial until ${in30}`));
  assert.equal(await page.textContent(".unpaid-counter"), "Unpaid licenses: 3 of 10.");
  assert.match(await page.textContent(".reseller-licenses"), /Notes: PO-2001 second shop/);
  await shot("04-keys-and-counter");

  // Past the limit: the button says why before the worker would refuse.
  await page.fill(".license-form input[name=quantity]", "8");
  assert.equal(await refusal(page, ".license-form button[type=submit]"), `${MESSAGES.unpaid_limit_reached} (3 unpaid now.)`);
  await page.check(".license-form input[name=customerPaid]");
  assert.equal(await refusal(page, ".license-form button[type=submit]"), null, "paid licenses do not count");
  await shot("05-unpaid-limit");

  // An additional license without a primary one of that product: refused in words.
  await page.uncheck(".license-form input[name=customerPaid]");
  await page.fill(".license-form input[name=quantity]", "1");
  await page.selectOption(".license-form select[name=productId]", "m2-search");
  await page.selectOption(".license-form select[name=customerId]", "anna");
  await page.check(".license-form input[name=tier][value=additional]");
  await page.click(".license-form button[type=submit]");
  assert.equal(await statusSays(page, /needs the customer to hold a primary license/, "error"), MESSAGES.primary_license_required);
  await shot("06-additional-refused");

  // Mark the seeded trial paid.
  const bruno = '.reseller-license:has-text("PO-1002")';
  await page.click(`${bruno} button.mark-paid`);
  await statusSays(page, /marked paid/);
  const today = new Date().toISOString().slice(0, 10);
  await page.waitForSelector(`${bruno} .paid:has-text("Paid ${today}")`);
  assert.equal(await page.textContent(".unpaid-counter"), "Unpaid licenses: 2 of 10.");
  await shot("07-marked-paid");

  await signIn(page, "anna");
  const mine = await page.textContent("#licenses");
  assert.equal((mine.match(/Blog for PrestaShop/g) ?? []).length, 2);
  assert.match(mine, /From your reseller: For Anna's second shop/);
  assert.match(mine, /SEO Toolkit for Magento 2/);
  assert.doesNotMatch(await page.textContent("body"), /PO-2001|PO-1001/, "reseller notes never reach the customer");
  assert.equal(await page.isHidden("#reseller-section"), true);
  await shot("08-customer-view");
  assert.deepEqual(demo.errors, []);
});
