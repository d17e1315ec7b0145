// Runs a scenario through the npm package (full build, node target), as a storefront would: decisions are
// made on the actor's access snapshot. Returns what each step actually got. Every decision and list
// view is asked of the check-only build too (states parsed by JavaScript's JSON.parse and read by
// the rules' `decode`, where the full build uses serde_json): it must answer exactly alike.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { importOrder, beginStep, endStep, queries, queryArgs, shapeAnswer, flatEvent, eventValues, save } from "./scenario.mjs";

const require = createRequire(import.meta.url);
export const entitle = require("../../crates/entitle-wasm/npm/dist/full/node/index.js");
const check = require("../../crates/entitle-wasm/npm/dist/node/index.js");

function failure(error) {
  if (typeof error?.code !== "string") throw error;
  return { error: error.code, status: error.status };
}

function answer(call, state, actor, q, now) {
  try {
    return shapeAnswer(q.type, call(state, actor, ...queryArgs(q, now)));
  } catch (error) {
    return failure(error);
  }
}

function query(state, actor, q, now) {
  const name = queries[q.type].call;
  if (typeof entitle[name] !== "function") throw new Error(`the npm package has no ${name}`);
  const full = answer(entitle[name], state, actor, q, now);
  // accessSnapshot is only in the full build; every other question is in both.
  if (name !== "accessSnapshot") assert.deepEqual(answer(check[name], state, actor, q, now), full, `check-only ${name}`);
  return full;
}

/** Runs `scenario`; returns `{ actual, expected, saved, state, now }` (expectations with aliases resolved; the final state and time) with one entry per step (`{ skipped: true }` where an alias is missing). */
export function runWasm(scenario) {
  let state = {};
  let now = new Date(scenario.start ?? "2026-01-05T09:00:00Z").toISOString();
  let counter = 0;
  const saved = {};
  const tokens = {};
  const book = { saved, tokens, actual: [], expected: [] };
  for (const [kind, type] of importOrder) {
    for (const record of scenario.records?.[kind] ?? []) {
      state = entitle.applyChanges(state, entitle.executeStore(state, { type, record }, now).changes);
    }
  }
  scenario.steps.forEach((raw, index) => {
    const begun = beginStep(raw, now, book);
    now = begun.now;
    const step = begun.step;
    if (!step) return;
    const actor = step.as ?? "store";
    const where = `${scenario.name} step ${index}`;
    let actual;
    if (step.do) {
      const fresh = Array.from({ length: 110 }, () => `f${String(++counter).padStart(4, "0")}abcdefghijklmnopq`);
      try {
        const outcome = entitle.execute(state, step.do, { actor, now, fresh });
        state = entitle.applyChanges(state, outcome.changes);
        for (const { payload: p } of outcome.events) if (p.invitationId && p.acceptToken) tokens[p.invitationId] = p.acceptToken;
        save(step, eventValues(outcome.events), saved);
        actual = { ok: true, events: outcome.events.map(flatEvent) };
      } catch (error) {
        if (error instanceof Error && error.message.startsWith("nothing to save")) throw new Error(`${where}: ${error.message}`);
        actual = failure(error);
      }
    } else if (step.store) {
      try {
        // A sweep that names no grants is the store's cron: it sweeps every grant due now.
        const command = step.store.type === "sweepWindows" && step.store.record === null
          ? { type: "sweepWindows", record: entitle.dueWindows(state, now) }
          : step.store;
        const outcome = entitle.executeStore(state, command, now);
        state = entitle.applyChanges(state, outcome.changes);
        actual = { ok: true, events: outcome.events.map(flatEvent) };
      } catch (error) {
        actual = failure(error);
      }
    } else if (step.check) {
      const [action, type, id] = step.check;
      const snapshot = entitle.accessSnapshot(state, actor, now);
      const decision = entitle.authorize(snapshot, actor, action, { type, id }, now);
      // The loaded-handle fast path gives the same answer.
      const access = new entitle.Access(snapshot, actor);
      assert.deepEqual(access.decide(action, type, id, now), decision);
      access.free();
      assert.deepEqual(check.authorize(snapshot, actor, action, { type, id }, now), decision, "check-only authorize");
      const loaded = new check.Access(snapshot, actor);
      assert.deepEqual(loaded.decide(action, type, id, now), decision, "check-only Access");
      loaded.free();
      actual = decision;
    } else if (step.query) {
      actual = query(state, actor, step.query, now);
    } else {
      throw new Error(`${where}: a step needs do, store, check or query`);
    }
    endStep(step, actual, book);
  });
  return { actual: book.actual, expected: book.expected, saved, state, now };
}
