// Runs every scenario under tests/scenarios against the worker over HTTP (Miniflare, local
// workerd, migrated in-memory D1), each in its own store.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { loadScenarios, loadScenario, expectStep } from "./support/scenario.mjs";
import { startWorker, client, undocumented } from "./support/worker.mjs";
import { runHttp, storeRequest } from "./support/run-http.mjs";

const scenarios = loadScenarios();
const storeOf = (name) => name.replaceAll("_", "-").slice(0, 100);
let worker;
let call;

before(async () => {
  worker = await startWorker({ stores: [...scenarios.map((s) => storeOf(s.name)), "broken"] });
  call = client(worker.url);
});
after(() => worker?.stop());

for (const scenario of scenarios) {
  test(scenario.name, async () => {
    const { actual, expected } = await runHttp(scenario, call, `sk_test_${storeOf(scenario.name)}`, { sweep: worker.sweep });
    scenario.steps.forEach((step, index) => {
      assert.ok(!actual[index].skipped, `${scenario.name} step ${index} names an alias no step saved`);
      if (step.remember) return;
      expectStep(scenario.name, index, actual[index], expected[index]);
    });
  });
}

test("a store step goes to the route of its type; an unknown type fails", () => {
  assert.deepEqual(storeRequest({ type: "importAccount", record: { id: "a", email: "a@x.example", name: "A", kind: "customer" } }), ["PUT", "/v1/accounts/a", { email: "a@x.example", name: "A", kind: "customer" }]);
  assert.deepEqual(storeRequest({ type: "importLicense", record: { licenseKey: "L", productId: "p", ownerId: "a" } }), ["PUT", "/v1/licenses/L", { productId: "p", ownerId: "a" }]);
  assert.deepEqual(storeRequest({ type: "setProjectRuntime", record: { projectId: "p", serverActive: true, activePanels: 0 } }), ["PATCH", "/v1/projects/p/runtime", { serverActive: true, activePanels: 0 }]);
  assert.throws(() => storeRequest({ type: "importLicence", record: {} }), /no HTTP mapping for store command importLicence/);
});

test("saving a field the answer does not hold fails the run over HTTP", async () => {
  const { records } = loadScenario("owner_creates_projects_and_assigns_own_licenses");
  const step = { as: "owner", do: { type: "createProject", name: "P" }, save: { p: "projectID" }, expect: { events: [{ type: "project.created" }] } };
  await assert.rejects(runHttp({ name: "bad", records, steps: [step] }, call, "sk_test_broken"), /nothing to save as `projectID`/);
});

test("every status and error code answered above is documented in openapi.json", () => {
  assert.deepEqual(undocumented(), []);
});
