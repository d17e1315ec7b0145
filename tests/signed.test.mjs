// Signed snapshots (issue 24): GET /v1/me/access/signed and GET /v1/keys over HTTP in Miniflare,
// key rotation with the test clock, and Access.fromSigned in the npm package: it decides as
// `new Access` on the same snapshot, and refuses every forgery with a stable code.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { generateKeyPairSync, sign as nodeSign, verify as nodeVerify, createPublicKey } from "node:crypto";
import { join } from "node:path";
import { startWorker, client, root, signingKey, undocumented } from "./support/worker.mjs";

const require = createRequire(import.meta.url);
const npm = join(root, "crates/entitle-wasm/npm/dist");
const { Access, EntitleError } = await import(join(npm, "node/index.mjs"));
const cjs = require(join(npm, "node/index.js"));
const full = require(join(npm, "full/node/index.js"));

const NOW = "2026-03-01T10:00:00.000Z";
const LATER = (ms) => new Date(Date.parse(NOW) + ms).toISOString();
const MINUTE = 60_000;

let worker;
let call;

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const b64url = (bytes) => Buffer.from(bytes).toString("base64url");
const fromB64url = (text) => Buffer.from(text, "base64url");

async function session(key, accountId) {
  const r = await call("POST", "/v1/sessions", { token: key, body: { accountId }, now: NOW });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.token;
}

/** Imports a small world into a store: `owner` owns project p1 shared with `rec`, and contract c1. */
async function seed(key, prefix) {
  const put = async (path, body) => {
    const r = await call("PUT", path, { token: key, body, now: NOW });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  };
  await put(`/v1/accounts/owner`, { email: `owner@${prefix}.example`, name: "Owner", kind: "customer" });
  await put(`/v1/accounts/rec`, { email: `rec@${prefix}.example`, name: "Recipient", kind: "customer" });
  await put(`/v1/products/hosting`, { name: "Hosting", family: "hosting", billing: "recurring" });
  await put(`/v1/contracts/c1`, { ownerId: "owner", productId: "hosting", status: "active", registeredAt: NOW, billing: "recurring" });
  const owner = await session(key, "owner");
  const project = await call("POST", "/v1/projects", { token: owner, body: { name: "Shop" }, now: NOW });
  assert.equal(project.status, 201, JSON.stringify(project.body));
  const share = await call("POST", `/v1/projects/${project.body.projectId}/shares`, { token: owner, body: { email: `rec@${prefix}.example` }, now: NOW });
  assert.equal(share.status, 201, JSON.stringify(share.body));
  return { owner, project: project.body.projectId };
}

let a; // store A: its owner's session, project, signed snapshot and key set
let keys;

before(async () => {
  worker = await startWorker();
  call = client(worker.url);
  a = await seed(worker.keys.storeA, "a");
  a.signed = (await call("GET", "/v1/me/access/signed", { token: a.owner, now: NOW })).body;
  keys = (await call("GET", "/v1/keys")).body;
});
after(async () => worker?.stop());

/** The promise rejects with an EntitleError of `code` (and `status`). */
async function rejects(promise, code, status) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof EntitleError, `${error?.name}: ${error?.message}`);
    assert.equal(error.code, code, error.message);
    if (status) assert.equal(error.status, status);
    return true;
  });
}

/** The signed JSON of an answer, parsed. */
const payloadOf = (signed) => JSON.parse(fromB64url(signed.snapshot.split(".")[0]));

/** A snapshot signed locally with `privateKey` (Node's crypto), as the worker would sign `payload`. */
function forge(payload, privateKey, keyId = payload.keyId) {
  const bytes = Buffer.from(JSON.stringify(payload));
  return { snapshot: `${b64url(bytes)}.${b64url(nodeSign(null, bytes, privateKey))}`, keyId, expiresAt: payload.expiresAt };
}

/** The harness's signing key as a Node KeyObject: tests sign with it as the worker does. */
const workerKey = () => ({ key: worker.signingKeys[0].privateKey, format: "jwk" });

test("GET /v1/keys lists the signing key as an Ed25519 JWK set, publicly, cached 5 minutes", async () => {
  const r = await call("GET", "/v1/keys");
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("cache-control"), "public, max-age=300");
  const [configured] = worker.signingKeys;
  assert.deepEqual(r.body, { keys: [{ kty: "OKP", crv: "Ed25519", kid: configured.kid, x: configured.privateKey.x, use: "sig", alg: "EdDSA" }] });
  assert.ok(!JSON.stringify(r.body).includes(configured.privateKey.d), "the private key never leaves");
});

test("GET /v1/me/access/signed signs the snapshot of GET /v1/me/access with storeId, accountId, issuedAt and a 15-minute expiresAt", async () => {
  const r = await call("GET", "/v1/me/access/signed", { token: a.owner, now: NOW });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.headers.get("cache-control"), "no-store");
  const { snapshot, keyId, expiresAt } = r.body;
  assert.deepEqual(Object.keys(r.body).sort(), ["expiresAt", "keyId", "snapshot"]);
  assert.equal(keyId, worker.signingKeys[0].kid);
  assert.match(snapshot, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/);
  const [body, signature] = snapshot.split(".");
  // The signature is over the JSON's bytes, checked here with Node's own crypto.
  const publicKey = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: keys.keys[0].x }, format: "jwk" });
  assert.ok(nodeVerify(null, fromB64url(body), publicKey, fromB64url(signature)));
  const payload = payloadOf(r.body);
  assert.equal(payload.storeId, "store-a");
  assert.equal(payload.accountId, "owner");
  assert.equal(payload.keyId, keyId);
  assert.equal(payload.issuedAt, NOW);
  assert.equal(payload.expiresAt, LATER(15 * MINUTE));
  assert.equal(expiresAt, payload.expiresAt);
  const plain = await call("GET", "/v1/me/access", { token: a.owner, now: NOW });
  for (const field of ["accountId", "account", "at", "state"]) assert.deepEqual(payload[field], plain.body[field], field);
  // Scoped like GET /v1/me/access.
  const scoped = await call("GET", `/v1/me/access/signed?resource=project:${a.project}`, { token: a.owner, now: NOW });
  assert.equal(scoped.status, 200);
  assert.deepEqual(payloadOf(scoped.body).state.projects.map((p) => p.id), [a.project]);
  assert.equal((await call("GET", "/v1/me/access/signed?resource=nope", { token: a.owner, now: NOW })).body.code, "invalid_resource");
  assert.equal((await call("GET", "/v1/me/access/signed?x=1", { token: a.owner, now: NOW })).body.code, "invalid_query");
  // A session is needed: none, or the store key, is refused.
  assert.equal((await call("GET", "/v1/me/access/signed")).body.code, "missing_credentials");
  assert.equal((await call("GET", "/v1/me/access/signed", { token: worker.keys.storeA })).body.code, "session_required");
});

test("Access.fromSigned decides exactly as new Access on the same snapshot, and says whose it is", async () => {
  const access = await Access.fromSigned(a.signed, keys, LATER(MINUTE));
  const payload = payloadOf(a.signed);
  const plain = new Access(payload.state, payload.accountId);
  assert.equal(access.accountId, "owner");
  assert.equal(access.storeId, "store-a");
  assert.equal(access.keyId, worker.signingKeys[0].kid);
  assert.equal(access.issuedAt, NOW);
  assert.equal(access.expiresAt, LATER(15 * MINUTE));
  assert.equal(plain.storeId, null);
  assert.equal(plain.accountId, "owner");
  const questions = [
    ["project.share", "project", a.project], ["project.transfer", "project", a.project], ["project.view", "project", "nope"],
    ["contract.delegates.manage", "contract", "c1"], ["contract.billing.view", "contract", "c1"], ["license.view", "license", "L-1"],
  ];
  for (const [action, type, id] of questions) {
    assert.deepEqual(access.decide(action, type, id, NOW), plain.decide(action, type, id, NOW), action);
    assert.equal(access.can(action, type, id, NOW), plain.can(action, type, id, NOW), action);
  }
  assert.ok(access.can("project.share", "project", a.project, NOW));
  // The same from CommonJS and from the full entry, and with the expected store and account named.
  const viaCjs = await cjs.Access.fromSigned(a.signed, keys, NOW, { storeId: "store-a", accountId: "owner" });
  assert.ok(viaCjs.can("project.share", "project", a.project, NOW));
  assert.ok((await full.Access.fromSigned(a.signed, keys, NOW)).can("contract.view", "contract", "c1", NOW));
  access.free();
  plain.free();
});

test("fromSigned refuses a signature over other bytes, a truncated or re-encoded snapshot (signature_invalid)", async () => {
  const { snapshot, keyId, expiresAt } = a.signed;
  const [body, signature] = snapshot.split(".");
  const payload = payloadOf(a.signed);
  const bytes = fromB64url(body);
  const cases = {
    "another account's claims, the owner's signature": `${b64url(Buffer.from(JSON.stringify({ ...payload, accountId: "rec" })))}.${signature}`,
    "one byte changed": `${b64url(Buffer.concat([bytes.subarray(0, 20), Buffer.from([bytes[20] ^ 1]), bytes.subarray(21)]))}.${signature}`,
    "the JSON re-encoded (same content, other bytes)": `${b64url(Buffer.from(JSON.stringify(payload, null, 1)))}.${signature}`,
    "the snapshot truncated": `${body.slice(0, -8)}.${signature}`,
    "the signature truncated": `${body}.${signature.slice(0, -2)}`,
    "no signature": body,
    "an empty signature": `${body}.`,
    "three parts": `${body}.${signature}.${signature}`,
    "padded base64": `${body}==.${signature}`,
    "standard base64": `${Buffer.from(signature, "base64url").toString("base64")}`.includes("/") || Buffer.from(signature, "base64url").toString("base64").includes("+")
      ? `${body}.${Buffer.from(signature, "base64url").toString("base64").replace(/=+$/, "")}`
      : `${body}.${signature.slice(0, -2)}+/`,
    // 64 bytes leave the last of 86 characters 4 unused bits: flipping one spells the same bytes.
    "a second spelling of the same signature bytes": `${body}.${signature.slice(0, -1)}${ALPHABET[ALPHABET.indexOf(signature.at(-1)) ^ 1]}`,
    "whitespace around": ` ${body}.${signature} `,
  };
  // Node itself reads that second spelling as the very same signature: only the canonical check refuses it.
  const respelled = cases["a second spelling of the same signature bytes"].split(".")[1];
  assert.deepEqual(fromB64url(respelled), fromB64url(signature));
  for (const [what, forged] of Object.entries(cases)) {
    assert.notEqual(forged, snapshot, what);
    await rejects(Access.fromSigned({ snapshot: forged, keyId, expiresAt }, keys, NOW), "signature_invalid", 401).catch((e) => {
      throw new Error(`${what}: ${e.message}`);
    });
  }
  // What travels beside the signature must be the signed values.
  await rejects(Access.fromSigned({ ...a.signed, expiresAt: LATER(60 * MINUTE) }, keys, NOW), "signature_invalid");
  // Signed by an attacker's own key under the real key's id.
  const attacker = generateKeyPairSync("ed25519").privateKey;
  await rejects(Access.fromSigned(forge({ ...payload, accountId: "rec" }, attacker), keys, NOW), "signature_invalid");
  // Signed by the real key, but naming another key inside.
  await rejects(Access.fromSigned(forge({ ...payload, keyId: "other" }, workerKey(), keyId), keys, NOW), "signature_invalid");
  // Signed bytes that are not a snapshot.
  const junk = Buffer.from("not json");
  const junkSigned = { snapshot: `${b64url(junk)}.${b64url(nodeSign(null, junk, workerKey()))}`, keyId, expiresAt };
  await rejects(Access.fromSigned(junkSigned, keys, NOW), "signature_invalid");
});

test("fromSigned refuses another store's or account's snapshot where the caller names the one it expects", async () => {
  await seed(worker.keys.storeB, "b");
  const other = await session(worker.keys.storeB, "owner"); // same account id, another store
  const storeB = (await call("GET", "/v1/me/access/signed", { token: other, now: NOW })).body;
  assert.equal(payloadOf(storeB).storeId, "store-b");
  await rejects(Access.fromSigned(storeB, keys, NOW, { storeId: "store-a" }), "snapshot_wrong_store", 403);
  await rejects(Access.fromSigned(storeB, keys, NOW, { storeId: "store-a", accountId: "owner" }), "snapshot_wrong_store");
  const recipient = (await call("GET", "/v1/me/access/signed", { token: await session(worker.keys.storeA, "rec"), now: NOW })).body;
  await rejects(Access.fromSigned(recipient, keys, NOW, { storeId: "store-a", accountId: "owner" }), "snapshot_wrong_account", 403);
  // Named rightly, both load; naming nothing loads whatever the signature covers.
  assert.equal((await Access.fromSigned(recipient, keys, NOW, { storeId: "store-a", accountId: "rec" })).accountId, "rec");
  assert.equal((await Access.fromSigned(storeB, keys, NOW)).storeId, "store-b");
  await rejects(Access.fromSigned(recipient, keys, NOW, { accountId: 7 }), "invalid_input", 400);
  await rejects(Access.fromSigned(recipient, keys, NOW, "owner"), "invalid_input", 400);
});

test("fromSigned refuses an unlisted kid and any key that is not an Ed25519 verification key (unknown_key)", async () => {
  const [listed] = keys.keys;
  const { kid, x } = listed;
  await rejects(Access.fromSigned(a.signed, { keys: [] }, NOW), "unknown_key", 401);
  await rejects(Access.fromSigned({ ...a.signed, keyId: "retired-long-ago" }, keys, NOW), "unknown_key");
  const tricks = {
    "alg none": { ...listed, alg: "none" },
    "an HMAC key under the kid": { kty: "oct", kid, k: b64url(Buffer.from("secret")), alg: "HS256" },
    "an X25519 key": { ...listed, crv: "X25519" },
    "an EC key": { kty: "EC", crv: "P-256", kid, x, y: x },
    "an Ed448 key": { ...listed, crv: "Ed448" },
    "for encryption": { ...listed, use: "enc" },
    "sign only": { ...listed, key_ops: ["sign"] },
    "x of 31 bytes": { ...listed, x: b64url(fromB64url(x).subarray(1)) },
    "x missing": { kty: "OKP", crv: "Ed25519", kid },
  };
  for (const [what, key] of Object.entries(tricks)) {
    await rejects(Access.fromSigned(a.signed, { keys: [key] }, NOW), "unknown_key").catch((e) => {
      throw new Error(`${what}: ${e.message}`);
    });
  }
  await rejects(Access.fromSigned(a.signed, { keys: [listed, listed] }, NOW), "unknown_key");
  // Another, well-formed Ed25519 key under the kid: the signature does not verify.
  const stranger = generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" });
  await rejects(Access.fromSigned(a.signed, { keys: [{ ...stranger, kid }] }, NOW), "signature_invalid");
  // Other keys in the set do not matter.
  assert.ok(await Access.fromSigned(a.signed, { keys: [{ kty: "oct", kid: "hmac", k: "c2VjcmV0" }, { ...stranger, kid: "next" }, listed] }, NOW));
  // A private key in a verifier's key set is a mistake worth stopping.
  await rejects(Access.fromSigned(a.signed, { keys: [worker.signingKeys[0].privateKey].map((k) => ({ ...k, kid })) }, NOW), "invalid_input", 400);
});

test("fromSigned refuses an expired snapshot, and never trusts a lifetime beyond 15 minutes (snapshot_expired)", async () => {
  assert.ok(await Access.fromSigned(a.signed, keys, LATER(15 * MINUTE - 1)));
  await rejects(Access.fromSigned(a.signed, keys, LATER(15 * MINUTE)), "snapshot_expired", 401);
  await rejects(Access.fromSigned(a.signed, keys, "2027-01-01T00:00:00Z"), "snapshot_expired");
  const longLived = forge({ ...payloadOf(a.signed), expiresAt: LATER(24 * 60 * MINUTE) }, workerKey());
  assert.ok(await Access.fromSigned(longLived, keys, LATER(14 * MINUTE)), "signed by the real key, within 15 minutes");
  await rejects(Access.fromSigned(longLived, keys, LATER(16 * MINUTE)), "snapshot_expired");
});

test("fromSigned refuses malformed arguments with invalid_input, never a TypeError", async () => {
  const cases = [
    [null, keys, NOW], ["snapshot", keys, NOW], [{ snapshot: 1, keyId: "k", expiresAt: NOW }, keys, NOW],
    [{ ...a.signed, keyId: undefined }, keys, NOW], [a.signed, null, NOW], [a.signed, [], NOW], [a.signed, { keys: {} }, NOW],
    [a.signed, keys, new Date()], [a.signed, keys, "yesterday"], [a.signed, keys, undefined],
  ];
  for (const args of cases) await rejects(Access.fromSigned(...args), "invalid_input", 400);
});

test("keys rotate: a key is listed before it signs, signs once the old one retires, and the old one is listed 15 minutes more", async () => {
  const [k1, k2] = [signingKey("k1"), signingKey("k2")];
  const retiredAt = LATER(60 * MINUTE);
  const rotating = await startWorker({ bindings: { SIGNING_KEYS: JSON.stringify([{ ...k1, retiredAt }, k2]) } });
  try {
    const r = client(rotating.url);
    await r("PUT", "/v1/accounts/u", { token: rotating.keys.storeA, body: { email: "u@x.example", name: "U", kind: "customer" } });
    const token = (await r("POST", "/v1/sessions", { token: rotating.keys.storeA, body: { accountId: "u" }, now: LATER(59 * MINUTE) })).body.token;
    const at = async (now) => {
      const signed = (await r("GET", "/v1/me/access/signed", { token, now })).body;
      const listed = (await r("GET", "/v1/keys", { now })).body;
      return { signed, listed, kids: listed.keys.map((k) => k.kid) };
    };
    const before = await at(LATER(60 * MINUTE - 1));
    assert.equal(before.signed.keyId, "k1");
    assert.deepEqual(before.kids, ["k1", "k2"]);
    const after = await at(retiredAt);
    assert.equal(after.signed.keyId, "k2");
    assert.deepEqual(after.kids, ["k1", "k2"]);
    // A snapshot k1 signed just before it retired still checks against the later key set.
    assert.ok(await Access.fromSigned(before.signed, after.listed, LATER(70 * MINUTE)));
    const gone = await at(LATER(75 * MINUTE));
    assert.deepEqual(gone.kids, ["k2"]);
    assert.ok(await Access.fromSigned(gone.signed, gone.listed, LATER(75 * MINUTE)));
    await rejects(Access.fromSigned(before.signed, gone.listed, LATER(74 * MINUTE)), "unknown_key");
  } finally {
    await rotating.stop();
  }
});

test("a misconfigured or missing key answers 500 and signs nothing; the key set is then empty", async () => {
  const good = signingKey("bad");
  const other = generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" });
  const mismatched = { kid: "bad", privateKey: { ...good.privateKey, x: other.x } };
  for (const bindings of [{ SIGNING_KEYS: JSON.stringify([mismatched]) }, { SIGNING_KEYS: "not json" }, { SIGNING_KEYS: "[]" }]) {
    const w = await startWorker({ bindings });
    try {
      const r = client(w.url);
      await r("PUT", "/v1/accounts/u", { token: w.keys.storeA, body: { email: "u@x.example", name: "U", kind: "customer" } });
      const token = (await r("POST", "/v1/sessions", { token: w.keys.storeA, body: { accountId: "u" } })).body.token;
      const signed = await r("GET", "/v1/me/access/signed", { token });
      assert.equal(signed.status, 500, JSON.stringify(signed.body));
      assert.equal(signed.body.code, "internal_error");
      assert.ok(!JSON.stringify(signed.body).includes(good.privateKey.d));
      const listed = await r("GET", "/v1/keys");
      if (bindings.SIGNING_KEYS === "not json") assert.equal(listed.status, 500);
      else assert.equal(listed.status, 200);
    } finally {
      await w.stop();
    }
  }
});

test("every answer of these routes is documented in openapi.json", () => {
  assert.deepEqual(undocumented().filter((u) => /\/v1\/(keys|me\/access)/.test(u)), []);
});

test("the package README's Node backend snippet checks a snapshot as written", async () => {
  const { readFileSync, writeFileSync, mkdirSync } = await import("node:fs");
  const readme = readFileSync(join(root, "crates/entitle-wasm/npm/README.md"), "utf8");
  const section = readme.split("### In a Node backend")[1]?.split("### ")[0] ?? "";
  const code = section.match(/```js\n([\s\S]*?)```/)?.[1] ?? "";
  assert.ok(code.includes("export async function accessOf"), "the README's snippet exports accessOf");
  // The snippet up to its example handler, pointed at this worker and this build.
  const module = code.split("// In a request handler")[0]
    .replace('"@entitle/rules"', JSON.stringify(join(npm, "node/index.mjs")))
    .replaceAll("https://api.example.com", worker.url)
    .replaceAll('storeId: "shop"', 'storeId: "store-a"');
  const dir = join(root, "tests/.tmp");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `readme-backend-${process.pid}.mjs`);
  writeFileSync(file, module);
  const { accessOf } = await import(file);
  // The snippet reads the real clock: a snapshot signed now, with a session made now.
  const token = (await call("POST", "/v1/sessions", { token: worker.keys.storeA, body: { accountId: "owner" } })).body.token;
  const signed = (await call("GET", "/v1/me/access/signed", { token })).body;
  const access = await accessOf(signed, "owner");
  assert.equal(access.can("project.share", "project", a.project, new Date().toISOString()), true);
  await rejects(accessOf(signed, "rec"), "snapshot_wrong_account");
  await rejects(accessOf(a.signed, "owner"), "snapshot_expired");
});
