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

-- "The transfers an account requested".
CREATE INDEX transfers_requested_by ON transfers (store_id, requested_by);

-- Unsharing keeps the row as a tombstone whose version keeps counting: a share removed and made
-- again never shows a version a concurrent command's guard saw before.
ALTER TABLE shares ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
CREATE INDEX shares_project ON shares (store_id, project_id);
