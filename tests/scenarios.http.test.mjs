// Runs every scenario under tests/scenarios against the worker over HTTP (Miniflare, local
// workerd, migrated in-memory D1), each in its own store.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { loadScenarios, expectStep } from "./support/scenario.mjs";
import { startWorker, client, undocumented } from "./support/worker.mjs";
import { runHttp } from "./support/run-http.mjs";

const scenarios = loadScenarios();
const storeOf = (name) => name.replaceAll("_", "-").slice(0, 100);
let worker;
let call;

before(async () => {
  worker = await startWorker({ stores: scenarios.map((s) => storeOf(s.name)) });
  call = client(worker.url);
});
after(() => worker?.stop());

for (const scenario of scenarios) {
  test(scenario.name, async () => {
    const { actual, expected } = await runHttp(scenario, call, `sk_test_${storeOf(scenario.name)}`);
    scenario.steps.forEach((step, index) => {
      assert.ok(!actual[index].skipped, `${scenario.name} step ${index} names an alias no step saved`);
      if (step.remember) return;
      expectStep(scenario.name, index, actual[index], expected[index]);
    });
  });
}

test("every status and error code answered above is documented in openapi.json", () => {
  assert.deepEqual(undocumented(), []);
});
