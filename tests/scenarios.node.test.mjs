// Runs every scenario under tests/scenarios through the npm package (node target), as a
// storefront would: decisions are made on the actor's access snapshot.
import { test } from "node:test";
import { createRequire } from "node:module";
import {
  loadScenarios, importOrder, resolve, normalizeExpect, stepTime, sortedIds, expectStep,
} from "./support/scenario.mjs";

const require = createRequire(import.meta.url);
const entitle = require("../crates/entitle-wasm/npm/dist/node/entitle_wasm.js");

function failure(error) {
  if (typeof error?.code !== "string") throw error;
  return { error: error.code, status: error.status };
}

function query(state, actor, q, now) {
  try {
    return queryOrThrow(state, actor, q, now);
  } catch (error) {
    return failure(error);
  }
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
    default: throw new Error(`unknown query type ${q.type}`);
  }
}

for (const scenario of loadScenarios()) {
  test(scenario.name, () => {
    let state = {};
    let now = new Date(scenario.start ?? "2026-01-05T09:00:00Z").toISOString();
    let counter = 0;
    const saved = {};
    const tokens = {};
    for (const [kind, type] of importOrder) {
      for (const record of scenario.records?.[kind] ?? []) {
        state = entitle.applyChanges(state, entitle.executeStore(state, { type, record }, now).changes);
      }
    }
    scenario.steps.forEach((raw, index) => {
      const step = resolve(raw, saved, tokens);
      if (step.remember) return Object.assign(saved, step.remember);
      now = stepTime(step, now);
      const actor = step.as ?? "store";
      const expected = normalizeExpect(step.expect);
      let actual;
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
          actual = { ok: true };
        } catch (error) {
          actual = failure(error);
        }
      } else if (step.store) {
        try {
          state = entitle.applyChanges(state, entitle.executeStore(state, step.store, now).changes);
          actual = { ok: true };
        } catch (error) {
          actual = failure(error);
        }
      } else if (step.check) {
        const [action, type, id] = step.check;
        const snapshot = entitle.accessSnapshot(state, actor);
        actual = entitle.authorize(snapshot, actor, action, { type, id }, now);
        // The loaded-handle fast path gives the same answer.
        const access = new entitle.Access(snapshot, actor);
        expectStep(scenario.name, index, access.decide(action, type, id, now), actual);
        access.free();
      } else if (step.query) {
        actual = query(state, actor, step.query, now);
      } else {
        throw new Error(`${scenario.name} step ${index}: no do, store, check or query`);
      }
      expectStep(scenario.name, index, actual, expected);
    });
  });
}
