-- The claim's check of N. 3102 (src/store/claim.rs): for each queued new order, is a
-- revocation of the same person still queued or being sent? Keep equivalent to
-- migrations/sqlite/0016_claim_index.sql.
--
-- This index holds only the revocations (96, 99) queued or being sent, so the check is one
-- look-up in a tiny index per announcement claimed. Without it PostgreSQL, before it has
-- statistics, answered the check by intersecting the person index with the whole environment
-- or state index for every queued announcement: 12 s to claim 1 000 of 16 000 queued.
CREATE INDEX announcements_pending_revocations ON announcements (person_id)
    WHERE key_code IN (96, 99) AND state IN ('queued', 'sending');
