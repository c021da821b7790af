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

-- Issue 13, item 16: an entry names the transmission it answers; when that is not the
-- transmission that carried the announcement its fund and reference match, the entry is kept
-- unmatched (announcement_id NULL, not applied) with the reason here, for operators.
ALTER TABLE acknowledgement_entries ADD COLUMN mismatch TEXT;

-- Issue 13, item 15 (N. 1102, 1203): the person whose AVS number the ZAS assigned to a
-- certificate announcement sent without one. The number stays in persons only (one row per
-- number, shared when already known); person_id stays NULL, as the announcement was sent.
ALTER TABLE announcements ADD COLUMN assigned_person_id INTEGER REFERENCES persons (id);
