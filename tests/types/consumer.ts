// Type-checks the npm package's public API as a storefront would use it (tsc --noEmit).
import init, { Access, authorize, projects, type Decision, type State, type ReasonCode } from "@entitle/rules";
import { accessSnapshot, execute, type Command, type Outcome } from "@entitle/rules/full";
import * as node from "@entitle/rules/node";
import * as rules from "@entitle/rules";

export async function storefront(state: State, accountId: string): Promise<boolean> {
  await init();
  const decision: Decision = authorize(state, accountId, "contract.view", { type: "contract", id: "c1" }, new Date().toISOString());
  const reasons: ReasonCode[] = decision.reasons;
  const access = new Access(accessSnapshot(state, accountId), accountId, new Date().toISOString());
  const fast: boolean = access.can("project.share", "project", "p1", new Date().toISOString());
  // When a window starts or ends, fetch the snapshot again (or re-render).
  const until: string | null = access.validUntil;
  if (until) setTimeout(() => storefront(state, accountId), Date.parse(until) - Date.now());
  access.free();
  const command: Command = { type: "inviteDelegate", contractId: "c1", email: "dev@example.com", expiresAt: "2026-02-01T00:00:00Z" };
  const outcome: Outcome = execute(state, command, { actor: accountId, now: new Date().toISOString(), fresh: ["a".repeat(22)] });
  const names: string[] = projects(state, accountId).map((p) => p.name);
  return decision.allowed && fast && reasons.length > 0 && outcome.events.length >= 0 && names.length >= 0;
}

export function onNode(state: State): Decision {
  return node.authorize(state, "a", "license.transfer", { type: "license", id: "L-1" }, "2026-01-01T00:00:00Z");
}

// @ts-expect-error: action names are checked
authorize({}, "a", "contract.fly", { type: "contract", id: "c1" }, "2026-01-01T00:00:00Z");

// @ts-expect-error: cutting a snapshot out of a whole state is in the full entry only
rules.accessSnapshot({}, "a");

// Issue 24: signed snapshots, checked in a backend, and live changes in a page.
export async function backend(signed: rules.SignedSnapshot, keys: rules.SigningKeySet): Promise<boolean> {
  const access = await Access.fromSigned(signed, keys, new Date().toISOString(), { storeId: "shop", accountId: "a" });
  const who: string = access.accountId;
  const store: string | null = access.storeId;
  const until: string | null = access.expiresAt;
  const stop: () => void = rules.watch("https://api.example.com", async () => "token", (change: rules.LiveChange) => {
    const at: string | null = change.at;
    void at;
  }, { since: () => null, maxDelayMs: 10_000, onStatus: (status) => void status });
  stop();
  return access.can("project.view", "project", "p1", new Date().toISOString()) && who.length > 0 && store !== until;
}

export function notAwaited(signed: rules.SignedSnapshot, keys: rules.SigningKeySet): void {
  // @ts-expect-error: fromSigned checks a signature with WebCrypto, so it returns a promise
  const access: Access = Access.fromSigned(signed, keys, "2026-01-01T00:00:00Z");
  // @ts-expect-error: watch needs a callback
  rules.watch("https://api.example.com", "token");
  void access;
}
