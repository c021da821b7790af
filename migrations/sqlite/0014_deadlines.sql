-- Issue 13 (sqlite). Keep equivalent to migrations/postgres/0014_deadlines.sql.
-- N. 3401, 3202: the 15 working days of "still being processed" run from the FIRST such
-- acknowledgement; a repeat does not restart them. Until now a repeat (in_progress ->
-- in_progress) moved state_since, from which the scan finds that first acknowledgement
-- (src/store/reminders.rs). Put state_since of every in_progress announcement back to the
-- time it entered in_progress from another state; the repeats stay in the history.
UPDATE announcements SET state_since = (
    SELECT MAX(h.at) FROM announcement_history h
    WHERE h.announcement_id = announcements.id AND h.state = 'in_progress'
      AND h.previous_state <> 'in_progress')
WHERE state = 'in_progress' AND EXISTS (
    SELECT 1 FROM announcement_history h
    WHERE h.announcement_id = announcements.id AND h.state = 'in_progress'
      AND h.previous_state <> 'in_progress');

