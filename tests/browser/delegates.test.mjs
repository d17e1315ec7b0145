// Seed 003 in the browser: Company B invites Dev Team 1 to its hosting subscription, Dev Team 1
// accepts from its mailbox and sees only what a delegate may, Company B revokes it.
import { test, before, after } from "node:test";
import { openDemo, camera, signIn, statusSays, refusal, assert } from "./support.mjs";

let demo;
let MESSAGES;
before(async () => {
  demo = await openDemo();
  MESSAGES = demo.messages;
});
after(async () => demo?.stop());

const hosting = '.contract[data-contract="demo-hosting"]';
const ssl = '.contract[data-contract="demo-ssl"]';

test("delegates: the client invites, resends and cancels; the delegate accepts by mail, sees registration, renewal, status, provisioning and its tickets only; the client revokes", async () => {
  const { page } = demo;
  const shot = camera(page, "delegates");

  await signIn(page, "company-b");
  // A one-off purchase says why it has no delegates.
  await page.click(`${ssl} .tab-delegates`);
  assert.equal(await page.textContent(`${ssl} .delegates-why`), MESSAGES.contract_not_subscription);
  assert.match(await page.textContent(`${hosting} .billing`), /Recurring subscription/);
  // A ticket from before any delegate: the delegate must never see it.
  await page.click(`${hosting} .tab-tickets`);
  await page.fill(`${hosting} .ticket-form input[name=subject]`, "Old billing question");
  await page.fill(`${hosting} .ticket-form textarea[name=body]`, "From before the delegate");
  await page.click(`${hosting} .ticket-form button`);
  await page.waitForSelector(`${hosting} .ticket:has-text("Old billing question")`);
  await shot("01-one-off-has-no-delegates");

  await page.click(`${hosting} .tab-delegates`);
  await page.fill(`${hosting} .invite-form input[name=email]`, "dev@team-one.example");
  await page.click(`${hosting} .invite-form button`);
  await statusSays(page, /Invitation sent to dev@team-one.example/);
  await page.waitForSelector(`${hosting} .invitation:has-text("dev@team-one.example")`);
  await shot("02-invite");

  await page.click(`${hosting} .invitation:has-text("dev@team-one.example") button:has-text("Resend")`);
  await statusSays(page, /sent again to dev@team-one.example/);
  // A second invitation, cancelled: it leaves the pending list.
  await page.fill(`${hosting} .invite-form input[name=email]`, "merchant@shop.example");
  await page.click(`${hosting} .invite-form button`);
  await page.waitForSelector(`${hosting} .invitation:has-text("merchant@shop.example")`);
  await page.click(`${hosting} .invitation:has-text("merchant@shop.example") button:has-text("Cancel")`);
  await page.waitForSelector(`${hosting} .invitation:has-text("merchant@shop.example")`, { state: "detached" });
  // Inviting an address with no store account is refused in words.
  await page.fill(`${hosting} .invite-form input[name=email]`, "nobody@nowhere.example");
  await page.click(`${hosting} .invite-form button`);
  assert.equal(await statusSays(page, /store account/, "error"), MESSAGES.invitee_not_found);
  await shot("03-resend-cancel-unknown");

  await signIn(page, "merchant");
  assert.match(await page.textContent("#mailbox"), /No messages/, "a cancelled invitation is not in the mailbox");

  await signIn(page, "dev-team-1");
  const letter = await page.textContent(".letter");
  assert.match(letter, /From: Company B \(hosting client\) <client@company-b\.example>/);
  assert.match(letter, /Company B \(hosting client\) invites you to be a delegate on Web Hosting Pro \(2 years\)/);
  assert.doesNotMatch(letter, /demo-hosting/, "the letter names the product, not an id");
  assert.equal(await page.$(hosting), null, "nothing before acceptance");
  await shot("04-mailbox");

  // The e-mail's link opens the page, which accepts for the signed-in account and drops the token from the address.
  assert.match(await page.getAttribute(".letter a.accept-link", "href"), /^\.\/\?accept=/);
  await page.click(".letter a.accept-link");
  await statusSays(page, /You are now a delegate on Web Hosting Pro/);
  assert.doesNotMatch(page.url(), /accept/);
  await page.waitForSelector(hosting);
  assert.match(await page.textContent(`${hosting} .role`), /Delegate access · owned by client@company-b\.example/);
  const facts = await page.textContent(`${hosting} .facts`);
  assert.match(facts, /Status\s*active/);
  assert.match(facts, /Registered\s*2026-01-10/);
  assert.match(facts, /Renews\s*2028-01-10/);
  assert.equal(await page.$(`${hosting} .billing`), null, "a delegate sees no billing");
  for (const button of [".billing-manage", ".upgrade", ".cancel-contract"]) {
    assert.equal(await refusal(page, `${hosting} ${button}`), MESSAGES.delegate_action_forbidden, button);
  }
  assert.equal(await page.$$eval(`${hosting} .owner-actions .why`, (w) => w.length), 1, "one sentence for one reason");
  assert.equal(await refusal(page, `${hosting} .provision:has-text("Update nameservers")`), null);
  assert.equal(await page.$(ssl), null, "only the contract it was invited to");
  await page.click(`${hosting} .provision:has-text("Update nameservers")`);
  await statusSays(page, /Update nameservers: the store has been asked/);
  await shot("05-delegate-view");

  await page.click(`${hosting} .tab-tickets`);
  await page.fill(`${hosting} .ticket-form input[name=subject]`, "Redesign DNS");
  await page.fill(`${hosting} .ticket-form textarea[name=body]`, "Point www to the new host");
  await page.click(`${hosting} .ticket-form button`);
  await page.waitForSelector(`${hosting} .ticket:has-text("Redesign DNS")`);
  assert.equal(await page.$(`${hosting} .ticket:has-text("Old billing question")`), null, "tickets from before it was added stay hidden");
  assert.match(await page.textContent(`${hosting} .tab-body`), /tickets opened since you were added/);
  await shot("06-delegate-tickets");
  await page.click(`${hosting} .tab-delegates`);
  assert.equal(await page.textContent(`${hosting} .delegates-why`), MESSAGES.delegate_action_forbidden);

  await signIn(page, "company-b");
  await page.click(`${hosting} .tab-tickets`);
  await page.waitForSelector(`${hosting} .ticket:has-text("Redesign DNS")`);
  await page.click(`${hosting} .tab-delegates`);
  await page.waitForSelector(`${hosting} .delegate:has-text("dev@team-one.example")`);
  await shot("07-owner-sees-delegate");
  await page.click(`${hosting} .delegate button:has-text("Revoke access")`);
  await statusSays(page, /dev@team-one\.example no longer has access/);
  await page.waitForSelector(`${hosting} .delegate`, { state: "detached" });
  await shot("08-revoked");

  await signIn(page, "dev-team-1");
  await page.waitForSelector('#contracts .hint:has-text("No subscriptions")');
  assert.match(await page.textContent("#mailbox"), /No messages/);
  await shot("09-delegate-after-revoke");
  assert.deepEqual(demo.errors, []);
});

// Issue 20, finding 5: the store turns the subscription into a one-off purchase while a
// delegate is on it. The delegate loses access at once; the owner can no longer invite, but
// may still remove what is left (contract.delegates.revoke), and the page offers exactly that.
test("delegates: a contract turned one-off keeps a leftover delegate that its owner removes", async () => {
  const { page, worker } = demo;
  const shot = camera(page, "delegates-leftover");

  await signIn(page, "company-b");
  await page.click(`${hosting} .tab-delegates`);
  await page.fill(`${hosting} .invite-form input[name=email]`, "dev@team-one.example");
  await page.click(`${hosting} .invite-form button`);
  await statusSays(page, /Invitation sent to dev@team-one.example/);
  await signIn(page, "dev-team-1");
  await page.click(".letter a.accept-link");
  await statusSays(page, /You are now a delegate on Web Hosting Pro/);
  await page.waitForSelector(hosting);

  // The store's plan change, with its store key.
  const response = await fetch(`${worker.url}/v1/contracts/demo-hosting`, {
    method: "PUT",
    headers: { authorization: `Bearer ${worker.keys.demo}`, "content-type": "application/json" },
    body: JSON.stringify({ ownerId: "company-b", productId: "hosting-pro", status: "active", registeredAt: "2026-01-10T00:00:00Z", billing: "one_off" }),
  });
  assert.equal(response.status, 200, await response.text());

  await signIn(page, "dev-team-1");
  await page.waitForSelector('#contracts .hint:has-text("No subscriptions")');

  await signIn(page, "company-b");
  await page.click(`${hosting} .tab-delegates`);
  assert.match(await page.textContent(`${hosting} .delegates-why.leftovers`), new RegExp(MESSAGES.contract_not_subscription.replace(/[.;]/g, ".")));
  assert.equal(await page.$(`${hosting} .invite-form`), null, "no inviting on a one-off purchase");
  assert.equal(await refusal(page, `${hosting} .delegate button:has-text("Remove")`), null);
  await shot("01-leftover-delegate");
  await page.click(`${hosting} .delegate button:has-text("Remove")`);
  await statusSays(page, /dev@team-one\.example no longer has access/);
  await page.waitForSelector(`${hosting} .delegates-why:not(.leftovers)`);
  assert.equal(await page.textContent(`${hosting} .delegates-why`), MESSAGES.contract_not_subscription);
  await shot("02-nothing-left");
  assert.deepEqual(demo.errors, []);
});
