// Runs a scenario through the npm package (full build, node target), as a storefront would: decisions are
// made on the actor's access snapshot. Returns what each step actually got.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { importOrder, beginStep, sortedIds } from "./scenario.mjs";

const require = createRequire(import.meta.url);
export const entitle = require("../../crates/entitle-wasm/npm/dist/full/node/index.js");

function failure(error) {
  if (typeof error?.code !== "string") throw error;
  return { error: error.code, status: error.status };
}

function queryOrThrow(state, actor, q, now) {
  switch (q.type) {
    case "projects": return { ids: sortedIds(entitle.projects(state, actor), "id") };
    case "projectLicenses": return { ids: sortedIds(entitle.projectLicenses(state, actor, q.projectId), "licenseKey") };
    case "licenses": {
      const list = entitle.licenses(state, actor);
      return { ids: sortedIds(list, "licenseKey"), body: list };
    }
    case "contracts": return { ids: sortedIds(entitle.contracts(state, actor), "id") };
    case "contract": return { body: entitle.contract(state, actor, q.contractId) };
    case "tickets": return { ids: sortedIds(entitle.tickets(state, actor, q.contractId), "id") };
    case "delegates": {
      const view = entitle.delegates(state, actor, q.contractId, now);
      return {
        ids: sortedIds(view.delegates.filter((d) => d.status === "active"), "accountId"),
        pending: sortedIds(view.invitations.filter((i) => i.status === "pending"), "invitationId"),
      };
    }
    case "customers": return { ids: sortedIds(entitle.customers(state, actor), "id") };
    case "transfers": {
      const list = entitle.transfers(state, actor, now);
      return { ids: sortedIds(list, "transferId"), pending: sortedIds(list.filter((t) => t.status === "pending"), "transferId") };
    }
    case "access": {
      const snapshot = entitle.accessSnapshot(state, actor);
      return { accounts: sortedIds(snapshot.accounts ?? [], "id"), transfers: sortedIds(snapshot.transfers ?? [], "id") };
    }
    default: throw new Error(`unknown query type ${q.type}`);
  }
}

function query(state, actor, q, now) {
  try {
    return queryOrThrow(state, actor, q, now);
  } catch (error) {
    return failure(error);
  }
}

/** Runs `scenario`; returns `{ actual, expected, saved, state, now }` (expectations with aliases resolved; the final state and time) with one entry per step (`{ skipped: true }` where an alias is missing). */
export function runWasm(scenario) {
  let state = {};
  let now = new Date(scenario.start ?? "2026-01-05T09:00:00Z").toISOString();
  let counter = 0;
  const saved = {};
  const tokens = {};
  const actual = [];
  const expected = [];
  for (const [kind, type] of importOrder) {
    for (const record of scenario.records?.[kind] ?? []) {
      state = entitle.applyChanges(state, entitle.executeStore(state, { type, record }, now).changes);
    }
  }
  for (const raw of scenario.steps) {
    const begun = beginStep(raw, now, { saved, tokens, actual, expected });
    now = begun.now;
    const step = begun.step;
    if (!step) continue;
    const actor = step.as ?? "store";
    if (step.do) {
      const fresh = Array.from({ length: 110 }, () => `f${String(++counter).padStart(4, "0")}abcdefghijklmnopq`);
      try {
        const outcome = entitle.execute(state, step.do, { actor, now, fresh });
        state = entitle.applyChanges(state, outcome.changes);
        const values = { licenseKeys: [] };
        for (const event of outcome.events) {
          const p = event.payload;
          if (p.invitationId && p.acceptToken) tokens[p.invitationId] = p.acceptToken;
          if (event.type === "license.created") values.licenseKeys.push(p.licenseKey);
          for (const [k, v] of Object.entries(p)) if (typeof v === "string" && !(k in values)) values[k] = v;
        }
        for (const [alias, field] of Object.entries(step.save ?? {})) saved[alias] = values[field];
        actual.push({ ok: true });
      } catch (error) {
        actual.push(failure(error));
      }
    } else if (step.store) {
      try {
        state = entitle.applyChanges(state, entitle.executeStore(state, step.store, now).changes);
        actual.push({ ok: true });
      } catch (error) {
        actual.push(failure(error));
      }
    } else if (step.check) {
      const [action, type, id] = step.check;
      const snapshot = entitle.accessSnapshot(state, actor);
      const decision = entitle.authorize(snapshot, actor, action, { type, id }, now);
      // The loaded-handle fast path gives the same answer.
      const access = new entitle.Access(snapshot, actor);
      assert.deepEqual(access.decide(action, type, id, now), decision);
      access.free();
      actual.push(decision);
    } else if (step.query) {
      actual.push(query(state, actor, step.query, now));
    } else {
      throw new Error("a step needs do, store, check or query");
    }
  }
  return { actual, expected, saved, state, now };
}
