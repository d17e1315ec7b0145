-- Webhook endpoints a store registers (POST /v1/webhooks), and the log of delivery attempts.
-- An endpoint's signing secret is not stored: it is HMAC-SHA256(WEBHOOK_KEY, store, id, salt),
-- recomputed to sign, so the database alone cannot forge a delivery.
CREATE TABLE webhooks (
  store_id TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  url TEXT NOT NULL,
  -- A JSON array of event types, or NULL for every event.
  events TEXT,
  salt TEXT NOT NULL,
  created_at TEXT NOT NULL,
  -- The last event of the store's feed handed to the delivery queue for this endpoint.
  cursor INTEGER NOT NULL,
  PRIMARY KEY (store_id, webhook_id)
);

-- One row per attempt to deliver one event to one endpoint; deleted with the endpoint.
CREATE TABLE webhook_deliveries (
  delivery_id INTEGER PRIMARY KEY AUTOINCREMENT,
  store_id TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  event_cursor INTEGER NOT NULL,
  event_type TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  -- 'succeeded' (a 2xx within 10 seconds) or 'failed'.
  status TEXT NOT NULL,
  response_status INTEGER,
  error TEXT,
  at TEXT NOT NULL,
  duration_ms INTEGER NOT NULL,
  -- When the next attempt is due; NULL once it succeeded or was given up.
  next_attempt_at TEXT
);
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (store_id, webhook_id, delivery_id);
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (store_id, webhook_id, event_cursor);
