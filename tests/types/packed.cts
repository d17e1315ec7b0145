// Type-checks the packed package as a CommonJS consumer (node10, node16, nodenext).
import rules = require("@entitle/rules");
import full = require("@entitle/rules/full");

export function decide(state: rules.State): boolean {
  const access = new rules.Access(state, "a");
  const allowed = access.can("project.share", "project", "p1", "2026-01-01T00:00:00Z");
  access.free();
  const outcome: full.Outcome = full.execute(state, { type: "createProject", name: "P", kind: null }, { actor: "a", now: "2026-01-01T00:00:00Z", fresh: [] });
  const code: rules.ErrorCode = "access_freed";
  return allowed && outcome.changes.length >= 0 && code.length > 0;
}
