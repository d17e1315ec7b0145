// Types of worker.mjs for the TypeScript tests (tests/client): only what they use.
/** Starts the built worker in Miniflare on 127.0.0.1 with a fresh, migrated in-memory D1. */
export declare function startWorker(options?: { stores?: string[]; bindings?: Record<string, string> }): Promise<{
  url: string;
  keys: { demo: string; storeA: string; storeB: string };
  /** The `SIGNING_KEYS` entries the worker signs with: `{ kid, privateKey }` (an Ed25519 JWK). */
  signingKeys: { kid: string; privateKey: Record<string, string> }[];
  stop: () => Promise<void>;
}>;
