-- Two indexes no statement reads any more (PostgreSQL). Keep equivalent to
-- migrations/sqlite/0025_unused_indexes.sql.
--
-- announcements_pending (migration 0004) and announcements_pending_since (0009) served the
-- deadline scan before the running deadlines had a table of their own (deadline_watch,
-- migration 0023). No statement names the states they hold as constants, so no plan can use
-- them (src/store/plans.rs checks the hot statements' plans), yet each was written twice in
-- every announcement's life: when it was announced and when it was dealt with.
DROP INDEX announcements_pending;
DROP INDEX announcements_pending_since;
