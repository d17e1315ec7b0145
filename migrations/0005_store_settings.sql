-- Store settings: the origins a store's pages run on, for CORS (issue 9). One row per origin,
-- in the order the store listed them. `PUT /v1/settings` replaces a store's rows and writes its
-- `settings.updated` event in one batch.
CREATE TABLE store_origins (
  store_id TEXT NOT NULL,
  origin TEXT NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (store_id, origin)
);
-- A preflight names no store: this index answers "does any store list this origin?".
CREATE INDEX store_origins_origin ON store_origins (origin);
