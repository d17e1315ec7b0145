-- Records were once stored with their `version` inside the JSON `data`; it now lives only in the
-- `version` column, and decoding refuses unknown fields. Strip the legacy copy.
UPDATE accounts SET data = json_remove(data, '$.version') WHERE json_type(data, '$.version') IS NOT NULL;
UPDATE products SET data = json_remove(data, '$.version') WHERE json_type(data, '$.version') IS NOT NULL;
UPDATE licenses SET data = json_remove(data, '$.version') WHERE json_type(data, '$.version') IS NOT NULL;
UPDATE orders SET data = json_remove(data, '$.version') WHERE json_type(data, '$.version') IS NOT NULL;
UPDATE projects SET data = json_remove(data, '$.version') WHERE json_type(data, '$.version') IS NOT NULL;
UPDATE shares SET data = json_remove(data, '$.version') WHERE json_type(data, '$.version') IS NOT NULL;
UPDATE contracts SET data = json_remove(data, '$.version') WHERE json_type(data, '$.version') IS NOT NULL;
UPDATE delegates SET data = json_remove(data, '$.version') WHERE json_type(data, '$.version') IS NOT NULL;
UPDATE invitations SET data = json_remove(data, '$.version') WHERE json_type(data, '$.version') IS NOT NULL;
UPDATE tickets SET data = json_remove(data, '$.version') WHERE json_type(data, '$.version') IS NOT NULL;
UPDATE transfers SET data = json_remove(data, '$.version') WHERE json_type(data, '$.version') IS NOT NULL;
