-- The two indexes of announcements that hold a reference most rows lack, partial (PostgreSQL).
-- Keep equivalent to migrations/sqlite/0027_partial_reference_indexes.sql.
--
-- announcements_transmission (migration 0001) finds a transmission's announcements
-- (`transmission_id = $1`), announcements_revokes (0017) the revocation of an RCI (the foreign
-- key's look-up). Both held an entry for every announcement, though a queued one has no
-- transmission yet and only a revocation of an RCI (key 99) revokes anything: each
-- submission wrote two entries of NULL, and each claim into a transmission moved one. A
-- condition `column = value` implies `column IS NOT NULL`, so the statements that read them
-- still use them (src/store/plans.rs checks the hot statements' plans).
DROP INDEX announcements_transmission;
CREATE INDEX announcements_transmission ON announcements (transmission_id)
    WHERE transmission_id IS NOT NULL;
DROP INDEX announcements_revokes;
CREATE INDEX announcements_revokes ON announcements (revokes_id) WHERE revokes_id IS NOT NULL;
