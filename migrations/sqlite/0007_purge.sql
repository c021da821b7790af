-- Purge of persons' data (annex 2.7), SQLite. Keep equivalent to migrations/postgres/0007_purge.sql.
--
-- When an announcement closed longer than the retention period is purged, its persons' data
-- leave the database: its person references are cleared, its particulars become '{}', and this
-- column says when (src/store/purge.rs). Its state and history remain.
ALTER TABLE announcements ADD COLUMN purged_at TEXT;
