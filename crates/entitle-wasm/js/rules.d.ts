// The public API of @entitle/rules (decisions on loaded access snapshots, and list views). Data types
// are generated from the Rust types of entitle-rules into ./types.d.ts.
import type {
  Account, ActionName, CommandErrorCode, ContractView, Decision, DelegatesView, License, ProjectView, ReasonCode,
  Resource, ResourceType, State, Ticket, TransferView,
} from "./types.js";

export type * from "./types.js";

/**
 * Every code an {@link EntitleError} may carry: the codes of the rules' command errors and deny
 * reasons (the same codes the HTTP API answers with), and the package's own.
 */
export type ErrorCode =
  | CommandErrorCode
  | ReasonCode
  /** The action name is not one of {@link ActionName}. */
  | "unknown_action"
  /** The action applies to another type of resource. */
  | "action_resource_mismatch"
  /** A freed {@link Access} was used. */
  | "access_freed"
  /** The module was used before `await init()` (web entry). */
  | "not_initialized"
  /** An answer could not be encoded (a bug: please report it). */
  | "encoding_failed"
  /** The WebAssembly module stopped (a bug: please report it). */
  | "internal_error";

/** The error every export throws. */
export declare class EntitleError extends Error {
  /** The stable code, shared with the HTTP API's problem+json `code`. */
  readonly code: ErrorCode;
  /** The HTTP status the entitle worker answers with for the same error. */
  readonly status: number;
  constructor(code: ErrorCode, message: string, status: number);
}

/** What {@link init} and {@link initSync} accept (web entry; elsewhere they do nothing). */
export type InitInput =
  | { module_or_path: RequestInfo | URL | Response | BufferSource | WebAssembly.Module | Promise<Response> }
  | RequestInfo
  | URL
  | Response
  | BufferSource
  | WebAssembly.Module
  | Promise<Response>;

/**
 * Loads the WebAssembly module. Web entry: call it once before anything else; with no argument
 * it fetches `entitle_wasm_bg.wasm` next to the module. Bundler and Node entries load the module
 * on import, and this resolves at once.
 */
export default function init(options?: InitInput): Promise<void>;

/** Loads the WebAssembly module synchronously from its bytes or a compiled `WebAssembly.Module`. */
export declare function initSync(options?: { module: BufferSource | WebAssembly.Module } | BufferSource | WebAssembly.Module): void;

/**
 * Decides whether `accountId` may do `action` to `resource` in `state` at `now` (RFC 3339).
 * Deny is an answer (`allowed: false` with reasons); it throws only for a malformed question.
 */
export declare function authorize(
  state: State,
  accountId: string,
  action: ActionName,
  resource: Resource,
  now: string,
): Decision;

/**
 * The projects the account owns or that are shared with it at `now` (RFC 3339; the current
 * time when left out): a recipient's only while its share's window is open.
 */
export declare function projects(state: State, accountId: string, now?: string): ProjectView[];

/** The licenses on a project the account may see at `now`; throws `project_not_found` otherwise. */
export declare function projectLicenses(state: State, accountId: string, projectId: string, now?: string): License[];

/** The licenses the account owns or created (as a reseller), as they stand at `now`. */
export declare function licenses(state: State, accountId: string, now?: string): License[];

/** The contracts the account owns or is a delegate on at `now`. */
export declare function contracts(state: State, accountId: string, now?: string): ContractView[];

/** One contract as the account sees it at `now`; throws `contract_not_found` otherwise. */
export declare function contract(state: State, accountId: string, contractId: string, now?: string): ContractView;

/** The contract's tickets the account may read at `now`; throws `contract_not_found` otherwise. */
export declare function tickets(state: State, accountId: string, contractId: string, now?: string): Ticket[];

/** The contract's delegates and invitations, for its owner; throws for anyone else. */
export declare function delegates(state: State, accountId: string, contractId: string, now: string): DelegatesView;

/** The transfers the account requested, sends or receives, with their status at `now`. */
export declare function transfers(state: State, accountId: string, now: string): TransferView[];

/** The customers a reseller manages. */
export declare function customers(state: State, accountId: string): Account[];

/**
 * An access snapshot (the `state` of `GET /v1/me/access`) loaded once into WebAssembly, for
 * many fast checks. Free it with {@link Access.free} when the page is done with it.
 */
export declare class Access {
  /**
   * Loads `state` for `accountId`, taken at `at` (the snapshot answer's `at`; the current time
   * when left out); throws `invalid_input` if it is not a valid snapshot.
   */
  constructor(state: State, accountId: string, at?: string);
  /**
   * When the answers on this snapshot next change: the earliest start or end of a share's or
   * delegation's window in it after `at` (RFC 3339), or `null` when none does. A page sets a
   * timer for it, then re-renders or fetches the snapshot again.
   */
  readonly validUntil: string | null;
  /** Whether the action is allowed at `now` (RFC 3339): the same answer as {@link authorize}. */
  can(action: ActionName, resourceType: ResourceType, resourceId: string, now: string): boolean;
  /** The full decision, with reasons. */
  decide(action: ActionName, resourceType: ResourceType, resourceId: string, now: string): Decision;
  /** Frees the WebAssembly memory now; using the Access afterwards throws `access_freed`. */
  free(): void;
}
