// What the JavaScript scenario runners share: reading the files (a scenario names its seed's
// world under tests/scenarios/worlds/ and adds its own records), checking each step's form,
// resolving `$alias` and `$token:alias`, the query table (tests/scenarios/queries.json, which
// the native runner reads too), the events of a command, and comparing an actual answer with
// the expected one.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";

export const scenarioDir = join(dirname(fileURLToPath(import.meta.url)), "..", "scenarios");
const readJson = (...path) => JSON.parse(readFileSync(join(scenarioDir, ...path), "utf8"));

/** The query table: one definition of each query for the three runners. */
export const queries = readJson("queries.json");

/** The record imports of a scenario, in dependency order, as `[kind, record]` pairs. */
export const importOrder = [
  ["accounts", "importAccount"],
  ["products", "importProduct"],
  ["licenses", "importLicense"],
  ["orders", "importOrder"],
  ["contracts", "importContract"],
];

const STEP_KINDS = ["do", "store", "check", "query", "remember"];
const STEP_KEYS = new Set([...STEP_KINDS, "description", "as", "at", "save", "expect"]);
const SCENARIO_KEYS = new Set(["seed", "covers", "world", "records", "start", "steps"]);

/** Throws unless `step` has one kind, an expectation, and nothing the runners would ignore. */
export function checkStep(step, where) {
  const unknown = Object.keys(step).filter((k) => !STEP_KEYS.has(k));
  if (unknown.length) throw new Error(`${where}: unknown step fields ${unknown.join(", ")}`);
  const kinds = STEP_KINDS.filter((k) => k in step);
  if (kinds.length !== 1) throw new Error(`${where}: a step needs exactly one of ${STEP_KINDS.join(", ")}, got ${kinds.join(", ") || "none"}`);
  if (step.remember) return;
  if (step.expect === undefined || step.expect === null || typeof step.expect !== "object") {
    throw new Error(`${where}: a step needs an \`expect\``);
  }
  if (Object.keys(step.expect).length === 0) throw new Error(`${where}: an empty \`expect\` matches anything`);
  if ((step.do || step.store) && step.expect.error === undefined && !Array.isArray(step.expect.events)) {
    throw new Error(`${where}: a command step expects an \`error\` or its \`events\``);
  }
  if (step.query && !queries[step.query.type]) throw new Error(`${where}: unknown query type ${step.query.type}`);
}

/** A scenario file with its world's records merged in (the world's first, then its own). */
export function loadScenario(name) {
  const file = readJson(`${name}.json`);
  const unknown = Object.keys(file).filter((k) => !SCENARIO_KEYS.has(k));
  if (unknown.length) throw new Error(`${name}: unknown scenario fields ${unknown.join(", ")}`);
  if (!file.world) throw new Error(`${name}: a scenario names its \`world\``);
  const world = readJson("worlds", `${file.world}.json`);
  const records = {};
  for (const [kind] of importOrder) records[kind] = [...(world.records[kind] ?? []), ...(file.records?.[kind] ?? [])];
  file.steps.forEach((step, index) => checkStep(step, `${name} step ${index}`));
  return { name, ...file, records };
}

/** Every scenario, in name order. */
export function loadScenarios() {
  return readdirSync(scenarioDir)
    .filter((f) => f.endsWith(".json") && f !== "queries.json")
    .sort()
    .map((f) => loadScenario(f.slice(0, -".json".length)));
}

/** A step names an alias that no earlier step saved (that step failed). */
export class MissingAlias extends Error {}

/** Replaces `$alias` with saved values and `$token:alias` with the latest accept token. */
export function resolve(value, saved, tokens) {
  if (typeof value === "string" && value.startsWith("$token:")) {
    const id = saved[value.slice("$token:".length)];
    if (id === undefined || tokens[id] === undefined) throw new MissingAlias(value);
    return tokens[id];
  }
  if (typeof value === "string" && value.startsWith("$")) {
    if (!(value.slice(1) in saved)) throw new MissingAlias(value);
    return saved[value.slice(1)];
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, saved, tokens));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, saved, tokens)]));
  }
  return value;
}

/** Whether `actual` holds everything in `expected` (objects by key, null matching absence). */
export function contains(actual, expected) {
  if (expected && typeof expected === "object" && !Array.isArray(expected)) {
    return Object.entries(expected).every(([k, v]) => contains(actual?.[k] ?? null, v));
  }
  // Lists come in key order, which means nothing to a scenario: each expected item must match
  // its own actual item, in any order.
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && matching(actual, expected);
  }
  return actual === expected;
}

/** Whether every item of `want` matches a distinct item of `got` (backtracking; lists are short). */
function matching(got, want) {
  if (want.length === 0) return true;
  const [first, ...rest] = want;
  return got.some((g, i) => contains(g, first) && matching([...got.slice(0, i), ...got.slice(i + 1)], rest));
}

/** Sorts the id lists of an expectation: they compare as sets. */
export function normalizeExpect(expect) {
  const out = { ...expect };
  for (const key of ["ids", "pending", "accounts", "transfers"]) if (Array.isArray(out[key])) out[key] = [...out[key]].sort();
  return out;
}

/** The time of each step: its `at`, or one second after the previous step. */
export function stepTime(step, previous) {
  return step.at ? new Date(step.at).toISOString() : new Date(Date.parse(previous) + 1000).toISOString();
}

export const sortedIds = (items, field) => items.map((i) => i[field]).sort();

/** A query's answer, shaped by its row of the query table from what the rules answered. */
export function shapeAnswer(type, answer) {
  const out = {};
  for (const [field, spec] of Object.entries(queries[type].answer)) {
    let value = spec.from === undefined ? answer : (answer?.[spec.from] ?? []);
    if (spec.where) value = value.filter((item) => Object.entries(spec.where).every(([k, v]) => item[k] === v));
    out[field] = spec.ids ? sortedIds(value, spec.ids) : value;
  }
  return out;
}

/** The arguments of a query's rules function after the state and the actor. */
export const queryArgs = (q, now) => queries[q.type].args.map((a) => (a === "now" ? now : q[a]));

/** The GET path of a query. */
export const queryPath = (q) => queries[q.type].http.replace(/\{(\w+)\}/g, (_, k) => encodeURIComponent(q[k]));

/** An event as a step compares it: its type and actor beside its payload's fields. */
export const flatEvent = (e) => ({ type: e.type, actorId: e.actorId ?? null, ...e.payload });

/** Saves `step.save` from `values`; a field the command did not produce is a broken scenario. */
export function save(step, values, saved) {
  for (const [alias, field] of Object.entries(step.save ?? {})) {
    if (values[field] === undefined) throw new Error(`nothing to save as \`${field}\` (alias ${alias})`);
    saved[alias] = values[field];
  }
}

/** Values a step can save from its command's events: the first string field of each name, and `licenseKeys`. */
export function eventValues(events) {
  const values = { licenseKeys: [] };
  for (const e of events) {
    if (e.type === "license.created") values.licenseKeys.push(e.payload.licenseKey);
    for (const [k, v] of Object.entries(e.payload)) if (typeof v === "string" && !(k in values)) values[k] = v;
  }
  return values;
}

export function expectStep(name, index, actual, expected) {
  assert.ok(expected && typeof expected === "object", `${name} step ${index}: no expectation`);
  assert.ok(
    contains(actual, expected),
    `${name} step ${index}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
  );
}

/**
 * The bookkeeping both runners share at the start of a step: resolve aliases (all but the
 * expectation, resolved once the step has saved what it makes), record a skip or a `remember`,
 * advance the clock. Returns the step to run (or null when there is nothing to run) and the
 * step's time.
 */
export function beginStep(raw, now, book) {
  let step;
  try {
    const { expect, ...rest } = raw;
    step = { ...resolve(rest, book.saved, book.tokens), expect };
  } catch (error) {
    if (!(error instanceof MissingAlias)) throw error;
    book.actual.push({ skipped: true });
    book.expected.push(undefined);
    return { step: null, now: stepTime(raw.at ? raw : {}, now) };
  }
  if (step.remember) {
    Object.assign(book.saved, step.remember);
    book.actual.push({ remembered: true });
    book.expected.push(undefined);
    return { step: null, now };
  }
  return { step, now: stepTime(step, now) };
}

/** Ends a step: records what it got and its expectation, resolved with what it saved. */
export function endStep(step, actual, book) {
  book.actual.push(actual);
  let expected;
  try {
    expected = step.expect === undefined ? undefined : normalizeExpect(resolve(step.expect, book.saved, book.tokens));
  } catch (error) {
    if (!(error instanceof MissingAlias)) throw error;
    expected = { unresolved: error.message };
  }
  book.expected.push(expected);
}
