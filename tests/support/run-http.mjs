// Runs a scenario against the worker over HTTP: records imported with the store key, each
// step as the HTTP request a store or browser would send, each step's time in the test clock
// header. Returns what each step actually got, in the same shapes as run-wasm.mjs.
import { importOrder, beginStep, sortedIds } from "./scenario.mjs";

const enc = encodeURIComponent;

/** The HTTP request for each command type of the rules. */
export function request(command) {
  const { type, ...c } = command;
  switch (type) {
    case "createProject": return ["POST", "/v1/projects", { name: c.name, ...(c.kind ? { kind: c.kind } : {}) }];
    case "shareProject": return ["POST", `/v1/projects/${enc(c.projectId)}/shares`, { email: c.email }];
    case "unshareProject": return ["DELETE", `/v1/projects/${enc(c.projectId)}/shares/${enc(c.accountId)}`];
    case "assignLicense": return ["POST", `/v1/projects/${enc(c.projectId)}/licenses`, { licenseKey: c.licenseKey }];
    case "unassignLicense": return ["DELETE", `/v1/projects/${enc(c.projectId)}/licenses/${enc(c.licenseKey)}`];
    case "transferOrder": return ["POST", `/v1/orders/${enc(c.orderId)}/transfer`, { toEmail: c.toEmail }];
    case "inviteDelegate": return ["POST", `/v1/contracts/${enc(c.contractId)}/delegates`, { email: c.email }];
    case "resendInvitation": return ["POST", `/v1/contracts/${enc(c.contractId)}/invitations/${enc(c.invitationId)}/resend`];
    case "cancelInvitation": return ["DELETE", `/v1/contracts/${enc(c.contractId)}/invitations/${enc(c.invitationId)}`];
    case "acceptInvitation": return ["POST", "/v1/invitations/accept", { token: c.token }];
    case "revokeDelegate": return ["DELETE", `/v1/contracts/${enc(c.contractId)}/delegates/${enc(c.accountId)}`];
    case "requestProvisioning": return ["POST", `/v1/contracts/${enc(c.contractId)}/provisioning`, { action: c.action }];
    case "createTicket": return ["POST", `/v1/contracts/${enc(c.contractId)}/tickets`, { subject: c.subject, body: c.body }];
    case "createCustomer": return ["POST", "/v1/customers", c];
    case "createLicenses": return ["POST", "/v1/licenses", c];
    case "updateLicensePayment": {
      const { licenseKey, ...rest } = c;
      return ["PATCH", `/v1/licenses/${enc(licenseKey)}`, rest];
    }
    case "requestLicenseTransfer": return ["POST", `/v1/licenses/${enc(c.licenseKey)}/transfer`, { toEmail: c.toEmail }];
    case "requestProjectTransfer": return ["POST", `/v1/projects/${enc(c.projectId)}/transfer`, { toEmail: c.toEmail }];
    case "acceptTransfer": return ["POST", `/v1/transfers/${enc(c.transferId)}/accept`];
    case "cancelTransfer": return ["POST", `/v1/transfers/${enc(c.transferId)}/cancel`];
    default: throw new Error(`no HTTP mapping for command ${type}`);
  }
}

/** Values a step can save, from the response body. */
function saveable(body) {
  return {
    ...body,
    ticketId: body?.id,
    licenseKey: body?.licenses?.[0]?.licenseKey ?? body?.licenseKey,
    licenseKeys: body?.licenses?.map((l) => l.licenseKey) ?? [],
  };
}

const failure = (r) => ({ error: r.body?.code, status: r.status });

async function query(call, q, token, now) {
  const get = (path) => call("GET", path, { token, now });
  const list = async (path, key, field) => {
    const r = await get(path);
    return r.status === 200 ? { ids: sortedIds(r.body[key], field), body: r.body[key] } : failure(r);
  };
  switch (q.type) {
    case "projects": return list("/v1/projects", "projects", "id");
    case "projectLicenses": return list(`/v1/projects/${enc(q.projectId)}/licenses`, "licenses", "licenseKey");
    case "licenses": return list("/v1/licenses", "licenses", "licenseKey");
    case "contracts": return list("/v1/contracts", "contracts", "id");
    case "tickets": return list(`/v1/contracts/${enc(q.contractId)}/tickets`, "tickets", "id");
    case "customers": return list("/v1/customers", "customers", "id");
    case "contract": {
      const r = await get(`/v1/contracts/${enc(q.contractId)}`);
      return r.status === 200 ? { body: r.body } : failure(r);
    }
    case "delegates": {
      const r = await get(`/v1/contracts/${enc(q.contractId)}/delegates`);
      if (r.status !== 200) return failure(r);
      return {
        ids: sortedIds(r.body.delegates.filter((d) => d.status === "active"), "accountId"),
        pending: sortedIds(r.body.invitations.filter((i) => i.status === "pending"), "invitationId"),
      };
    }
    case "transfers": {
      const r = await get("/v1/transfers");
      if (r.status !== 200) return failure(r);
      return { ids: sortedIds(r.body.transfers, "transferId"), pending: sortedIds(r.body.transfers.filter((t) => t.status === "pending"), "transferId") };
    }
    case "access": {
      const r = await get("/v1/me/access");
      if (r.status !== 200) return failure(r);
      return { accounts: sortedIds(r.body.state.accounts ?? [], "id"), transfers: sortedIds(r.body.state.transfers ?? [], "id") };
    }
    default: throw new Error(`unknown query type ${q.type}`);
  }
}

/** Runs `scenario` in the store whose key is `storeKey`; returns `{ actual, expected, saved }` (expectations with aliases resolved). */
export async function runHttp(scenario, call, storeKey) {
  let now = new Date(scenario.start ?? "2026-01-05T09:00:00Z").toISOString();
  const saved = {};
  const tokens = {};
  const actual = [];
  const expected = [];
  for (const [kind] of importOrder) {
    for (const record of scenario.records?.[kind] ?? []) {
      const { id, licenseKey, ...body } = record;
      const r = await call("PUT", `/v1/${kind}/${enc(id ?? licenseKey)}`, { token: storeKey, body, now });
      if (r.status !== 200) throw new Error(`import ${kind} ${id ?? licenseKey}: ${r.status} ${JSON.stringify(r.body)}`);
    }
  }
  const sessionFor = async (accountId) => {
    const r = await call("POST", "/v1/sessions", { token: storeKey, body: { accountId }, now });
    if (r.status !== 201) throw new Error(`session for ${accountId}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token;
  };
  // Accept tokens reach the store only through the event feed, as in production.
  const refreshTokens = async () => {
    const r = await call("GET", "/v1/events?limit=1000", { token: storeKey });
    for (const e of r.body.events) {
      if (e.payload.invitationId && e.payload.acceptToken) tokens[e.payload.invitationId] = e.payload.acceptToken;
    }
  };
  for (const raw of scenario.steps) {
    if (JSON.stringify(raw).includes("$token:")) await refreshTokens();
    const begun = beginStep(raw, now, { saved, tokens, actual, expected });
    now = begun.now;
    const step = begun.step;
    if (!step) continue;
    if (step.do) {
      const token = await sessionFor(step.as);
      const [method, path, body] = request(step.do);
      const r = await call(method, path, { token, body, now });
      if (r.status >= 200 && r.status < 300) {
        const values = saveable(r.body);
        for (const [alias, field] of Object.entries(step.save ?? {})) saved[alias] = values[field];
        actual.push({ ok: true });
      } else {
        actual.push(failure(r));
      }
    } else if (step.store) {
      // Device state, or a record the store imports again (the same PUT as the records above).
      const kind = importOrder.find(([, type]) => type === step.store.type)?.[0];
      const { projectId, id, licenseKey, ...body } = step.store.record;
      const r = kind
        ? await call("PUT", `/v1/${kind}/${enc(id ?? licenseKey)}`, { token: storeKey, body, now })
        : await call("PATCH", `/v1/projects/${enc(projectId)}/runtime`, { token: storeKey, body, now });
      actual.push(r.status === 200 ? { ok: true } : failure(r));
    } else if (step.check) {
      const [action, type, id] = step.check;
      const token = await sessionFor(step.as);
      const r = await call("POST", "/v1/authorize", { token, body: { action, resource: { type, id } }, now });
      actual.push(r.status === 200 ? r.body : failure(r));
    } else if (step.query) {
      actual.push(await query(call, step.query, await sessionFor(step.as), now));
    } else {
      throw new Error("a step needs do, store, check or query");
    }
  }
  return { actual, expected, saved, now, sessionFor };
}
