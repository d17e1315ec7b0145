// The demo storefront. What an account sees and may do comes from the npm package (the web
// target of @entitle/rules, served from /pkg) deciding on the account's access snapshot; every
// change goes through the worker's HTTP API, which checks it again. The store's own data (its
// catalog, what it e-mails) comes from demo-store.json, as a real store would use its own.
import init, { Access, contracts, delegates, licenses, projectLicenses, projects, tickets, transfers, customers, watch } from "./pkg/entitle_wasm.js";
import { words } from "./messages.js";

const $ = (selector) => document.querySelector(selector);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "value") node.value = v;
    else if (v !== false && v !== undefined && v !== null) node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
};
const day = (t) => (t ? t.slice(0, 10) : "");
/** A comparator on a list of keys (the rules list in key order; the page shows a human order). */
const by = (keys) => (a, b) => {
  const [x, y] = [keys(a), keys(b)];
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
};
const now = () => new Date().toISOString();
const enc = encodeURIComponent;

// ------------------------------------------------------------ windows of access (issue 23) ----
/** A time as people read it here: `12 Jan, 14:03`, in the browser's own time zone. */
const when = (t) => new Date(t).toLocaleString("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
/** A share's or delegation's window in words: `until 12 Jan, 14:03`, `starts 3 Feb, 09:00`, `ended …`. */
function windowWords(w) {
  switch (w.status) {
    case "scheduled": return `starts ${when(w.startsAt)}${w.expiresAt ? `, until ${when(w.expiresAt)}` : ""}`;
    case "expired": return `ended ${when(w.expiresAt)}`;
    case "revoked": return "revoked";
    default: return w.expiresAt ? `until ${when(w.expiresAt)}` : "no end date";
  }
}
/** The value of a `datetime-local` field (local time) as RFC 3339 in UTC; null when empty. */
const utc = (value) => (value ? new Date(value).toISOString() : null);
/** The fields of a window: from (optional) and until (optional), to the second. */
const windowFields = (prefix = "") => [
  el("label", { class: "when" }, `${prefix}From`, el("input", { name: "startsAt", type: "datetime-local", step: 1, "aria-label": "Access starts" })),
  el("label", { class: "when" }, "Until", el("input", { name: "expiresAt", type: "datetime-local", step: 1, "aria-label": "Access ends" })),
];
/** The window a form asks for, as the API takes it (fields left empty are left out). */
function windowOf(form) {
  const f = new FormData(form);
  const w = {};
  if (f.get("startsAt")) w.startsAt = utc(f.get("startsAt"));
  if (f.get("expiresAt")) w.expiresAt = utc(f.get("expiresAt"));
  return w;
}
/** A panel to change a window's end (PATCH): a new end, or none. */
function endPanel(label, path, done) {
  return panel("end-panel", el("form", { class: "inline end-form", onsubmit: (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const expiresAt = f.get("noEnd") === "on" ? null : utc(f.get("expiresAt"));
    act((s) => api(s, "PATCH", path, { expiresAt }), done(expiresAt));
  } },
    el("label", { class: "when" }, `${label} until`, el("input", { name: "expiresAt", type: "datetime-local", step: 1, "aria-label": "New end" })),
    el("label", { class: "check" }, el("input", { name: "noEnd", type: "checkbox" }), "no end"),
    el("button", { type: "submit", class: "primary" }, "Save")));
}
/** The timer set for the snapshot's `validUntil`: when a window starts or ends, fetch again. */
let windowTimer;
function refreshAt(validUntil) {
  clearTimeout(windowTimer);
  if (!validUntil) return;
  // Timers cap at about 24.8 days; a later change is picked up by a later refresh anyway.
  const wait = Math.min(Date.parse(validUntil) - Date.now() + 250, 2 ** 31 - 1);
  const s = session;
  windowTimer = setTimeout(() => s === session && refresh(), Math.max(0, wait));
}

/** The accept token of an e-mailed invitation link (`/?accept=<token>`) not yet used. */
let acceptToken = null;

/** Accepts the invitation whose link opened the page, as the signed-in account. */
function acceptFromLink() {
  const token = acceptToken;
  if (!token) return;
  if (!session?.token) return status("Sign in as the invited account to accept the invitation.", "info");
  acceptToken = null;
  const letter = view?.letters.find((l) => l.acceptToken === token);
  const contract = demo.contracts.find((c) => c.id === letter?.contractId);
  return act((s) => acceptInvitation(s, token), contract ? `You are now a delegate on ${productName(contract.productId)}.` : "You are now a delegate.");
}

/** Accepts a delegate invitation with the token from the store's e-mail. */
const acceptInvitation = (s, token) => api(s, "POST", "/v1/invitations/accept", { token });

/** Provisioning actions the demo store offers on its hosting contracts. */
const PROVISIONING = [
  { action: "log_in_to_control_panel", label: "Log in to the hosting panel" },
  { action: "update_nameservers", label: "Update nameservers" },
];

const KIND_WORDS = { customer: "customer", partner: "partner", reseller: "reseller", integrator: "integrator", diy: "DIY", end_user: "end user" };
const PROJECT_KIND_WORDS = { standard: "Standard project", server: "Server project", lite: "Lite project", serverless_pro: "Serverless Pro project" };

let demo = null; // demo-store.json: the store's own records
/** The signed-in session: `{ token, accountId }`. A new object at every sign-in. */
let session = null;
/** What the page shows for the session, rebuilt at every refresh. */
let view = null;
/** Which contract tab is open, per contract; reset at every sign-in. */
let openTabs = new Map();
let refreshTicket = 0;
/** Stops watching the signed-in account's live changes; null when not watching. */
let stopWatching = null;
/** Actions of this page under way, and the latest change told meanwhile (its `at`, "" if unknown). */
let acting = 0;
let missed = null;

let statusTimer;
/** Says how an action went; a success fades after a few seconds, an error stays. */
function status(text, kind = "info") {
  clearTimeout(statusTimer);
  $("#status").textContent = text;
  $("#status").className = kind;
  if (kind === "ok") statusTimer = setTimeout(() => status(""), 8000);
}

async function api(s, method, path, body) {
  const response = await fetch(path, {
    method,
    cache: "no-store",
    headers: { authorization: `Bearer ${s.token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw Object.assign(new Error(data?.detail ?? response.statusText), { code: data?.code ?? "internal_error" });
  return data;
}

/** Runs a change for the current session, refreshes, then says how it went; an answer that
 *  arrives after the user switched accounts is dropped. */
async function act(fn, done) {
  const s = session;
  let message;
  let kind = "ok";
  acting += 1;
  try {
    try {
      const result = await fn(s);
      message = typeof done === "function" ? done(result) : done;
    } catch (error) {
      message = words(error.code, error.message);
      kind = "error";
    }
    if (s !== session) return;
    await refresh();
    if (s === session) status(message, kind);
  } finally {
    acting -= 1;
  }
  // A change told while this ran, later than the snapshot it fetched: fetch again.
  if (acting === 0 && missed !== null && s === session) {
    const at = missed;
    missed = null;
    if (at === "" || !view || at >= view.at) await liveRefresh(s);
  }
}

// ---- names from the snapshot, and from the store's catalog for what the snapshot lacks ----
const account = (id) => view?.state.accounts.find((a) => a.id === id) ?? demo.accounts.find((a) => a.id === id);
const who = (id) => (id === session?.accountId ? "you" : account(id)?.name ?? id);
const productName = (id) => view?.state.products.find((p) => p.id === id)?.name ?? demo.products.find((p) => p.id === id)?.name ?? id;
const projectName = (id) => view?.state.projects.find((p) => p.id === id)?.name;

/** A button whose enabled state the rules decide; a refused one carries its reason code. */
function guarded(label, [action, type, id], onclick, attrs = {}) {
  const decision = view.access.decide(action, type, id, now());
  const button = el("button", { type: "button", ...attrs, "data-action": action, disabled: !decision.allowed, onclick }, label);
  if (!decision.allowed) button.dataset.reason = decision.reasons[0];
  return button;
}

let whyCount = 0;
/** A row of buttons with, beneath it, why each refused one is refused: one sentence per
 *  reason, which the buttons point to (aria-describedby). Panels open inside it. */
function buttons(className, ...items) {
  const row = el("div", { class: "inline" }, ...items);
  const reasons = new Map();
  for (const button of row.querySelectorAll("button[data-reason]")) {
    const code = button.dataset.reason;
    if (!reasons.has(code)) reasons.set(code, el("p", { class: "why", id: `why-${++whyCount}`, "data-reason": code }, words(code)));
    button.setAttribute("aria-describedby", reasons.get(code).id);
  }
  return el("div", { class: `actions ${className}` }, row, ...reasons.values());
}
const can = (action, type, id) => view.access.can(action, type, id, now());

/** A small inline panel that replaces itself: used for the e-mail and confirmation steps. */
function panel(className, ...children) {
  return el("div", { class: `panel ${className}` }, ...children);
}
/** Opens the panel `build` makes in `container`, closing any other; closes it if open. */
function toggle(container, key, build) {
  const open = container.querySelector(":scope > .panel");
  const same = open?.dataset.key === key;
  open?.remove();
  status("");
  if (same) return;
  const next = build();
  next.dataset.key = key;
  container.append(next);
}

// ---------------------------------------------------------------- sign-in and refresh ----

function clearView() {
  clearTimeout(windowTimer);
  stopWatching?.();
  stopWatching = null;
  missed = null;
  $("#live").hidden = true;
  view?.access.free();
  view = null;
  openTabs = new Map();
  delete document.body.dataset.account;
  $("#app").hidden = true;
  for (const id of ["#mailbox", "#contracts", "#projects", "#licenses", "#transfers", "#orders", "#reseller", "#whoami"]) $(id).replaceChildren();
  status("");
}

async function signIn(accountId) {
  session = null;
  clearView();
  const pending = { accountId };
  session = pending;
  const response = await fetch("/v1/demo/sessions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ accountId }),
  });
  const data = await response.json().catch(() => ({}));
  if (session !== pending) return;
  if (!response.ok) return status(`Sign-in failed: ${words(data.code, data.detail)}`, "error");
  session = { token: data.token, accountId };
  sessionStorage.setItem("entitle.session", JSON.stringify(session));
  $("#about").open = false;
  await refresh();
  startWatching();
  await acceptFromLink();
}

/**
 * Watches the session's access (`GET /v1/me/access/live`): when another tab, another account or
 * the store changes it, the page fetches its snapshot again, with no reload. `since` is the `at`
 * of the snapshot shown, so a change made while the socket was down is caught up on reconnection.
 */
function startWatching() {
  stopWatching?.();
  const s = session;
  stopWatching = watch(location.origin, s.token, (change) => {
    if (s !== session) return;
    // This page's own action refreshes when it is answered; a change told meanwhile waits for it.
    if (acting > 0) {
      const at = change.at ?? "";
      missed = missed === null || at === "" || (missed !== "" && at > missed) ? at : missed;
      return;
    }
    liveRefresh(s);
  }, {
    since: () => (s === session ? view?.at : null),
    onStatus: (state) => {
      if (s !== session) return;
      document.body.dataset.live = state;
      const badge = $("#live");
      badge.hidden = state === "stopped";
      if (state === "open") badge.textContent = "● Live";
      else if (state !== "connecting") badge.textContent = "○ Reconnecting…";
    },
  });
}

/** Fetches the snapshot again after a change told live; renders only if what it shows changed. */
async function liveRefresh(s) {
  if (await refresh({ onlyIfChanged: true }) && s === session) {
    $("#live").textContent = `● Live · updated ${new Date().toLocaleTimeString()}`;
  }
}

/** Fetches the snapshot and the mailbox and renders them; whether it rendered. */
async function refresh({ onlyIfChanged = false } = {}) {
  const s = session;
  if (!s?.token) return false;
  const ticket = ++refreshTicket;
  let data;
  let mail;
  try {
    [data, mail] = await Promise.all([api(s, "GET", "/v1/me/access"), api(s, "GET", "/v1/demo/mailbox")]);
  } catch (error) {
    if (s === session && ticket === refreshTicket) status(words(error.code, error.message), "error");
    return false;
  }
  // A newer sign-in or a newer refresh owns the page now: this answer must never render.
  if (s !== session || ticket !== refreshTicket) return false;
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  if (onlyIfChanged && view && same(data.state, view.state) && same(mail.letters ?? [], view.letters)) {
    view.at = data.at;
    return false;
  }
  view?.access.free();
  view = { state: data.state, me: data.account, at: data.at, access: new Access(data.state, s.accountId, data.at), letters: mail.letters ?? [] };
  render();
  // The answers on this snapshot change by themselves when a window starts or ends.
  refreshAt(view.access.validUntil);
  return true;
}

function render() {
  const me = view.me ?? account(session.accountId);
  $("#account").value = session.accountId;
  $("#whoami").replaceChildren(`Signed in as `, el("strong", {}, me?.name ?? session.accountId),
    ` · ${me?.email ?? ""} · ${KIND_WORDS[me?.kind] ?? ""} account`);
  renderMailbox();
  renderContracts();
  renderProjects();
  renderLicenses();
  renderTransfers();
  renderOrders();
  renderReseller(me);
  const sections = [...document.querySelectorAll("main section:not([hidden])")];
  $("#jump").replaceChildren(...sections.map((s) => el("a", { href: `#${s.id}` }, s.querySelector("h2").textContent.split(" · ").pop())));
  $("#app").hidden = false;
  document.body.dataset.account = session.accountId;
}

// ---------------------------------------------------------------------------- mailbox ----

function renderMailbox() {
  // The store's e-mail for a delegate invitation: who invites you to what, and the link.
  const pending = view.letters.filter((l) => view.state.invitations.some((i) => i.id === l.invitationId && i.status === "pending" && i.expiresAt > now()));
  $("#mailbox").replaceChildren(...(pending.length ? pending.map((l) => {
    const contract = demo.contracts.find((c) => c.id === l.contractId);
    const owner = demo.accounts.find((a) => a.id === contract?.ownerId);
    const product = productName(contract?.productId ?? l.contractId);
    const from = owner?.name ?? "A customer";
    return el("li", { class: "letter" },
      el("p", { class: "letter-head" }, el("strong", {}, "From: "), owner ? `${owner.name} <${owner.email}>` : "the store",
        el("br"), el("strong", {}, "Subject: "), `Invitation to ${product}`),
      el("p", {}, `${from} invites you to be a delegate on `, el("strong", {}, product),
        `. As a delegate you see the contract's registration, renewal and status, use its provisioning actions and open tickets; billing stays with the owner.`),
      el("p", { class: "hint" }, `Sent ${day(l.sentAt)} · the link works until ${day(l.expiresAt)}.`),
      // The link the store's e-mail carries: it opens the page, which accepts for the signed-in account.
      el("a", { class: "accept-link button", href: `./?accept=${enc(l.acceptToken)}` }, "Accept invitation"));
  }) : [el("li", { class: "hint" }, "No messages.")]));
}

// -------------------------------------------------------------------------- contracts ----

function renderContracts() {
  const list = contracts(view.state, session.accountId, now()).sort(by((c) => [c.registeredAt, c.id]));
  $("#contracts").replaceChildren(...(list.length ? list.map(contractCard) : [el("p", { class: "hint" }, "No subscriptions or purchases.")]));
}

function contractCard(c) {
  const owner = c.role === "owner";
  const tab = openTabs.get(c.id) ?? "overview";
  const choose = (name) => () => {
    openTabs.set(c.id, name);
    renderContracts();
  };
  const tabs = [["overview", "Overview"], ["tickets", "Tickets"], ["delegates", "Delegates"]];
  return el("article", { class: "card contract", "data-contract": c.id },
    el("h3", {}, c.productName ?? productName(c.productId)),
    el("p", { class: "role" }, owner
      ? (c.billing === "one_off" ? "Your one-off purchase" : "Your subscription")
      : `Delegate access · owned by ${c.ownerEmail ?? "another customer"}${c.access ? ` · ${windowWords(c.access)}` : ""}`),
    el("dl", { class: "facts" },
      el("dt", {}, "Status"), el("dd", {}, c.status),
      el("dt", {}, "Registered"), el("dd", {}, day(c.registeredAt)),
      c.renewsAt ? [el("dt", {}, "Renews"), el("dd", {}, day(c.renewsAt))] : null,
      c.billing ? [el("dt", {}, "Billing"), el("dd", { class: "billing" }, c.billing === "recurring" ? "Recurring subscription" : "One-off purchase")] : null),
    el("div", { class: "tabs", role: "tablist" }, ...tabs.map(([name, label]) =>
      el("button", { type: "button", role: "tab", class: `tab-${name}`, "aria-selected": String(tab === name), onclick: choose(name) }, label))),
    el("div", { class: "tab-body", role: "tabpanel" },
      tab === "overview" ? contractOverview(c) : tab === "tickets" ? contractTickets(c) : contractDelegates(c)),
  );
}

function contractOverview(c) {
  const later = (what) => () => status(`${what} is handled by the store itself; this demo stops here.`, "info");
  return el("div", {},
    el("h4", {}, "Provisioning"),
    buttons("provisioning", ...PROVISIONING.map((p) =>
      guarded(p.label, ["contract.provision", "contract", c.id],
        () => act((s) => api(s, "POST", `/v1/contracts/${enc(c.id)}/provisioning`, { action: p.action }), `${p.label}: the store has been asked to do it.`),
        { class: "provision" }))),
    el("h4", {}, "Billing and changes"),
    buttons("owner-actions",
      guarded("Manage billing", ["contract.billing.manage", "contract", c.id], later("Billing"), { class: "billing-manage" }),
      guarded("Upgrade", ["contract.upgrade", "contract", c.id], later("Upgrading"), { class: "upgrade" }),
      guarded("Cancel contract", ["contract.cancel", "contract", c.id], later("Cancelling"), { class: "cancel-contract" })));
}

function contractTickets(c) {
  const list = can("contract.tickets.view", "contract", c.id) ? tickets(view.state, session.accountId, c.id, now()) : [];
  const since = c.access?.startsAt;
  const allowed = can("contract.tickets.create", "contract", c.id);
  return el("div", {},
    since ? el("p", { class: "hint" }, `As a delegate you see tickets opened since you were added (${day(since)}).`) : null,
    el("form", { class: "ticket-form stack", onsubmit: (e) => {
      e.preventDefault();
      const f = new FormData(e.target);
      act((s) => api(s, "POST", `/v1/contracts/${enc(c.id)}/tickets`, { subject: f.get("subject"), body: f.get("body") }), "Ticket opened.");
    } },
      el("input", { name: "subject", placeholder: "Subject", "aria-label": "Ticket subject", required: true, maxlength: 200 }),
      el("textarea", { name: "body", placeholder: "How can we help?", "aria-label": "Ticket message", required: true, rows: 2 }),
      buttons("", guarded("Open ticket", ["contract.tickets.create", "contract", c.id], null, { type: allowed ? "submit" : "button" }))),
    el("ul", { class: "tickets plain" }, ...(list.length ? [...list].reverse().map((t) => el("li", { class: "ticket" },
      el("strong", {}, t.subject), ` · ${who(t.authorId)} · ${t.createdAt.slice(0, 16).replace("T", " ")}`, el("br"), t.body))
      : [el("li", { class: "hint" }, "No tickets.")])));
}

function contractDelegates(c) {
  const decision = view.access.decide("contract.delegates.manage", "contract", c.id, now());
  // Removing what is left is its own action: on a contract that stopped being a subscription,
  // the owner may still remove its delegates and cancel its invitations, and only that.
  const removal = view.access.decide("contract.delegates.revoke", "contract", c.id, now());
  if (!decision.allowed && !removal.allowed) {
    return el("p", { class: "why delegates-why", "data-reason": decision.reasons[0] }, words(decision.reasons[0]));
  }
  const manage = ["contract.delegates.manage", "contract", c.id];
  const revoke = ["contract.delegates.revoke", "contract", c.id];
  const d = delegates(view.state, session.accountId, c.id, now());
  const pending = d.invitations.filter((i) => i.status === "pending");
  // Scheduled, active and ended delegations; revoked ones are gone from the owner's view.
  const active = d.delegates.filter((x) => x.status !== "revoked");
  const leftovers = !decision.allowed;
  return el("div", { class: "delegates" },
    leftovers
      ? el("p", { class: "why delegates-why leftovers", "data-reason": decision.reasons[0] },
        `${words(decision.reasons[0])} What was granted while it was a subscription gives no access any more; remove it here.`)
      : el("p", { class: "hint" }, "Delegates see this contract's registration, renewal and status, use its provisioning actions and open tickets. They cannot manage billing, change or cancel the contract, or add delegates."),
    leftovers ? null : el("form", { class: "inline invite-form", onsubmit: (e) => {
      e.preventDefault();
      const email = new FormData(e.target).get("email");
      act((s) => api(s, "POST", `/v1/contracts/${enc(c.id)}/delegates`, { email, ...windowOf(e.target) }), `Invitation sent to ${email}.`);
    } },
      el("input", { name: "email", type: "email", placeholder: "delegate@example.com", "aria-label": "Delegate e-mail", required: true }),
      ...windowFields("Access "),
      el("button", { type: "submit" }, "Send invite")),
    el("h4", {}, "Invited"),
    el("ul", { class: "invitations plain" }, ...(pending.length ? pending.map((i) => el("li", { class: "invitation" },
      `${i.email} · pending, the link works until ${day(i.expiresAt)}${i.resentAt ? ` (resent ${day(i.resentAt)})` : ""}`,
      i.accessExpiresAt || i.accessStartsAt ? ` · offers access ${i.accessStartsAt ? `from ${when(i.accessStartsAt)} ` : ""}${i.accessExpiresAt ? `until ${when(i.accessExpiresAt)}` : ""}` : "", " ",
      leftovers ? null : guarded("Resend", manage, () => act((s) => api(s, "POST", `/v1/contracts/${enc(c.id)}/invitations/${enc(i.invitationId)}/resend`), `Invitation sent again to ${i.email}.`)),
      guarded("Cancel", revoke, () => act((s) => api(s, "DELETE", `/v1/contracts/${enc(c.id)}/invitations/${enc(i.invitationId)}`), `Invitation to ${i.email} cancelled.`))))
      : [el("li", { class: "hint" }, "No pending invitations.")])),
    el("h4", {}, "Accepted"),
    el("ul", { class: "delegate-list plain" }, ...(active.length ? active.map((x) => {
      const path = `/v1/contracts/${enc(c.id)}/delegates/${enc(x.accountId)}`;
      const row = el("li", { class: "delegate", "data-status": x.status },
        `${x.name ?? ""} ${x.email ?? x.accountId} · accepted ${day(x.addedAt)} · `, el("span", { class: `window ${x.status}` }, windowWords(x)), " ");
      if (x.status !== "expired") {
        row.append(guarded("Change end", revoke, () => toggle(row, "end", () => endPanel("Access", path, (end) => `${x.email} has access ${end ? `until ${when(end)}` : "with no end date"}.`)), { class: "change-end" }),
          guarded(leftovers ? "Remove" : "Revoke access", revoke, () => act((s) => api(s, "DELETE", path), `${x.email} no longer has access.`)));
      }
      return row;
    })
      : [el("li", { class: "hint" }, "No delegates.")])));
}

// --------------------------------------------------------------------------- projects ----

/** The project's kind and device state in words, as the seed asks before a transfer. */
function deviceState(p) {
  switch (p.kind) {
    case "server": return p.serverActive
      ? { ready: false, text: "Its server is active. Deactivate it before a transfer: on the server's web interface, Cloud → Deactivation (Pro), or delete it in the configurator's Server tab (Lite). The new owner activates it again under their account." }
      : { ready: true, text: "Its server is deactivated: the project can be transferred; the new owner activates the server again." };
    case "lite": return p.activePanels > 0
      ? { ready: false, text: `${p.activePanels} ${p.activePanels === 1 ? "panel is" : "panels are"} signed in. Before a transfer, sign out of the project and the account on every device (integrator and end-user panels).` }
      : { ready: true, text: "No panel is signed in: the project can be transferred." };
    case "serverless_pro": return { ready: true, text: "Nothing to deactivate." };
    default: return { ready: true, text: "" };
  }
}
const RECEIVERS = {
  standard: "It can go to any customer account.",
  server: "Server projects go only to integrator or DIY accounts.",
  lite: "Lite projects go only to integrator or DIY accounts.",
  serverless_pro: "Serverless Pro projects go to integrators, DIY accounts, or an end user, who may then invite users but not change the project.",
};

function renderProjects() {
  const list = projects(view.state, session.accountId, now()).sort(by((p) => [p.createdAt, p.name]));
  const mine = view.state.licenses.filter((l) => l.ownerId === session.accountId && can("license.assign", "license", l.licenseKey));
  $("#projects").replaceChildren(...(list.length ? list.map((p) => projectCard(p, mine)) : [el("p", { class: "hint" }, "No projects.")]));
}

function projectCard(p, mine) {
  const state = deviceState(p);
  const onProject = projectLicenses(view.state, session.accountId, p.id, now());
  const card = el("article", { class: "card project", "data-project": p.name },
    el("h3", {}, p.name),
    el("p", { class: "role" }, p.role === "owner" ? `${PROJECT_KIND_WORDS[p.kind]} · yours` : `${PROJECT_KIND_WORDS[p.kind]} · shared with you by ${p.ownerEmail}`,
      p.access ? [" · ", el("span", { class: `window ${p.access.status}` }, windowWords(p.access))] : null),
    p.kind !== "standard" ? el("p", { class: `device ${state.ready ? "ready" : "blocked"}` }, state.text) : null,
    p.role === "owner" && p.sharedWith.length ? el("ul", { class: "recipients plain" }, ...p.sharedWith.map((r) => {
      const row = el("li", { class: "recipient", "data-status": r.status }, `Shared with ${r.name} (${r.email}) since ${day(r.sharedAt)} · `,
        el("span", { class: `window ${r.status}` }, windowWords(r)), " ");
      const path = `/v1/projects/${enc(p.id)}/shares/${enc(r.accountId)}`;
      if (r.status !== "expired") {
        row.append(guarded("Change end", ["project.share", "project", p.id], () => toggle(row, "end", () => endPanel("Shared", path,
          (end) => `${p.name} is shared with ${r.email} ${end ? `until ${when(end)}` : "with no end date"}.`)), { class: "change-end" }));
      }
      row.append(guarded(r.status === "expired" ? "Remove" : "Unshare", ["project.share", "project", p.id], () => toggle(row, "unshare", () => panel("unshare-confirm",
        el("p", {}, `Unshare ${p.name} with ${r.email}? The project leaves their account, they can no longer assign licenses to it, and the licenses they assigned leave the project: you will no longer see them.`),
        el("button", { type: "button", class: "primary", onclick: () => act((s) => api(s, "DELETE", `/v1/projects/${enc(p.id)}/shares/${enc(r.accountId)}`), `${p.name} is no longer shared with ${r.email}.`) }, "Continue"),
        el("button", { type: "button", onclick: (e) => e.target.closest(".panel").remove() }, "Back"))), { class: "unshare" }));
      return row;
    })) : null,
    el("h4", {}, p.role === "owner" ? "Licenses on this project" : "Your licenses on this project"),
    el("ul", { class: "project-licenses plain" }, ...(onProject.length ? onProject.map((l) => el("li", { class: "project-license" },
      `${l.licenseKey} · ${productName(l.productId)}`, l.assignedBy && l.assignedBy !== session.accountId ? ` · assigned by ${who(l.assignedBy)}` : ""))
      : [el("li", { class: "hint" }, "None yet.")])),
  );
  if (can("project.licenses.assign", "project", p.id)) {
    card.append(mine.length
      ? el("form", { class: "inline assign-form", onsubmit: (e) => {
        e.preventDefault();
        const licenseKey = new FormData(e.target).get("license");
        act((s) => api(s, "POST", `/v1/projects/${enc(p.id)}/licenses`, { licenseKey }), `${licenseKey} is now on ${p.name}.`);
      } },
        el("select", { name: "license", "aria-label": "License to assign" }, ...mine.map((l) => el("option", { value: l.licenseKey }, `${l.licenseKey} · ${productName(l.productId)}`))),
        el("button", { type: "submit" }, "Assign license"))
      : el("p", { class: "hint" }, "You have no free license to assign."));
  }
  const actions = buttons("project-actions",
    guarded("Share", ["project.share", "project", p.id], () => toggle(actions, "share", () => sharePanel(p)), { class: "share" }),
    guarded("Transfer", ["project.transfer", "project", p.id], () => toggle(actions, "transfer", () => transferPanel(p)), { class: "transfer" }));
  card.append(actions);
  return card;
}

function sharePanel(p) {
  const box = panel("share-panel");
  const ask = () => box.replaceChildren(el("form", { class: "inline share-form", onsubmit: (e) => {
    e.preventDefault();
    confirm(new FormData(e.target).get("email"), windowOf(e.target));
  } },
    el("label", {}, `Share ${p.name} with`),
    el("input", { name: "email", type: "email", placeholder: "customer@example.com", "aria-label": "Share with e-mail", required: true }),
    ...windowFields(),
    el("button", { type: "submit" }, "Share")));
  const confirm = (email, w) => box.replaceChildren(el("div", { class: "share-confirm" },
    el("p", {}, `${p.name} will appear in the account of ${email} ${w.startsAt ? `on ${when(w.startsAt)}` : "at once"}, without them confirming${w.expiresAt ? `, and leave it on ${when(w.expiresAt)}, with the licenses they assigned` : ""}. They may view it and assign their own licenses to it, and you will see those licenses. They may not share, rename, transfer or change it. Make sure you are both on the same page.`),
    el("button", { type: "button", class: "primary", onclick: () => act((s) => api(s, "POST", `/v1/projects/${enc(p.id)}/shares`, { email, ...w }), `${p.name} is now shared with ${email}${w.expiresAt ? ` until ${when(w.expiresAt)}` : ""}.`) }, "Continue"),
    el("button", { type: "button", onclick: ask }, "Back")));
  ask();
  return box;
}

function transferPanel(p) {
  const state = deviceState(p);
  return panel("transfer-panel",
    el("p", {}, `${PROJECT_KIND_WORDS[p.kind]}. ${RECEIVERS[p.kind]} The project moves with every license on it, once the receiving account accepts.`),
    state.text ? el("p", { class: `device ${state.ready ? "ready" : "blocked"}` }, state.text) : null,
    el("form", { class: "inline transfer-form", onsubmit: (e) => {
      e.preventDefault();
      const email = new FormData(e.target).get("email");
      act((s) => api(s, "POST", `/v1/projects/${enc(p.id)}/transfer`, { toEmail: email }), `Transfer of ${p.name} to ${email} requested: it waits for them to accept.`);
    } },
      el("input", { name: "email", type: "email", placeholder: "new-owner@example.com", "aria-label": "Transfer to e-mail", required: true }),
      el("button", { type: "submit" }, "Request transfer")));
}

// --------------------------------------------------------------------------- licenses ----

function licenseState(l) {
  const parts = [];
  const project = l.projectId ? projectName(l.projectId) : null;
  if (l.projectId) parts.push(`${project ? `on project ${project}` : "on a project"}${l.assignedUntil ? ` until ${when(l.assignedUntil)}` : ""}`);
  else parts.push("unassigned");
  if (l.activated) parts.push("activated");
  if (l.licenseType === "trial") parts.push(l.expiresAt && l.expiresAt <= now() ? "trial, expired" : `trial until ${day(l.expiresAt)}`);
  if (l.tier === "additional") parts.push("additional");
  return parts.join(" · ");
}

function renderLicenses() {
  const list = licenses(view.state, session.accountId, now()).filter((l) => l.ownerId === session.accountId)
    .sort(by((l) => [productName(l.productId), l.licenseKey]));
  $("#licenses").replaceChildren(...(list.length ? list.map((l) => {
    const row = el("li", { class: "license", "data-license": l.licenseKey },
      el("strong", {}, productName(l.productId)), ` · ${l.licenseKey} · ${licenseState(l)}`,
      l.customerDetails ? el("div", { class: "hint" }, `From your reseller: ${l.customerDetails}`) : null);
    const actions = buttons("license-actions", guarded("Transfer", ["license.transfer", "license", l.licenseKey], () => toggle(actions, "transfer", () => panel("transfer-panel",
      el("p", {}, "An unused license moves alone: the receiving account gets it once it accepts."),
      el("form", { class: "inline transfer-form", onsubmit: (e) => {
        e.preventDefault();
        const email = new FormData(e.target).get("email");
        act((s) => api(s, "POST", `/v1/licenses/${enc(l.licenseKey)}/transfer`, { toEmail: email }), `Transfer of ${l.licenseKey} to ${email} requested: it waits for them to accept.`);
      } },
        el("input", { name: "email", type: "email", placeholder: "new-owner@example.com", "aria-label": "Transfer to e-mail", required: true }),
        el("button", { type: "submit" }, "Request transfer")))), { class: "transfer" }));
    row.append(actions);
    return row;
  }) : [el("li", { class: "hint" }, "No licenses.")]));
}

// -------------------------------------------------------------------------- transfers ----

function renderTransfers() {
  const list = transfers(view.state, session.accountId, now()).sort(by((t) => [t.createdAt, t.transferId])).reverse();
  const STATUS = { pending: "waiting for an answer", accepted: "accepted", cancelled: "cancelled", expired: "expired" };
  $("#transfers").replaceChildren(...(list.length ? list.map((t) => {
    const subject = t.subject.type === "license"
      ? `License ${t.subject.licenseKey}${view.state.licenses.some((l) => l.licenseKey === t.subject.licenseKey) ? ` (${productName(view.state.licenses.find((l) => l.licenseKey === t.subject.licenseKey).productId)})` : ""}`
      : `Project ${projectName(t.subject.projectId) ?? "(with its licenses)"}`;
    const incoming = t.toId === session.accountId;
    const row = el("li", { class: `transfer-row ${t.status}`, "data-transfer": t.transferId },
      el("strong", {}, subject), ` · from ${who(t.fromId)} to ${who(t.toId)}`,
      t.requestedBy !== t.fromId ? ` · asked by ${who(t.requestedBy)}` : "",
      ` · ${STATUS[t.status]}${t.status === "pending" ? ` until ${day(t.expiresAt)}` : ""} `);
    if (t.status === "pending" && incoming) {
      row.append(el("button", { type: "button", class: "primary accept", onclick: () => act((s) => api(s, "POST", `/v1/transfers/${enc(t.transferId)}/accept`), `${subject} is now yours.`) }, "Accept"));
    }
    if (t.status === "pending" && t.requestedBy === session.accountId) {
      row.append(el("button", { type: "button", class: "cancel", onclick: () => act((s) => api(s, "POST", `/v1/transfers/${enc(t.transferId)}/cancel`), "Transfer cancelled.") }, "Cancel transfer"));
    }
    return row;
  }) : [el("li", { class: "hint" }, "No transfers.")]));
}

// ----------------------------------------------------------------------------- orders ----

function renderOrders() {
  const list = view.state.orders;
  $("#orders-section").hidden = list.length === 0;
  $("#orders").replaceChildren(...list.map((o) => {
    const card = el("article", { class: "card order", "data-order": o.id },
      el("h3", {}, `Order ${o.id}`),
      el("p", {}, `${o.licenseKeys.length} license${o.licenseKeys.length === 1 ? "" : "s"}: `,
        o.licenseKeys.map((k) => `${k} (${productName(view.state.licenses.find((l) => l.licenseKey === k)?.productId ?? "")})`).join(", ")),
      el("p", { class: "billing" }, o.recurring ? `Recurring fees are charged to ${who(o.billingAccountId)}.` : "No recurring fees."));
    const actions = buttons("order-actions", guarded("Transfer order", ["order.transfer", "order", o.id], () => toggle(actions, "transfer", () => panel("transfer-panel",
      el("p", {}, `The whole order moves to the other account: its licenses (taken off any project of yours they are on)${o.recurring ? ", and its recurring fees, which will be charged to them from now on" : ""}. It happens at once.`),
      el("form", { class: "inline order-transfer-form", onsubmit: (e) => {
        e.preventDefault();
        const email = new FormData(e.target).get("email");
        act((s) => api(s, "POST", `/v1/orders/${enc(o.id)}/transfer`, { toEmail: email }), `Order ${o.id} now belongs to ${email}.`);
      } },
        el("input", { name: "email", type: "email", placeholder: "new-owner@example.com", "aria-label": "Transfer order to e-mail", required: true }),
        el("button", { type: "submit" }, "Transfer order")))), { class: "transfer-order" }));
    card.append(actions);
    return card;
  }));
}

// --------------------------------------------------------------------------- reseller ----

function renderReseller(me) {
  const isReseller = me?.kind === "reseller" || me?.kind === "partner";
  $("#reseller-section").hidden = !isReseller;
  if (!isReseller) return $("#reseller").replaceChildren();
  const mine = customers(view.state, session.accountId).sort(by((c) => [c.name, c.id]));
  const created = licenses(view.state, session.accountId).filter((l) => l.createdBy === session.accountId)
    .sort(by((l) => [l.createdAt ?? "", l.licenseKey]));
  const unpaid = created.filter((l) => !l.customerPaid).length;
  const catalog = (demo.catalog?.[session.accountId] ?? []).map((id) => demo.products.find((p) => p.id === id)).filter(Boolean);

  const form = licenseForm(catalog, mine, unpaid);
  $("#reseller").replaceChildren(
    el("p", { class: `unpaid-counter ${unpaid >= 10 ? "full" : ""}` }, `Unpaid licenses: ${unpaid} of 10.`),
    el("h3", {}, "Create customer"),
    el("p", { class: "hint" }, "The customer signs in under their own account and sees their licenses. Passwords are the store's business, not entitle's: the store receives an account.created event, sets up the customer's sign-in, and you send them their sign-in details."),
    el("form", { class: "customer-form grid", onsubmit: (e) => {
      e.preventDefault();
      const f = new FormData(e.target);
      const name = `${f.get("first").trim()} ${f.get("last").trim()}`;
      act((s) => api(s, "POST", "/v1/customers", { email: f.get("email"), name }), `Customer ${name} created.`);
    } },
      el("label", {}, "E-mail (their username)", el("input", { name: "email", type: "email", required: true })),
      el("label", {}, "First name", el("input", { name: "first", required: true, maxlength: 100 })),
      el("label", {}, "Last name", el("input", { name: "last", required: true, maxlength: 99 })),
      el("button", { type: "submit" }, "Add customer")),
    el("h3", {}, "My customers"),
    el("ul", { class: "customers plain" }, ...(mine.length ? mine.map((c) => {
      // The customer's licenses this reseller may see, as the rules list them.
      const theirs = licenses(view.state, session.accountId).filter((l) => l.ownerId === c.id);
      return el("li", { class: "customer", "data-customer": c.id }, `${c.name} · ${c.email}`,
        el("div", { class: "hint" }, theirs.length ? `Licenses: ${theirs.map((l) => `${l.licenseKey} (${productName(l.productId)})`).join(", ")}` : "No licenses yet."));
    }) : [el("li", { class: "hint" }, "No customers yet.")])),
    el("h3", {}, "Products you can resell"),
    el("ul", { class: "catalog plain" }, ...catalog.map((p) => el("li", {}, `${p.name} `,
      el("button", { type: "button", class: "pick-product", "data-product": p.id, onclick: () => {
        form.querySelector("[name=productId]").value = p.id;
        form.dispatchEvent(new Event("input"));
        form.scrollIntoView({ block: "nearest" });
        form.querySelector("[name=customerId]").focus();
      } }, "Create license")))),
    el("h3", {}, "Create license(s)"),
    form,
    el("div", { id: "new-keys" }),
    el("h3", {}, "Licenses you created"),
    el("ul", { class: "reseller-licenses plain" }, ...(created.length ? [...created].reverse().map((l) => {
      const row = el("li", { class: "reseller-license", "data-license": l.licenseKey },
        el("strong", {}, l.licenseKey), ` · ${productName(l.productId)} · for ${who(l.ownerId)} · ${l.licenseType}, ${l.tier}${l.expiresAt ? `, until ${day(l.expiresAt)}` : ""}`,
        l.resellerNotes ? el("div", { class: "notes" }, `Notes: ${l.resellerNotes}`) : null,
        l.customerDetails ? el("div", { class: "hint" }, `Customer details: ${l.customerDetails}`) : null,
        el("div", { class: "paid" }, l.customerPaid ? `Paid ${day(l.customerPaidAt)}` : "Unpaid"));
      if (!l.customerPaid) {
        row.append(buttons("", guarded("Mark paid", ["license.mark_paid", "license", l.licenseKey],
          () => act((s) => api(s, "PATCH", `/v1/licenses/${enc(l.licenseKey)}`, { customerPaid: true, customerPaidAt: now() }), `${l.licenseKey} marked paid.`),
          { class: "mark-paid" })));
      }
      return row;
    }) : [el("li", { class: "hint" }, "None yet.")])),
  );
  showNewKeys();
}

function licenseForm(catalog, mine, unpaid) {
  const why = el("span", { class: "why", id: `why-${++whyCount}`, hidden: true });
  const submit = el("button", { type: "submit", class: "primary", "aria-describedby": why.id }, "Create license(s)");
  const trialNote = el("span", { class: "hint trial-note" });
  const form = el("form", { class: "license-form grid", onsubmit: (e) => {
    e.preventDefault();
    const f = new FormData(form);
    const paid = f.get("customerPaid") === "on";
    const body = {
      productId: f.get("productId"),
      customerId: f.get("customerId"),
      quantity: Number(f.get("quantity")),
      licenseType: f.get("licenseType"),
      tier: f.get("tier"),
      resellerNotes: f.get("resellerNotes") || null,
      customerDetails: f.get("customerDetails") || null,
      customerPaid: paid,
      customerPaidAt: paid && f.get("customerPaidAt") ? `${f.get("customerPaidAt")}T00:00:00.000Z` : null,
    };
    act(async (s) => {
      const { licenses: made } = await api(s, "POST", "/v1/licenses", body);
      sessionStorage.setItem("entitle.newKeys", JSON.stringify({ accountId: s.accountId, made }));
      return made;
    }, (made) => `Created ${made.length} license${made.length === 1 ? "" : "s"}.`);
  }, oninput: () => check() },
    el("label", {}, "Product", el("select", { name: "productId", required: true }, ...catalog.map((p) => el("option", { value: p.id }, p.name)))),
    el("label", {}, "Customer", el("select", { name: "customerId", required: true }, ...mine.map((c) => el("option", { value: c.id }, `${c.name} (${c.email})`)))),
    el("label", {}, "Quantity", el("input", { name: "quantity", type: "number", min: 1, max: 100, value: "1", required: true })),
    el("label", {}, "Reseller notes (only you see them, e.g. your order id)", el("textarea", { name: "resellerNotes", rows: 2, maxlength: 2000 })),
    el("label", { class: "check" }, el("input", { name: "customerPaid", type: "checkbox" }), "Customer paid"),
    el("label", {}, "Customer paid date", el("input", { name: "customerPaidAt", type: "date" })),
    el("label", {}, "Customer details (the customer sees these)", el("textarea", { name: "customerDetails", rows: 2, maxlength: 2000 })),
    el("fieldset", {}, el("legend", {}, "License type"),
      el("label", { class: "check" }, el("input", { type: "radio", name: "licenseType", value: "permanent", checked: true }), "Permanent"),
      el("label", { class: "check" }, el("input", { type: "radio", name: "licenseType", value: "trial" }), "Trial"),
      trialNote),
    el("fieldset", {}, el("legend", {}, "Primary or additional"),
      el("label", { class: "check" }, el("input", { type: "radio", name: "tier", value: "primary", checked: true }), "Primary"),
      el("label", { class: "check" }, el("input", { type: "radio", name: "tier", value: "additional" }), "Additional"),
      el("span", { class: "hint" }, "Customers need a primary license to use the product under their own account; an additional one needs a primary one of the same product.")),
    el("div", { class: "inline" }, submit, why));
  // The limit of 10 unpaid licenses, said before the worker refuses it.
  function check() {
    const f = new FormData(form);
    const product = demo.products.find((p) => p.id === f.get("productId"));
    trialNote.textContent = f.get("licenseType") === "trial" ? `A trial ends after ${product?.family === "prestashop" ? 30 : 14} days${product?.family === "prestashop" ? " (PrestaShop product)" : ""}.` : "";
    const paid = f.get("customerPaid") === "on";
    form.querySelector("[name=customerPaidAt]").disabled = !paid;
    const adding = paid ? 0 : Number(f.get("quantity")) || 0;
    const over = unpaid + adding > 10;
    const noCustomer = mine.length === 0;
    submit.disabled = over || noCustomer;
    why.hidden = !(over || noCustomer);
    why.dataset.reason = over ? "unpaid_limit_reached" : "";
    why.textContent = over ? `${words("unpaid_limit_reached")} (${unpaid} unpaid now.)` : noCustomer ? "Create a customer first." : "";
  }
  check();
  return form;
}

/** Shows the keys of the licenses just created (kept across the refresh that follows). */
function showNewKeys() {
  const saved = JSON.parse(sessionStorage.getItem("entitle.newKeys") ?? "null");
  const box = $("#new-keys");
  if (!box || !saved || saved.accountId !== session?.accountId) return;
  box.replaceChildren(el("div", { class: "new-keys" }, el("strong", {}, "New license keys:"),
    el("ul", { class: "plain" }, ...saved.made.map((l) => el("li", { class: "new-key" }, el("code", {}, l.licenseKey),
      l.expiresAt ? ` · trial until ${day(l.expiresAt)}` : " · permanent")))));
}

// ------------------------------------------------------------------------------- start ----

function renderTour() {
  const name = (id) => demo.accounts.find((a) => a.id === id)?.name ?? id;
  $("#tour tbody").replaceChildren(...(demo.tour ?? []).map((t) => el("tr", {},
    el("th", { scope: "row" }, t.flow), el("td", {}, t.accounts.map(name).join(", ")), el("td", {}, t.text))));
}

async function main() {
  await init();
  demo = await fetch("demo-store.json").then((r) => r.json());
  $("#account").replaceChildren(...demo.accounts.map((a) => el("option", { value: a.id }, `${a.name} · ${a.email}`)));
  renderTour();
  $("#signin").addEventListener("submit", (e) => {
    e.preventDefault();
    sessionStorage.removeItem("entitle.newKeys");
    signIn($("#account").value);
  });
  $("#new-project").addEventListener("submit", (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const name = f.get("name");
    act((s) => api(s, "POST", "/v1/projects", { name, kind: f.get("kind") }), `Project ${name} created.`);
    e.target.reset();
  });
  // An invitation link: keep its token for the accept, and out of the address bar.
  acceptToken = new URLSearchParams(location.search).get("accept");
  if (acceptToken) history.replaceState(null, "", location.pathname);
  const saved = JSON.parse(sessionStorage.getItem("entitle.session") ?? "null");
  if (saved?.token && demo.accounts.some((a) => a.id === saved.accountId)) {
    session = saved;
    $("#about").open = false;
    await refresh();
    startWatching();
  }
  await acceptFromLink();
  document.body.dataset.ready = "true";
}

main().catch((error) => status(`The demo failed to start: ${error.message}`, "error"));
