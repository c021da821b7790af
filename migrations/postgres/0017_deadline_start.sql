-- The start of each running deadline of N. 3401 (PostgreSQL). Keep equivalent to
-- migrations/sqlite/0017_deadline_start.sql.
--
-- deadline_start is the first day of the deadline a pending PROD announcement runs under:
-- announced, the Swiss day it was announced (7 working days); in progress, the date of the
-- first acknowledgement that said "still being processed" (15 working days, N. 3202). It is
-- NULL when no deadline runs (not pending, ABN) or when the reminder of that deadline has been
-- raised. The deadline scan reads only the rows whose start has passed, from a small index,
-- instead of every pending announcement (src/store/reminders.rs).
ALTER TABLE announcements ADD COLUMN deadline_start TEXT;

UPDATE announcements SET deadline_start = CASE state
    WHEN 'announced' THEN to_char(state_since AT TIME ZONE 'Europe/Zurich', 'YYYY-MM-DD')
    ELSE COALESCE((SELECT k.acknowledgement_date FROM acknowledgement_entries e
                   JOIN acknowledgements k ON k.id = e.acknowledgement_id
                   WHERE e.announcement_id = announcements.id AND e.processing_code = 2
                     AND k.received_at >= announcements.state_since
                   ORDER BY e.id LIMIT 1),
                  to_char(state_since AT TIME ZONE 'Europe/Zurich', 'YYYY-MM-DD')) END
WHERE environment = 'prod' AND state IN ('announced', 'in_progress')
  AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.announcement_id = announcements.id
                  AND r.rule = CASE announcements.state WHEN 'announced' THEN 'not_mentioned'
                               ELSE 'still_processing' END);

CREATE INDEX announcements_deadline_start ON announcements (state, deadline_start)
    WHERE deadline_start IS NOT NULL;

-- The revocation's reference to the RCI it revokes (migration 0015) is a foreign key into the
-- same table: indexed, so that a database checking it (SQLite on every insert of an
-- announcement, with ON CONFLICT) looks it up instead of reading every announcement.
CREATE INDEX announcements_revokes ON announcements (revokes_id);
