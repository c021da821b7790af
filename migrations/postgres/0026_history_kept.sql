-- An announcement's history is never changed or deleted (PostgreSQL). Keep equivalent to
-- migrations/sqlite/0026_history_kept.sql.
--
-- The audit log records the changes of state one event per step and fund (a transmission
-- built, a sending recorded, an acknowledgement taken in, a request's announcements stored:
-- src/store/history.rs); each change of each announcement is the row of its history, written
-- in the same transaction. Like the audit log, the history is therefore append-only: nothing
-- in arcgw changes or deletes a row of it (the purge keeps it; its causes are masked when
-- written), and this trigger makes that a rule of the database.
CREATE FUNCTION announcement_history_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'announcement_history rows are kept: never deleted, never changed';
END;
$$;
CREATE TRIGGER announcement_history_kept BEFORE UPDATE OR DELETE OR TRUNCATE
    ON announcement_history FOR EACH STATEMENT EXECUTE FUNCTION announcement_history_kept();
