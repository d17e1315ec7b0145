// The demo storefront. Permission checks come from the npm package (the web target of
// @entitle/rules, served from /pkg); every change goes through the worker's HTTP API.
import init, { Access, contracts, projects } from "./pkg/entitle_wasm.js";

const $ = (selector) => document.querySelector(selector);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== false && v !== undefined && v !== null) node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
};

let token = sessionStorage.getItem("entitle.token");
let me = sessionStorage.getItem("entitle.account");
let snapshot = null;
let access = null;

function status(text, isError = false) {
  $("#status").textContent = text;
  $("#status").className = isError ? "error" : "";
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = response.status === 204 ? null : await response.json();
  if (!response.ok) throw Object.assign(new Error(data?.detail ?? response.statusText), { code: data?.code });
  return data;
}

async function act(label, fn) {
  try {
    await fn();
    status(`${label}: done`);
  } catch (error) {
    status(`${label}: ${error.code ?? "error"}: ${error.message}`, true);
  }
  await refresh();
}

const now = () => new Date().toISOString();

/** A permission badge decided in the browser by the rules. */
function permission(action, type, id) {
  const decision = access.decide(action, type, id, now());
  return el("span", { class: `perm ${decision.allowed ? "allow" : "deny"}`, "data-action": action, title: decision.reasons.join(", ") },
    `${action}: ${decision.allowed ? "allowed" : decision.reasons.join(", ")}`);
}
const can = (action, type, id) => access.can(action, type, id, now());

async function signIn(accountId) {
  const response = await fetch("/v1/demo/sessions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ accountId }),
  });
  const data = await response.json();
  if (!response.ok) return status(`sign-in failed: ${data.code}`, true);
  token = data.token;
  me = accountId;
  sessionStorage.setItem("entitle.token", token);
  sessionStorage.setItem("entitle.account", me);
  await refresh();
}

async function refresh() {
  if (!token) return;
  const data = await api("GET", "/v1/me/access").catch((e) => (status(`${e.code}: ${e.message}`, true), null));
  if (!data) return;
  snapshot = data.state;
  access?.free();
  access = new Access(snapshot, me);
  $("#app").hidden = false;
  $("#account").value = me;
  document.body.dataset.account = me;
  await Promise.all([renderMailbox(), renderContracts(), renderProjects()]);
  renderLicenses();
}

async function renderMailbox() {
  const { letters } = await api("GET", "/v1/demo/mailbox");
  const pending = letters.filter((l) => snapshot.invitations.some((i) => i.id === l.invitationId && i.status === "pending"));
  $("#mailbox").replaceChildren(
    ...(pending.length ? pending.map((l) => el("li", { class: "letter" },
      `Invitation to contract ${l.contractId} `,
      el("button", { onclick: () => act("Accept invitation", () => api("POST", `/v1/invitations/${encodeURIComponent(l.acceptToken)}/accept`)) }, "Accept invitation"),
    )) : [el("li", { class: "hint" }, "No invitations.")]),
  );
}

async function renderContracts() {
  const list = contracts(snapshot, me);
  const cards = await Promise.all(list.map(async (c) => {
    const tickets = can("contract.tickets.view", "contract", c.id) ? (await api("GET", `/v1/contracts/${c.id}/tickets`)).tickets : [];
    const card = el("div", { class: "card contract", "data-contract": c.id },
      el("h3", {}, c.productName ?? c.productId, " ", el("small", { class: "role" }, `(${c.role})`)),
      el("div", { class: "meta" },
        `Status ${c.status} · registered ${c.registeredAt.slice(0, 10)}`,
        c.renewsAt ? ` · renews ${c.renewsAt.slice(0, 10)}` : "",
        c.billing ? el("span", { class: "billing" }, ` · billing: ${c.billing}`) : ""),
      el("div", {}, ...["contract.view", "contract.provision", "contract.tickets.create", "contract.billing.manage", "contract.cancel", "contract.delegates.manage"].map((a) => permission(a, "contract", c.id))),
      el("div", { class: "inline" },
        el("button", { class: "provision", disabled: !can("contract.provision", "contract", c.id),
          onclick: () => act("Provisioning", () => api("POST", `/v1/contracts/${c.id}/provisioning`, { action: "update_nameservers" })) }, "Update nameservers"),
        el("button", { class: "billing-manage", disabled: !can("contract.billing.manage", "contract", c.id) }, "Manage billing"),
      ),
      el("form", { class: "inline ticket-form", onsubmit: (e) => {
        e.preventDefault();
        const f = new FormData(e.target);
        act("Open ticket", () => api("POST", `/v1/contracts/${c.id}/tickets`, { subject: f.get("subject"), body: f.get("body") }));
      } },
        el("input", { name: "subject", placeholder: "Ticket subject", "aria-label": "Ticket subject", required: true }),
        el("input", { name: "body", placeholder: "Message", "aria-label": "Ticket message", required: true }),
        el("button", { type: "submit", disabled: !can("contract.tickets.create", "contract", c.id) }, "Open ticket")),
      el("ul", { class: "tickets" }, ...tickets.map((t) => el("li", { class: "ticket" }, `${t.subject} (${t.createdAt.slice(0, 16).replace("T", " ")})`))),
    );
    if (c.role === "owner" && can("contract.delegates.manage", "contract", c.id)) card.append(await delegatesTab(c));
    return card;
  }));
  $("#contracts").replaceChildren(...(cards.length ? cards : [el("p", { class: "hint" }, "No contracts.")]));
}

async function delegatesTab(contract) {
  const view = await api("GET", `/v1/contracts/${contract.id}/delegates`);
  return el("div", { class: "delegates", role: "region", "aria-label": "Delegates" },
    el("h4", {}, "Delegates"),
    el("form", { class: "inline invite-form", onsubmit: (e) => {
      e.preventDefault();
      const email = new FormData(e.target).get("email");
      act("Invite delegate", () => api("POST", `/v1/contracts/${contract.id}/delegates`, { email }));
    } },
      el("input", { name: "email", type: "email", placeholder: "delegate@example.com", "aria-label": "Delegate e-mail", required: true }),
      el("button", { type: "submit" }, "Send invite")),
    el("ul", { class: "invitations" }, ...view.invitations.filter((i) => i.status === "pending").map((i) =>
      el("li", { class: "invitation" }, `${i.email} — pending until ${i.expiresAt.slice(0, 10)} `,
        el("button", { onclick: () => act("Resend", () => api("POST", `/v1/contracts/${contract.id}/invitations/${i.invitationId}/resend`)) }, "Resend"),
        el("button", { onclick: () => act("Cancel invitation", () => api("DELETE", `/v1/contracts/${contract.id}/invitations/${i.invitationId}`)) }, "Cancel")))),
    el("ul", { class: "delegate-list" }, ...view.delegates.filter((d) => d.status === "active").map((d) =>
      el("li", { class: "delegate" }, `${d.email} — accepted ${d.addedAt.slice(0, 10)} `,
        el("button", { onclick: () => act("Revoke access", () => api("DELETE", `/v1/contracts/${contract.id}/delegates/${d.accountId}`)) }, "Revoke access")))),
  );
}

async function renderProjects() {
  const list = projects(snapshot, me);
  // The licenses the rules let this account assign (its own, unassigned, not expired).
  const mine = snapshot.licenses.filter((l) => can("license.assign", "license", l.licenseKey));
  const cards = await Promise.all(list.map(async (p) => {
    const { licenses } = await api("GET", `/v1/projects/${p.id}/licenses`);
    return el("div", { class: "card project", "data-project": p.name },
      el("h3", {}, p.name, " ", el("small", { class: "role" }, `(${p.role}${p.role === "recipient" ? `, shared by ${p.ownerEmail}` : ""})`)),
      el("div", {}, ...["project.share", "project.rename", "project.licenses.assign", "project.licenses.view_all"].map((a) => permission(a, "project", p.id))),
      can("project.share", "project", p.id) ? el("form", { class: "inline share-form", onsubmit: (e) => {
        e.preventDefault();
        const email = new FormData(e.target).get("email");
        act("Share", () => api("POST", `/v1/projects/${p.id}/shares`, { email }));
      } },
        el("input", { name: "email", type: "email", placeholder: "customer@example.com", "aria-label": "Share with e-mail", required: true }),
        el("button", { type: "submit" }, "Share")) : null,
      el("ul", { class: "recipients" }, ...p.sharedWith.map((r) => el("li", { class: "recipient" }, `Shared with ${r.email} `,
        el("button", { onclick: () => act("Unshare", () => api("DELETE", `/v1/projects/${p.id}/shares/${r.accountId}`)) }, "Unshare")))),
      el("ul", { class: "project-licenses" }, ...licenses.map((l) => el("li", { class: "project-license" }, `${l.licenseKey} (${l.productId})`))),
      can("project.licenses.assign", "project", p.id) && mine.length ? el("form", { class: "inline assign-form", onsubmit: (e) => {
        e.preventDefault();
        const licenseKey = new FormData(e.target).get("license");
        act("Assign license", () => api("POST", `/v1/projects/${p.id}/licenses`, { licenseKey }));
      } },
        el("select", { name: "license", "aria-label": "License to assign" }, ...mine.map((l) => el("option", { value: l.licenseKey }, l.licenseKey))),
        el("button", { type: "submit" }, "Assign license")) : null,
    );
  }));
  $("#projects").replaceChildren(...(cards.length ? cards : [el("p", { class: "hint" }, "No projects.")]));
}

const projectName = (id) => snapshot.projects.find((p) => p.id === id)?.name ?? id;

function renderLicenses() {
  const list = snapshot.licenses.filter((l) => l.ownerId === me);
  $("#licenses").replaceChildren(...(list.length ? list.map((l) => el("li", { class: "license" },
    `${l.licenseKey} — ${l.productId}${l.projectId ? ` · on project ${projectName(l.projectId)}` : " · unassigned"} `, permission("license.transfer", "license", l.licenseKey)))
    : [el("li", { class: "hint" }, "No licenses.")]));
}

async function main() {
  await init();
  const demo = await fetch("demo-store.json").then((r) => r.json());
  $("#account").replaceChildren(...demo.accounts.map((a) => el("option", { value: a.id }, `${a.name} — ${a.email}`)));
  $("#signin").addEventListener("submit", (e) => {
    e.preventDefault();
    signIn($("#account").value);
  });
  $("#new-project").addEventListener("submit", (e) => {
    e.preventDefault();
    const name = new FormData(e.target).get("name");
    act("Create project", () => api("POST", "/v1/projects", { name }));
    e.target.reset();
  });
  if (token) await refresh();
  document.body.dataset.ready = "true";
}

main().catch((error) => status(`the demo failed to start: ${error.message}`, true));
