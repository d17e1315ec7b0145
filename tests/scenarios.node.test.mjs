// Runs every scenario under tests/scenarios through the npm package (node target), and checks
// that a broken scenario fails loudly rather than passing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { loadScenarios, loadScenario, checkStep, expectStep } from "./support/scenario.mjs";
import { runWasm } from "./support/run-wasm.mjs";

for (const scenario of loadScenarios()) {
  test(scenario.name, () => {
    const { actual, expected } = runWasm(scenario);
    scenario.steps.forEach((step, index) => {
      // A skipped step is a broken scenario, never a pass.
      assert.ok(!actual[index].skipped, `${scenario.name} step ${index} names an alias no step saved`);
      if (step.remember) return;
      expectStep(scenario.name, index, actual[index], expected[index]);
    });
  });
}

const create = { type: "createProject", name: "P" };

test("a step without an expectation, or one that matches anything, is refused", () => {
  const check = ["project.view", "project", "P"];
  assert.throws(() => checkStep({ as: "owner", check }, "s"), /needs an `expect`/);
  assert.throws(() => checkStep({ as: "owner", check, expect: {} }, "s"), /empty `expect`/);
  assert.throws(() => checkStep({ as: "owner", check, expcet: { allowed: true } }, "s"), /unknown step fields expcet/);
  assert.throws(() => checkStep({ as: "owner", do: create, expect: { ok: true } }, "s"), /an `error` or its `events`/);
  assert.throws(() => checkStep({ as: "owner", do: create, check, expect: { ok: true } }, "s"), /exactly one of/);
  assert.throws(() => expectStep("s", 0, { allowed: true }, undefined), /no expectation/);
});

test("saving a field the command did not produce fails the run", () => {
  const { records } = loadScenario("owner_creates_projects_and_assigns_own_licenses");
  const step = { as: "owner", do: create, save: { p: "projectID" }, expect: { events: [{ type: "project.created" }] } };
  assert.throws(() => runWasm({ name: "bad", records, steps: [step] }), /nothing to save as `projectID`/);
});

test("docs/scenarios.md is fresh and every scenario file is in the compact form", () => {
  execFileSync(process.execPath, ["scripts/scenarios.mjs", "check"], { stdio: "pipe" });
});
