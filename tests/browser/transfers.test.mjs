// Seed 002 in the browser: Smart Homes (an integrator) transfers a Lite project to Dana (DIY)
// and an unused license to Erik (an end user); the page explains the project's kind and device
// state before the request, and refuses a transfer an active server or signed-in panels block
// before asking the worker (the rules' decision, in the browser); the targets accept, the
// requester cancels.
import { test, before, after } from "node:test";
import { openDemo, camera, signIn, statusSays, refusal, assert } from "./support.mjs";

let demo;
let MESSAGES;
before(async () => {
  demo = await openDemo();
  MESSAGES = demo.messages;
});
after(async () => demo?.stop());

const card = (name) => `.project[data-project="${name}"]`;
const license = (key) => `#licenses [data-license="${key}"]`;

test("transfers: device state explained first, refusals in words, the target accepts a project and a license, the requester cancels", async () => {
  const { page } = demo;
  const shot = camera(page, "transfers");

  await signIn(page, "integrator");
  assert.match(await page.textContent(`${card("Villa Rossi")} .device`), /server is active\. Deactivate it before a transfer/);
  assert.match(await page.textContent(`${card("Flat 12")} .device`), /2 panels are signed in/);
  assert.match(await page.textContent(`${card("Office Lite")} .device`), /No panel is signed in/);
  // A license on a project, or activated, moves only with its project.
  for (const key of ["DEMO-INT-LITE-1", "DEMO-INT-ACTIVE-1"]) {
    assert.equal(await refusal(page, `${license(key)} button.transfer`), MESSAGES.license_in_use, key);
  }
  await shot("01-integrator");

  // The server project and the Lite project with panels signed in: the page knows, before any
  // request, that the worker would refuse (server_active, panels_active), and says how to fix it.
  assert.match(await page.textContent(`${card("Villa Rossi")} .device`), /Cloud → Deactivation/);
  assert.equal(await refusal(page, `${card("Villa Rossi")} button.transfer`), MESSAGES.server_active);
  assert.equal(await refusal(page, `${card("Flat 12")} button.transfer`), MESSAGES.panels_active);
  await shot("02-server-active-refused");

  // A Lite project may not go to an end user: the explanation comes before the request, the
  // worker refuses it in words.
  await page.click(`${card("Office Lite")} button.transfer`);
  assert.match(await page.textContent(`${card("Office Lite")} .transfer-panel`), /Lite projects go only to integrator or DIY accounts/);
  await page.fill(`${card("Office Lite")} .transfer-form input[name=email]`, "erik@mail.example");
  await page.click(`${card("Office Lite")} .transfer-form button`);
  assert.equal(await statusSays(page, /may not receive this project/, "error"), MESSAGES.recipient_kind_not_allowed);
  await shot("03-end-user-refused");

  await page.click(`${card("Office Lite")} button.transfer`);
  await page.fill(`${card("Office Lite")} .transfer-form input[name=email]`, "dana@home.example");
  await page.click(`${card("Office Lite")} .transfer-form button`);
  await statusSays(page, /Transfer of Office Lite to dana@home\.example requested/);
  assert.match(await page.textContent("#transfers"), /Project Office Lite · from you to Dana \(DIY home owner\) · waiting for an answer/);
  assert.equal(await refusal(page, `${card("Office Lite")} button.transfer`), MESSAGES.transfer_pending);
  assert.equal(await refusal(page, `${license("DEMO-INT-SPARE-1")} button.transfer`), null, "an unused license may move");
  await shot("04-project-requested");

  // An unused license: requested, cancelled, requested again.
  await page.click(`${license("DEMO-INT-SPARE-1")} button.transfer`);
  await page.fill(`${license("DEMO-INT-SPARE-1")} .transfer-form input[name=email]`, "erik@mail.example");
  await page.click(`${license("DEMO-INT-SPARE-1")} .transfer-form button`);
  await statusSays(page, /Transfer of DEMO-INT-SPARE-1 to erik@mail\.example requested/);
  await page.click('.transfer-row.pending:has-text("DEMO-INT-SPARE-1") button.cancel');
  await statusSays(page, /Transfer cancelled/);
  await page.waitForSelector('.transfer-row.cancelled:has-text("DEMO-INT-SPARE-1")');
  await shot("05-license-transfer-cancelled");
  await page.click(`${license("DEMO-INT-SPARE-1")} button.transfer`);
  await page.fill(`${license("DEMO-INT-SPARE-1")} .transfer-form input[name=email]`, "erik@mail.example");
  await page.click(`${license("DEMO-INT-SPARE-1")} .transfer-form button`);
  await page.waitForSelector('.transfer-row.pending:has-text("DEMO-INT-SPARE-1")');

  await signIn(page, "diy");
  assert.equal(await page.$(card("Office Lite")), null, "nothing moves before acceptance");
  const incoming = '.transfer-row.pending:has-text("from Smart Homes (integrator) to you")';
  await page.waitForSelector(incoming);
  await shot("06-diy-incoming");
  await page.click(`${incoming} button.accept`);
  await statusSays(page, /is now yours/);
  await page.waitForSelector(card("Office Lite"));
  assert.match(await page.textContent(`${card("Office Lite")} .role`), /Lite project · yours/);
  assert.ok(await page.$(license("DEMO-INT-LITE-1")), "the project's license came with it");
  await shot("07-diy-accepted");

  await signIn(page, "end-user");
  await page.click('.transfer-row.pending:has-text("DEMO-INT-SPARE-1") button.accept');
  await statusSays(page, /License DEMO-INT-SPARE-1 is now yours/);
  await page.waitForSelector(license("DEMO-INT-SPARE-1"));
  await shot("08-end-user-accepted");

  await signIn(page, "integrator");
  assert.equal(await page.$(card("Office Lite")), null);
  assert.equal(await page.$(license("DEMO-INT-SPARE-1")), null);
  assert.equal(await page.$(license("DEMO-INT-LITE-1")), null);
  assert.equal(await page.$$eval(".transfer-row.accepted", (rows) => rows.length), 2);
  await shot("09-integrator-after");
  assert.deepEqual(demo.errors, []);
});
