// The full API of @entitle/rules: everything in ./rules.js, plus the commands and accessSnapshot,
// for those who run them in JavaScript (tests, store backends, offline tools).
import * as glue from "./entitle_rules.js";
import { call, instant, list, record, text } from "./internal.js";

export * from "./rules.js";
export { default } from "./rules.js";

/** The records `accountId` may see in a whole `state` at `now`: what `GET /v1/me/access` returns as `state`. */
export function accessSnapshot(state, accountId, now) {
  return call(glue.accessSnapshot, record(state, "state"), text(accountId, "accountId"), instant(now));
}

/** The grants of a whole `state` whose window the sweep is due for at `now`: the record of a `sweepWindows` store command. */
export function dueWindows(state, now) {
  return call(glue.dueWindows, record(state, "state"), text(now, "now"));
}

/** Runs an account's command; throws its error with `code` and `status`. */
export function execute(state, command, context) {
  return call(glue.execute, record(state, "state"), record(command, "command"), record(context, "context"));
}

/** Runs a store's command (imports, device state) at `now`. */
export function executeStore(state, command, now) {
  return call(glue.executeStore, record(state, "state"), record(command, "command"), text(now, "now"));
}

/** Applies an outcome's changes to a state and returns the new state. */
export function applyChanges(state, changes) {
  return call(glue.applyChanges, record(state, "state"), list(changes, "changes"));
}
