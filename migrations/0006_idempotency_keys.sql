-- Idempotency keys (issue 10): the first answer to a POST carrying `Idempotency-Key`, per store
-- and caller, so a retry within 24 hours gets it again instead of running the command twice.
--
-- A request claims its key before running its command (INSERT … ON CONFLICT): `claim` is a
-- random id of that request and `lease_until` the time until which it may take to answer
-- (while `status` is NULL, a retry is 409 `idempotency_key_in_use`). The answer (`status`,
-- `content_type`, `body`) is written in the same batch as the command's changes, after a guard
-- that the request still holds the claim, so a stored answer and what was written never
-- disagree. A claim whose lease ran out without an answer belongs to a request that crashed
-- and wrote nothing; the next request with that key takes it over. A row older than 24 hours
-- (`created_at`, unix milliseconds of the request's clock) is expired: it is overwritten by the
-- next use of its key, and each claim deletes a few expired rows of its store.
CREATE TABLE idempotency_keys (
  store_id TEXT NOT NULL,
  caller TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  claim TEXT NOT NULL,
  lease_until INTEGER NOT NULL,
  status INTEGER,
  content_type TEXT,
  body TEXT,
  PRIMARY KEY (store_id, caller, key)
);
-- Finds a store's expired keys for the cleanup each claim does.
CREATE INDEX idempotency_keys_created ON idempotency_keys (store_id, created_at);

-- The guard of a stored answer: a command's batch inserts `held = 1` only if its request still
-- holds the key's claim, else the CHECK fails and the whole batch (changes, events, answer)
-- rolls back. The rows are deleted at the end of the same batch.
CREATE TABLE idempotency_guards (
  held INTEGER NOT NULL,
  CONSTRAINT idempotency_claim_held CHECK (held = 1)
);
