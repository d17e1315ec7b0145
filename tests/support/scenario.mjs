// What the JavaScript scenario runners share: reading the files, resolving `$alias` and
// `$token:alias`, and comparing an actual answer with the expected one.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";

export const scenarioDir = join(dirname(fileURLToPath(import.meta.url)), "..", "scenarios");

/** Every scenario, as `{ name, ...file }`, in name order. */
export function loadScenarios() {
  return readdirSync(scenarioDir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({ name: f.slice(0, -".json".length), ...JSON.parse(readFileSync(join(scenarioDir, f), "utf8")) }));
}

/** The record imports of a scenario, in dependency order, as `[kind, record]` pairs. */
export const importOrder = [
  ["accounts", "importAccount"],
  ["products", "importProduct"],
  ["licenses", "importLicense"],
  ["orders", "importOrder"],
  ["contracts", "importContract"],
];

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

export function expectStep(name, index, actual, expected) {
  assert.ok(
    contains(actual, expected),
    `${name} step ${index}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
  );
}

/**
 * The bookkeeping both runners share at the start of a step: resolve aliases, record a skip or
 * a `remember`, record the resolved expectation, advance the clock. Returns the step to run (or
 * null when there is nothing to run) and the step's time.
 */
export function beginStep(raw, now, book) {
  let step;
  try {
    step = resolve(raw, book.saved, book.tokens);
  } catch (error) {
    if (!(error instanceof MissingAlias)) throw error;
    book.actual.push({ skipped: true });
    book.expected.push(undefined);
    return { step: null, now: stepTime(raw.at ? raw : {}, now) };
  }
  book.expected.push(step.expect);
  if (step.remember) {
    Object.assign(book.saved, step.remember);
    book.actual.push({ remembered: true });
    return { step: null, now };
  }
  return { step, now: stepTime(step, now) };
}
