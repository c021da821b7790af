-- Reminders of N. 3401 (SQLite). Keep equivalent to migrations/postgres/0004_reminders.sql.
--
-- A reminder records that a deadline of a pending announcement passed: its rule
-- ('not_mentioned', 'still_processing'), the deadline's last working day (YYYY-MM-DD), when the
-- scan raised it, and since when the announcement was in the state the rule watches
-- ('announced', 'in_progress': its state_since at raising). It is resolved from the history:
-- the first change that took the announcement out of that state at or after that time
-- (src/store/reminders.rs). '' sorts before every time: a row of before this migration (there
-- are none) is resolved by any such change.
ALTER TABLE reminders ADD COLUMN due_date TEXT NOT NULL DEFAULT '';
ALTER TABLE reminders ADD COLUMN state_since TEXT NOT NULL DEFAULT '';

-- The pending announcements, read by id a page at a time by the deadline scan.
CREATE INDEX announcements_pending ON announcements (id) WHERE state IN ('announced', 'in_progress');
