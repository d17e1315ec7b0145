// Type-checks the packed package as an ES module consumer (tests/npm.test.mjs runs tsc on it with
// moduleResolution bundler, node16 and nodenext, from a fresh app with the tarball installed).
import init, { Access, EntitleError, authorize, type Decision, type ErrorCode, type State } from "@entitle/rules";
import { execute, type Outcome } from "@entitle/rules/full";
import * as bundler from "@entitle/rules/bundler";

export async function decide(state: State): Promise<Decision> {
  await init();
  const access = new Access(state, "a");
  const allowed: boolean = access.can("contract.view", "contract", "c", new Date().toISOString());
  access.free();
  const outcome: Outcome = execute(state, { type: "createProject", name: "P", kind: null }, { actor: "a", now: "2026-01-01T00:00:00Z", fresh: [] });
  const second: Decision = bundler.authorize(state, "a", "contract.view", { type: "contract", id: "c" }, "2026-01-01T00:00:00Z");
  return allowed && outcome.events.length >= 0 ? second : authorize(state, "a", "contract.view", { type: "contract", id: "c" }, "2026-01-01T00:00:00Z");
}

export function code(error: unknown): ErrorCode | undefined {
  return error instanceof EntitleError ? error.code : undefined;
}
