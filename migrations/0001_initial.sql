-- entitle's schema. Every table is partitioned by store_id: one deployment serves many stores
-- and no query crosses stores. Each record is stored whole as JSON in `data`, beside the
-- columns queries filter on; `version` counts writes for optimistic concurrency.

CREATE TABLE accounts (
  store_id TEXT NOT NULL,
  id TEXT NOT NULL,
  email TEXT NOT NULL,
  managed_by TEXT,
  company_id TEXT,
  version INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (store_id, id)
);
CREATE UNIQUE INDEX accounts_email ON accounts (store_id, email);
CREATE INDEX accounts_managed_by ON accounts (store_id, managed_by);
CREATE INDEX accounts_company ON accounts (store_id, company_id);

CREATE TABLE products (
  store_id TEXT NOT NULL,
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (store_id, id)
);

CREATE TABLE licenses (
  store_id TEXT NOT NULL,
  license_key TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  project_id TEXT,
  created_by TEXT,
  version INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (store_id, license_key)
);
CREATE INDEX licenses_owner ON licenses (store_id, owner_id);
CREATE INDEX licenses_project ON licenses (store_id, project_id);
CREATE INDEX licenses_created_by ON licenses (store_id, created_by);

CREATE TABLE orders (
  store_id TEXT NOT NULL,
  id TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  billing_account_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (store_id, id)
);
CREATE INDEX orders_owner ON orders (store_id, owner_id);
CREATE INDEX orders_billing ON orders (store_id, billing_account_id);

CREATE TABLE projects (
  store_id TEXT NOT NULL,
  id TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (store_id, id)
);
CREATE INDEX projects_owner ON projects (store_id, owner_id);

CREATE TABLE shares (
  store_id TEXT NOT NULL,
  project_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (store_id, project_id, account_id)
);
CREATE INDEX shares_account ON shares (store_id, account_id);

CREATE TABLE contracts (
  store_id TEXT NOT NULL,
  id TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (store_id, id)
);
CREATE INDEX contracts_owner ON contracts (store_id, owner_id);

CREATE TABLE delegates (
  store_id TEXT NOT NULL,
  contract_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  status TEXT NOT NULL,
  version INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (store_id, contract_id, account_id)
);
CREATE INDEX delegates_account ON delegates (store_id, account_id);

CREATE TABLE invitations (
  store_id TEXT NOT NULL,
  id TEXT NOT NULL,
  contract_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  email TEXT NOT NULL,
  status TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  version INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (store_id, id)
);
CREATE INDEX invitations_contract ON invitations (store_id, contract_id);
CREATE INDEX invitations_account ON invitations (store_id, account_id);
CREATE INDEX invitations_token ON invitations (store_id, token_hash);
-- One pending invitation per address and contract, even under concurrent invites.
CREATE UNIQUE INDEX invitations_one_pending ON invitations (store_id, contract_id, email) WHERE status = 'pending';

CREATE TABLE tickets (
  store_id TEXT NOT NULL,
  id TEXT NOT NULL,
  contract_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (store_id, id)
);
CREATE INDEX tickets_contract ON tickets (store_id, contract_id);

CREATE TABLE transfers (
  store_id TEXT NOT NULL,
  id TEXT NOT NULL,
  from_id TEXT NOT NULL,
  to_id TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  version INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (store_id, id)
);
CREATE INDEX transfers_from ON transfers (store_id, from_id);
CREATE INDEX transfers_to ON transfers (store_id, to_id);

-- The audit trail: append-only, written in the same batch as the change it records.
CREATE TABLE events (
  cursor INTEGER PRIMARY KEY AUTOINCREMENT,
  store_id TEXT NOT NULL,
  type TEXT NOT NULL,
  at TEXT NOT NULL,
  actor_id TEXT,
  payload TEXT NOT NULL
);
CREATE INDEX events_store ON events (store_id, cursor);

-- Optimistic concurrency: a write batch inserts COUNT(*) of rows still at the version it read;
-- anything but 1 fails the CHECK and rolls the whole batch back. Emptied at the end of each batch.
CREATE TABLE guards (ok INTEGER NOT NULL CHECK (ok = 1));
