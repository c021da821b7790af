-- The deadline scan (PostgreSQL). Keep equivalent to migrations/sqlite/0009_deadline_scan.sql.
-- The scan reads only the pending announcements whose deadline may have passed: those that
-- entered their state before a day (src/store/reminders.rs, pending_announcements).
CREATE INDEX announcements_pending_since ON announcements (state, state_since)
    WHERE state IN ('announced', 'in_progress');
