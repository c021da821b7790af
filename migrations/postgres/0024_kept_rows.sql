-- Announcements, transmissions, acknowledgements and reminders are never deleted (PostgreSQL).
-- Keep equivalent to migrations/sqlite/0024_kept_rows.sql.
--
-- Nothing in arcgw deletes them (the purge empties an announcement's personal data and keeps
-- the row: src/store/purge.rs); these triggers make that a rule of the database. With it, a row
-- that refers to one of them can never lose it, and the foreign keys of the rows written for
-- every announcement, several times over its life, are dropped: on PostgreSQL each such key is
-- checked per row by a trigger that looks the referenced row up and locks it (FOR KEY SHARE),
-- about 9 µs a row here, some ten times per announcement from submission to `done`, and once
-- more for each reminder and its alert. The ids these rows carry are ids the store read from,
-- or was returned by, the tables they refer to (src/store), which stay valid since those rows
-- are never deleted; the test `kept_rows` checks that every such row still finds what it refers
-- to after the whole flow.
--
-- Kept: the keys to persons (the purge deletes a person no row refers to any more, and the key
-- is the last guard against deleting one that is still referred to), and those of rows written
-- once per transmission, acknowledgement or operator action, too few to matter.
CREATE FUNCTION kept_rows_refuse_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are kept: never deleted', TG_TABLE_NAME;
END;
$$;

CREATE TRIGGER announcements_kept BEFORE DELETE OR TRUNCATE ON announcements
    FOR EACH STATEMENT EXECUTE FUNCTION kept_rows_refuse_deletion();
CREATE TRIGGER transmissions_kept BEFORE DELETE OR TRUNCATE ON transmissions
    FOR EACH STATEMENT EXECUTE FUNCTION kept_rows_refuse_deletion();
CREATE TRIGGER acknowledgements_kept BEFORE DELETE OR TRUNCATE ON acknowledgements
    FOR EACH STATEMENT EXECUTE FUNCTION kept_rows_refuse_deletion();
CREATE TRIGGER reminders_kept BEFORE DELETE OR TRUNCATE ON reminders
    FOR EACH STATEMENT EXECUTE FUNCTION kept_rows_refuse_deletion();

-- Four per announcement (queued, sending, announced, done).
ALTER TABLE announcement_history DROP CONSTRAINT announcement_history_announcement_id_fkey;
-- Claimed into a transmission.
ALTER TABLE announcements DROP CONSTRAINT announcements_transmission_id_fkey;
-- A running deadline, from announced to done.
ALTER TABLE deadline_watch DROP CONSTRAINT deadline_watch_announcement_id_fkey;
-- The acknowledgement's entry about it.
ALTER TABLE acknowledgement_entries DROP CONSTRAINT acknowledgement_entries_announcement_id_fkey;
ALTER TABLE acknowledgement_entries
    DROP CONSTRAINT acknowledgement_entries_acknowledgement_id_fkey;
-- A reminder and its alert.
ALTER TABLE reminders DROP CONSTRAINT reminders_announcement_id_fkey;
ALTER TABLE alerts DROP CONSTRAINT alerts_reminder_id_fkey;
