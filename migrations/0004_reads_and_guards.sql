-- The rules now say what each decision reads (a record by key, or the rows of one indexed
-- relation), and the store loads and guards exactly that. These columns and indexes serve the
-- relations the rules declare (crates/entitle-rules/src/read.rs); every existing row keeps its
-- data and gets its new columns from its stored JSON.

-- "The licenses an account owns of one product" (an additional license needs a primary one).
ALTER TABLE licenses ADD COLUMN product_id TEXT;
UPDATE licenses SET product_id = json_extract(data, '$.productId');
CREATE INDEX licenses_owner_product ON licenses (store_id, owner_id, product_id);

-- "The unpaid licenses reseller R created" (at most 10): the reseller while a license is unpaid.
ALTER TABLE licenses ADD COLUMN unpaid_by TEXT;
UPDATE licenses SET unpaid_by = CASE WHEN coalesce(json_extract(data, '$.customerPaid'), 0) THEN NULL
  ELSE json_extract(data, '$.createdBy') END;
CREATE INDEX licenses_unpaid_by ON licenses (store_id, unpaid_by);


-- Unsharing keeps the row as a tombstone whose version keeps counting: a share removed and made
-- again never shows a version a concurrent command's guard saw before.
ALTER TABLE shares ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;

-- Lists page in item-key order (`limit`, `after`): each account-wide relation gets an index on
-- (its column, the item key), so a page is one range scan however large the account. Each
-- replaces an index that was its prefix.
DROP INDEX licenses_owner;
CREATE INDEX licenses_owner ON licenses (store_id, owner_id, license_key);
DROP INDEX licenses_created_by;
CREATE INDEX licenses_created_by ON licenses (store_id, created_by, license_key);
DROP INDEX licenses_project;
CREATE INDEX licenses_project ON licenses (store_id, project_id, license_key);
DROP INDEX projects_owner;
CREATE INDEX projects_owner ON projects (store_id, owner_id, id);
DROP INDEX shares_account;
CREATE INDEX shares_account ON shares (store_id, account_id, project_id);
DROP INDEX contracts_owner;
CREATE INDEX contracts_owner ON contracts (store_id, owner_id, id);
DROP INDEX delegates_account;
CREATE INDEX delegates_account ON delegates (store_id, account_id, contract_id);
DROP INDEX accounts_managed_by;
CREATE INDEX accounts_managed_by ON accounts (store_id, managed_by, id);
DROP INDEX transfers_from;
CREATE INDEX transfers_from ON transfers (store_id, from_id, id);
DROP INDEX transfers_to;
CREATE INDEX transfers_to ON transfers (store_id, to_id, id);
CREATE INDEX transfers_requested_by ON transfers (store_id, requested_by, id);
DROP INDEX tickets_contract;
CREATE INDEX tickets_contract ON tickets (store_id, contract_id, id);
