-- The running deadlines of N. 3401 in a table of their own (SQLite). Keep equivalent to
-- migrations/postgres/0023_deadline_watch.sql.
--
-- A row is a pending PROD announcement whose deadline runs and has not been reminded:
-- announced, from the Swiss day it was announced (7 working days); in progress, from the date
-- of the first acknowledgement that said "still being processed" (15 working days, N. 3202).
-- It replaces announcements.deadline_start (migration 0017): the row is written with the
-- state change that starts the deadline and deleted by the one that ends it or by the raising
-- of its reminder. Ending a deadline no longer rewrites the announcement's wide row and every
-- index on it, and the scan reads a narrow table, whose dead rows (until a vacuum) lie on few
-- pages (src/store/reminders.rs).
CREATE TABLE deadline_watch (
    announcement_id INTEGER PRIMARY KEY REFERENCES announcements (id) ON DELETE CASCADE,
    state           TEXT NOT NULL CHECK (state IN ('announced', 'in_progress')),
    deadline_start  TEXT NOT NULL,
    fund            TEXT NOT NULL,
    state_since     TEXT NOT NULL
);

INSERT INTO deadline_watch (announcement_id, state, deadline_start, fund, state_since)
SELECT id, state, deadline_start, fund, state_since FROM announcements
WHERE deadline_start IS NOT NULL AND state IN ('announced', 'in_progress')
ORDER BY id;

CREATE INDEX deadline_watch_start ON deadline_watch (state, deadline_start);

DROP INDEX announcements_deadline_start;
ALTER TABLE announcements DROP COLUMN deadline_start;
