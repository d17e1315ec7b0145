// Runs a scenario against the worker over HTTP: records imported with the store key, each
// step as the HTTP request a store or browser would send, each step's time in the test clock
// header. Returns what each step actually got, in the same shapes as run-wasm.mjs.
import { importOrder, beginStep, endStep, queryPath, queries, shapeAnswer, flatEvent, save } from "./scenario.mjs";

const enc = encodeURIComponent;

/** The window fields of a command, as its body carries them (absent ones left out). */
const windowOf = (c) => Object.fromEntries(["startsAt", "expiresAt"].filter((k) => k in c).map((k) => [k, c[k]]));

/** The HTTP request for each command type of the rules. */
export function request(command) {
  const { type, ...c } = command;
  switch (type) {
    case "createProject": return ["POST", "/v1/projects", { name: c.name, ...(c.kind ? { kind: c.kind } : {}) }];
    case "shareProject": return ["POST", `/v1/projects/${enc(c.projectId)}/shares`, { email: c.email, ...windowOf(c) }];
    case "updateShare": return ["PATCH", `/v1/projects/${enc(c.projectId)}/shares/${enc(c.accountId)}`, windowOf(c)];
    case "unshareProject": return ["DELETE", `/v1/projects/${enc(c.projectId)}/shares/${enc(c.accountId)}`];
    case "assignLicense": return ["POST", `/v1/projects/${enc(c.projectId)}/licenses`, { licenseKey: c.licenseKey }];
    case "unassignLicense": return ["DELETE", `/v1/projects/${enc(c.projectId)}/licenses/${enc(c.licenseKey)}`];
    case "transferOrder": return ["POST", `/v1/orders/${enc(c.orderId)}/transfer`, { toEmail: c.toEmail }];
    case "inviteDelegate": return ["POST", `/v1/contracts/${enc(c.contractId)}/delegates`, { email: c.email, ...windowOf(c) }];
    case "updateDelegate": return ["PATCH", `/v1/contracts/${enc(c.contractId)}/delegates/${enc(c.accountId)}`, windowOf(c)];
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

/** The request of each store command: a record the store imports (PUT), or device state. */
const storeRoutes = {
  importAccount: (r) => ["PUT", `/v1/accounts/${enc(r.id)}`, r, ["id"]],
  importProduct: (r) => ["PUT", `/v1/products/${enc(r.id)}`, r, ["id"]],
  importLicense: (r) => ["PUT", `/v1/licenses/${enc(r.licenseKey)}`, r, ["licenseKey"]],
  importOrder: (r) => ["PUT", `/v1/orders/${enc(r.id)}`, r, ["id"]],
  importContract: (r) => ["PUT", `/v1/contracts/${enc(r.id)}`, r, ["id"]],
  setProjectRuntime: (r) => ["PATCH", `/v1/projects/${enc(r.projectId)}/runtime`, r, ["projectId"]],
};

/** The HTTP request of a store command (the record's id goes in the path, not the body). */
export function storeRequest(command) {
  const route = storeRoutes[command.type];
  if (!route) throw new Error(`no HTTP mapping for store command ${command.type}`);
  const [method, path, record, inPath] = route(command.record);
  const body = Object.fromEntries(Object.entries(record).filter(([k]) => !inPath.includes(k)));
  return [method, path, body];
}

async function query(call, q, token, now) {
  const r = await call("GET", queryPath(q), { token, now });
  if (r.status !== 200) return failure(r);
  const key = queries[q.type].in;
  return shapeAnswer(q.type, key === undefined ? r.body : r.body[key]);
}

/**
 * Runs `scenario` in the store whose key is `storeKey`; returns `{ actual, expected, saved }`
 * (expectations with aliases resolved). `sweep(now)` runs the worker's cron at that time: a
 * `sweepWindows` store step is the cron's sweep, which finds the grants due by itself.
 */
export async function runHttp(scenario, call, storeKey, { sweep } = {}) {
  let now = new Date(scenario.start ?? "2026-01-05T09:00:00Z").toISOString();
  const saved = {};
  const tokens = {};
  const book = { saved, tokens, actual: [], expected: [] };
  for (const [kind, type] of importOrder) {
    for (const record of scenario.records?.[kind] ?? []) {
      const [method, path, body] = storeRequest({ type, record });
      const r = await call(method, path, { token: storeKey, body, now });
      if (r.status !== 200) throw new Error(`import ${kind} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    }
  }
  const sessionFor = async (accountId) => {
    const r = await call("POST", "/v1/sessions", { token: storeKey, body: { accountId }, now });
    if (r.status !== 201) throw new Error(`session for ${accountId}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token;
  };
  // The events a step wrote, read from the store's feed (accept tokens reach the store only
  // through it, as in production).
  let cursor = null;
  const newEvents = async () => {
    const events = [];
    for (;;) {
      const r = await call("GET", `/v1/events?limit=1000${cursor === null ? "" : `&after=${enc(cursor)}`}`, { token: storeKey });
      if (r.status !== 200) throw new Error(`event feed: ${r.status} ${JSON.stringify(r.body)}`);
      for (const e of r.body.events) {
        if (e.payload.invitationId && e.payload.acceptToken) tokens[e.payload.invitationId] = e.payload.acceptToken;
        events.push(e);
      }
      if (r.body.events.length) cursor = r.body.events.at(-1).cursor;
      if (r.body.nextCursor === null || r.body.events.length === 0) return events;
    }
  };
  await newEvents();
  for (const [index, raw] of scenario.steps.entries()) {
    const begun = beginStep(raw, now, book);
    now = begun.now;
    const step = begun.step;
    if (!step) continue;
    let actual;
    if (step.do) {
      const token = await sessionFor(step.as);
      const [method, path, body] = request(step.do);
      const r = await call(method, path, { token, body, now });
      const events = await newEvents();
      if (r.status >= 200 && r.status < 300) {
        try {
          save(step, saveable(r.body), saved);
        } catch (error) {
          throw new Error(`${scenario.name} step ${index}: ${error.message}`);
        }
        actual = { ok: true, events: events.map(flatEvent) };
      } else {
        if (events.length) throw new Error(`${scenario.name} step ${index}: a refused command wrote ${JSON.stringify(events)}`);
        actual = failure(r);
      }
    } else if (step.store?.type === "sweepWindows") {
      if (!sweep) throw new Error(`${scenario.name} step ${index}: no cron to run the sweep with`);
      await sweep(now);
      actual = { ok: true, events: (await newEvents()).map(flatEvent) };
    } else if (step.store) {
      const [method, path, body] = storeRequest(step.store);
      const r = await call(method, path, { token: storeKey, body, now });
      const events = await newEvents();
      actual = r.status === 200 ? { ok: true, events: events.map(flatEvent) } : failure(r);
    } else if (step.check) {
      const [action, type, id] = step.check;
      const token = await sessionFor(step.as);
      const r = await call("POST", "/v1/authorize", { token, body: { action, resource: { type, id } }, now });
      actual = r.status === 200 ? r.body : failure(r);
    } else if (step.query) {
      actual = await query(call, step.query, await sessionFor(step.as), now);
    } else {
      throw new Error("a step needs do, store, check or query");
    }
    endStep(step, actual, book);
  }
  return { actual: book.actual, expected: book.expected, saved, now, sessionFor };
}
