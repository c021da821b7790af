-- Announcements, transmissions, acknowledgements and reminders are never deleted (SQLite).
-- Keep equivalent to migrations/postgres/0024_kept_rows.sql.
--
-- Nothing in arcgw deletes them (the purge empties an announcement's personal data and keeps
-- the row: src/store/purge.rs); these triggers make that a rule of the database, so that a row
-- referring to one of them can never lose it. PostgreSQL drops, with the same rule, the foreign
-- keys of the rows written for every announcement (their per-row check locks the referenced
-- row); SQLite keeps them: its check is a look-up by rowid, and dropping one would mean
-- rebuilding the table.
CREATE TRIGGER announcements_kept BEFORE DELETE ON announcements
BEGIN
    SELECT RAISE(ABORT, 'announcements rows are kept: never deleted');
END;
CREATE TRIGGER transmissions_kept BEFORE DELETE ON transmissions
BEGIN
    SELECT RAISE(ABORT, 'transmissions rows are kept: never deleted');
END;
CREATE TRIGGER acknowledgements_kept BEFORE DELETE ON acknowledgements
BEGIN
    SELECT RAISE(ABORT, 'acknowledgements rows are kept: never deleted');
END;
CREATE TRIGGER reminders_kept BEFORE DELETE ON reminders
BEGIN
    SELECT RAISE(ABORT, 'reminders rows are kept: never deleted');
END;
