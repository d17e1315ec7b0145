-- Access for a time (issue 23): a share and a delegation may have a window (`startsAt`,
-- `expiresAt` in the record's JSON). `due` is when the cron sweep next has something to do for
-- the window's end (a reminder 7 days or 1 day before it, or recording it): the rules compute
-- it from the record (`entitle_rules::sweep::share_due`, `delegate_due`), the store writes it
-- with every row, and the sweep finds the grants due, across the database's stores, by this
-- index, oldest first, a bounded number per run. NULL for grants without an end, once the end
-- is recorded, and for every row written before this migration (none had a window).
ALTER TABLE shares ADD COLUMN due TEXT;
CREATE INDEX shares_due ON shares (due) WHERE due IS NOT NULL;
ALTER TABLE delegates ADD COLUMN due TEXT;
CREATE INDEX delegates_due ON delegates (due) WHERE due IS NOT NULL;
