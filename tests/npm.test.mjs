// The npm package on bad input: every export throws an Error with a stable code and the HTTP
// status the worker would answer with; none panics (a panic would abort the wasm instance).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const entitle = require("../crates/entitle-wasm/npm/dist/node/entitle_wasm.js");
const NOW = "2026-01-01T00:00:00Z";
const state = {
  accounts: [{ id: "a", email: "a@example.com", name: "A", kind: "customer" }],
  products: [{ id: "p", name: "P", family: "hosting", billing: "recurring" }],
  contracts: [{ id: "c", ownerId: "a", productId: "p", status: "active", registeredAt: NOW, billing: "recurring" }],
};

function throwsCode(fn, code, status) {
  assert.throws(fn, (error) => {
    assert.equal(error.code, code, error.message);
    if (status) assert.equal(error.status, status);
    assert.ok(error.message.length > 0);
    return true;
  });
}

test("malformed state, ids, times and actions throw coded errors", () => {
  throwsCode(() => entitle.authorize({ accounts: "nope" }, "a", "contract.view", { type: "contract", id: "c" }, NOW), "invalid_input", 400);
  throwsCode(() => entitle.authorize({ unknownField: [] }, "a", "contract.view", { type: "contract", id: "c" }, NOW), "invalid_input", 400);
  throwsCode(() => entitle.authorize(state, "a b", "contract.view", { type: "contract", id: "c" }, NOW), "invalid_input", 400);
  throwsCode(() => entitle.authorize(state, "a", "contract.fly", { type: "contract", id: "c" }, NOW), "unknown_action", 422);
  throwsCode(() => entitle.authorize(state, "a", "contract.view", { type: "project", id: "c" }, NOW), "action_resource_mismatch", 422);
  throwsCode(() => entitle.authorize(state, "a", "contract.view", { type: "contract", id: "c" }, "yesterday"), "invalid_input", 400);
  throwsCode(() => entitle.execute(state, { type: "inviteDelegate", contractId: "c" }, { actor: "a", now: NOW }), "invalid_input", 400);
  throwsCode(() => new entitle.Access(42, "a"), "invalid_input", 400);
  // Unknown fields are refused, as the HTTP API refuses them.
  throwsCode(() => entitle.execute(state, { type: "createProject", name: "P", knd: "server" }, { actor: "a", now: NOW, fresh: ["f".repeat(22)] }), "invalid_input", 400);
});

test("rule errors carry the same code and status as the API", () => {
  throwsCode(() => entitle.execute(state, { type: "inviteDelegate", contractId: "c", email: "nobody@example.com" }, { actor: "a", now: NOW, fresh: ["f".repeat(22), "g".repeat(22)] }), "invitee_not_found", 422);
  throwsCode(() => entitle.execute(state, { type: "inviteDelegate", contractId: "missing", email: "x@example.com" }, { actor: "a", now: NOW, fresh: [] }), "contract_not_found", 404);
  throwsCode(() => entitle.tickets(state, "a", "missing"), "contract_not_found", 404);
  // Too few fresh values is the caller's bug, reported as such rather than as a panic.
  throwsCode(() => entitle.execute(state, { type: "createProject", name: "P" }, { actor: "a", now: NOW, fresh: [] }), "fresh_values_exhausted", 500);
});

test("the package keeps working after errors", () => {
  for (let i = 0; i < 100; i++) {
    try { entitle.authorize({ accounts: i }, "a", "contract.view", { type: "contract", id: "c" }, NOW); } catch { /* expected */ }
  }
  const decision = entitle.authorize(state, "a", "contract.view", { type: "contract", id: "c" }, NOW);
  assert.deepEqual(decision, { allowed: true, reasons: ["owner"] });
  const access = new entitle.Access(entitle.accessSnapshot(state, "a"), "a");
  assert.equal(access.can("contract.delegates.manage", "contract", "c", NOW), true);
  assert.deepEqual(access.decide("contract.view", "contract", "nope", NOW), { allowed: false, reasons: ["not_found"] });
  access.free();
});
