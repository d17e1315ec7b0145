-- One pending transfer per license or project, even under concurrent requests: a pending
-- transfer's subject is unique. A command that supersedes an expired one marks it expired in
-- the same batch, before inserting the new one.
ALTER TABLE transfers ADD COLUMN subject TEXT;
ALTER TABLE transfers ADD COLUMN status TEXT;
UPDATE transfers SET
  subject = CASE json_extract(data, '$.subject.type')
    WHEN 'license' THEN 'license:' || json_extract(data, '$.subject.licenseKey')
    ELSE 'project:' || json_extract(data, '$.subject.projectId') END,
  status = json_extract(data, '$.status');
CREATE INDEX transfers_subject ON transfers (store_id, subject);
CREATE UNIQUE INDEX transfers_one_pending ON transfers (store_id, subject) WHERE status = 'pending';
