// The full API of @entitle/rules: everything of the default entry, plus the commands and
// accessSnapshot.
import type { Change, Command, Context, Outcome, State, StoreCommand, Sweep } from "./types.js";

export * from "./rules.js";
export { default } from "./rules.js";

/**
 * The records `accountId` may see in a whole `state` at `now` (the current time when left out):
 * what `GET /v1/me/access` returns as `state`, cut as the worker cuts it. A page loads that
 * answer into an `Access` instead.
 */
export declare function accessSnapshot(state: State, accountId: string, now?: string): State;

/**
 * The grants of a whole `state` whose window the sweep is due for at `now`: the record of a
 * `sweepWindows` store command (reminders before a window's end, and the end recorded once), as
 * the worker's cron finds them.
 */
export declare function dueWindows(state: State, now: string): Sweep;

/** Runs an account's command; throws its error (an {@link EntitleError}) with `code` and `status`. */
export declare function execute(state: State, command: Command, context: Context): Outcome;

/** Runs a store's command (imports, device state) at `now` (RFC 3339). */
export declare function executeStore(state: State, command: StoreCommand, now: string): Outcome;

/** Applies an outcome's changes to a state and returns the new state. */
export declare function applyChanges(state: State, changes: Change[]): State;
