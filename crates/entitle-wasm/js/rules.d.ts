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
  /** {@link Access.fromSigned}: the signature does not verify over the snapshot's bytes, or the snapshot was altered. */
  | "signature_invalid"
  /** {@link Access.fromSigned}: the snapshot's `expiresAt` (at most 15 minutes after it was signed) has passed. */
  | "snapshot_expired"
  /** {@link Access.fromSigned}: the key set has no Ed25519 public key with the snapshot's `keyId` (fetch it again: keys rotate). */
  | "unknown_key"
  /** {@link Access.fromSigned}: the snapshot is of another store than `expected.storeId`. */
  | "snapshot_wrong_store"
  /** {@link Access.fromSigned}: the snapshot is of another account than `expected.accountId`. */
  | "snapshot_wrong_account"
  /** {@link Access.fromSigned}: the runtime has no WebCrypto with Ed25519. */
  | "webcrypto_unavailable"
  /** {@link watch}: the runtime has no `WebSocket` and none was given. */
  | "websocket_unavailable"
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

/** The answer of `GET /v1/me/access/signed`, as {@link Access.fromSigned} takes it. */
export interface SignedSnapshot {
  /** `<base64url of the snapshot's JSON>.<base64url of its Ed25519 signature>`. */
  snapshot: string;
  /** The id of the key that signed it (a `kid` of `GET /v1/keys`). */
  keyId: string;
  /** When it stops being valid (RFC 3339), at most 15 minutes after it was signed. */
  expiresAt: string;
}

/** A public key of `GET /v1/keys`: an Ed25519 JWK (RFC 8037). */
export interface SigningPublicKey {
  kty: "OKP";
  crv: "Ed25519";
  kid: string;
  /** The public key, base64url. */
  x: string;
  use?: "sig";
  alg?: "EdDSA";
}

/** The JWK set of `GET /v1/keys`. */
export interface SigningKeySet {
  keys: SigningPublicKey[];
}

/** What a caller of {@link Access.fromSigned} requires of the snapshot, beyond its signature. */
export interface SignedExpectation {
  /** The store the snapshot must be of (`snapshot_wrong_store` otherwise). */
  storeId?: string;
  /** The account the snapshot must be for (`snapshot_wrong_account` otherwise). */
  accountId?: string;
}

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
  /**
   * Checks a signed snapshot (the whole answer of `GET /v1/me/access/signed`) with the JWK set of
   * `GET /v1/keys` at `now` (RFC 3339), with WebCrypto's Ed25519, and loads it: it then decides
   * exactly as `new Access(state, accountId)` on the same snapshot. Rejects with an
   * {@link EntitleError}: `signature_invalid` (other bytes, a truncated or re-encoded snapshot, a
   * field beside it that is not the signed one), `unknown_key` (no Ed25519 key with its `keyId`;
   * a key of another type or curve is never used), `snapshot_expired`, `snapshot_wrong_store` and
   * `snapshot_wrong_account` (when `expected` names them), `invalid_input`.
   */
  static fromSigned(signed: SignedSnapshot, keys: SigningKeySet, now: string, expected?: SignedExpectation): Promise<Access>;
  /** The account the snapshot is for; for a signed one, the account it was signed for. */
  readonly accountId: string;
  /** The store of a signed snapshot; `null` for one loaded with `new Access`. */
  readonly storeId: string | null;
  /** When a signed snapshot was signed (RFC 3339); `null` for one loaded with `new Access`. */
  readonly issuedAt: string | null;
  /** When a signed snapshot stops being valid (RFC 3339); `null` for one loaded with `new Access`. */
  readonly expiresAt: string | null;
  /** The key that signed a signed snapshot; `null` for one loaded with `new Access`. */
  readonly keyId: string | null;
  /** Whether the action is allowed at `now` (RFC 3339): the same answer as {@link authorize}. */
  can(action: ActionName, resourceType: ResourceType, resourceId: string, now: string): boolean;
  /** The full decision, with reasons. */
  decide(action: ActionName, resourceType: ResourceType, resourceId: string, now: string): Decision;
  /** Frees the WebAssembly memory now; using the Access afterwards throws `access_freed`. */
  free(): void;
}

/** A message of `GET /v1/me/access/live`: the account's access changed; fetch the snapshot again. */
export interface LiveChange {
  type: "changed";
  /** When the change committed (RFC 3339); `null` when `watch` reconnected without a `since` and cannot tell. */
  at: string | null;
}

/** Options of {@link watch}. */
export interface WatchOptions {
  /**
   * The `at` of the snapshot the page holds (RFC 3339), or a function giving it at each
   * connection: a change missed while disconnected is then told at once. Without it, every
   * reconnection calls `onChange` with `at: null`.
   */
  since?: string | (() => string | null | undefined);
  /** The WebSocket constructor; the runtime's by default (Node 20 has none: pass undici's or ws's). */
  WebSocket?: new (url: string, protocols: string[]) => object;
  /** The first reconnection's delay (500 ms); each failure doubles it, with jitter. */
  minDelayMs?: number;
  /** The longest delay between reconnections (30 s). */
  maxDelayMs?: number;
  /** Told of the connection's state, for a page that shows it. */
  onStatus?: (status: "connecting" | "open" | "closed" | "waiting" | "stopped") => void;
}

/**
 * Watches the account's access: calls `onChange` whenever it changes (a share, unshare,
 * revocation, accepted transfer, re-import), within a second of the change, so the page fetches
 * its snapshot again. `baseUrl` is the worker's URL (`https://api.example.com`; relative in a
 * page), `token` the session token or a function giving a current one (called at each
 * connection). Reconnects with exponential backoff and jitter; returns a function that stops
 * watching.
 */
export declare function watch(
  baseUrl: string,
  token: string | (() => string | Promise<string>),
  onChange: (change: LiveChange) => void,
  options?: WatchOptions,
): () => void;
