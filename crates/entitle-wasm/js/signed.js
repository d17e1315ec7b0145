// Verification of signed access snapshots (`GET /v1/me/access/signed`) with the platform's
// WebCrypto (Ed25519), in JavaScript: no signature code in the WebAssembly module. Used by
// `Access.fromSigned` (./rules.js); not exported from the package.
import { EntitleError } from "./internal.js";

/** The longest a signed snapshot lives (15 minutes): a longer one expires then all the same. */
const MAX_LIFETIME_MS = 15 * 60 * 1000;

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function fail(code, message, status) {
  return new EntitleError(code, message, status);
}

const invalidSignature = (why) => fail("signature_invalid", `the signed snapshot does not verify: ${why}`, 401);

function plainObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The bytes of canonical unpadded base64url text (the only form entitle writes); `null` otherwise. */
function fromBase64url(text) {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return null;
  let binary;
  try {
    binary = atob(text.replaceAll("-", "+").replaceAll("_", "/") + "=".repeat((4 - (text.length % 4)) % 4));
  } catch {
    return null;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  // Unused low bits must be zero: a second spelling of the same bytes is refused.
  const again = btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  return again === text ? bytes : null;
}

function subtle() {
  const crypto = globalThis.crypto?.subtle;
  if (crypto === undefined) {
    throw fail("webcrypto_unavailable", "this runtime has no WebCrypto (`crypto.subtle`): Node 20+ and current browsers do", 500);
  }
  return crypto;
}

/** Imported public keys by their `x`, so a backend checking many snapshots imports each key once. */
const imported = new Map();

async function verifyingKey(x) {
  let key = imported.get(x);
  if (key === undefined) {
    try {
      key = await subtle().importKey("jwk", { kty: "OKP", crv: "Ed25519", x }, { name: "Ed25519" }, false, ["verify"]);
    } catch (error) {
      if (error instanceof EntitleError) throw error;
      throw fail("webcrypto_unavailable", `WebCrypto could not import an Ed25519 key (${error?.message ?? error})`, 500);
    }
    if (imported.size >= 32) imported.delete(imported.keys().next().value);
    imported.set(x, key);
  }
  return key;
}

/** The one Ed25519 public key of `keys` (a JWK set) named `kid`. */
function keyNamed(keys, kid) {
  if (!plainObject(keys) || !Array.isArray(keys.keys)) {
    throw fail("invalid_input", "keys: expected the JWK set of `GET /v1/keys`, `{ keys: [...] }`", 400);
  }
  const named = keys.keys.filter((k) => plainObject(k) && k.kid === kid);
  if (named.length === 0) {
    throw fail("unknown_key", `no key \`${kid}\` in the key set: fetch \`GET /v1/keys\` again (keys rotate)`, 401);
  }
  if (named.length > 1) throw fail("unknown_key", `the key set lists \`${kid}\` more than once`, 401);
  const [key] = named;
  if ("d" in key) throw fail("invalid_input", `keys: \`${kid}\` holds a private key (\`d\`); pass the public set of \`GET /v1/keys\``, 400);
  // Only an Ed25519 verification key: another type, curve or algorithm never stands in for it.
  const usable = key.kty === "OKP" && key.crv === "Ed25519" && typeof key.x === "string"
    && fromBase64url(key.x)?.length === 32
    && (key.alg === undefined || key.alg === "EdDSA" || key.alg === "Ed25519")
    && (key.use === undefined || key.use === "sig")
    && (key.key_ops === undefined || (Array.isArray(key.key_ops) && key.key_ops.includes("verify")));
  if (!usable) throw fail("unknown_key", `the key \`${kid}\` is not an Ed25519 public key for signatures`, 401);
  return key;
}

/**
 * Checks a signed snapshot and returns what it signs. `parseTime` reads an RFC 3339 instant
 * (the rules' reading, throwing `invalid_input`); `expected` may name the store and account.
 */
export async function verifySigned(signed, keys, now, expected, parseTime) {
  if (!plainObject(signed) || typeof signed.snapshot !== "string" || typeof signed.keyId !== "string"
    || typeof signed.expiresAt !== "string") {
    throw fail("invalid_input", "signed: expected the answer of `GET /v1/me/access/signed`, `{ snapshot, keyId, expiresAt }`", 400);
  }
  if (typeof now !== "string") throw fail("invalid_input", "now: expected an RFC 3339 string", 400);
  const nowMs = parseTime(now);
  const named = (field) => expected?.[field] === undefined || typeof expected[field] === "string";
  if ((expected !== undefined && !plainObject(expected)) || !named("storeId") || !named("accountId")) {
    throw fail("invalid_input", "expected: an object such as `{ storeId, accountId }` with string values", 400);
  }
  const key = keyNamed(keys, signed.keyId);
  const parts = signed.snapshot.split(".");
  if (parts.length !== 2) throw invalidSignature("it is not `<snapshot>.<signature>`");
  const bytes = fromBase64url(parts[0]);
  const signature = fromBase64url(parts[1]);
  if (bytes === null || signature === null) throw invalidSignature("it is not base64url as entitle writes it");
  if (signature.length !== 64) throw invalidSignature("the signature is not 64 bytes");
  const ok = await subtle().verify({ name: "Ed25519" }, await verifyingKey(key.x), signature, bytes);
  if (!ok) throw invalidSignature(`the signature is not \`${signed.keyId}\`'s over these bytes`);
  let payload;
  try {
    payload = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw invalidSignature("the signed bytes are not JSON");
  }
  if (!plainObject(payload) || typeof payload.storeId !== "string" || typeof payload.accountId !== "string"
    || typeof payload.issuedAt !== "string" || typeof payload.expiresAt !== "string" || !plainObject(payload.state)) {
    throw invalidSignature("the signed JSON is not an access snapshot");
  }
  // What travels beside the signature must say what is signed.
  if (payload.keyId !== signed.keyId) throw invalidSignature("it names another key than the one that signed it");
  if (payload.expiresAt !== signed.expiresAt) throw invalidSignature("its `expiresAt` is not the signed one");
  const issued = parseTime(payload.issuedAt);
  const expires = Math.min(parseTime(payload.expiresAt), issued + MAX_LIFETIME_MS);
  if (nowMs >= expires) {
    throw fail("snapshot_expired", `the signed snapshot expired at ${new Date(expires).toISOString()}: fetch a new one`, 401);
  }
  if (typeof expected?.storeId === "string" && expected.storeId !== payload.storeId) {
    throw fail("snapshot_wrong_store", `the snapshot is of store \`${payload.storeId}\`, not \`${expected.storeId}\``, 403);
  }
  if (typeof expected?.accountId === "string" && expected.accountId !== payload.accountId) {
    throw fail("snapshot_wrong_account", `the snapshot is of account \`${payload.accountId}\`, not \`${expected.accountId}\``, 403);
  }
  return payload;
}
