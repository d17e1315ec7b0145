// Runs every scenario under tests/scenarios through the npm package (node target).
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadScenarios, expectStep } from "./support/scenario.mjs";
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
