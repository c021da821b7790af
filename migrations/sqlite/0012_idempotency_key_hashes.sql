-- Idempotency-Key hashes (SQLite). Keep equivalent to migrations/postgres/0012_idempotency_key_hashes.sql.
--
-- Issue 12, item 9: a client may put anything into its Idempotency-Key, an AVS number too
-- (ordinance art. 3): only the key's SHA-256 (lower-case hex of its bytes) is kept. The
-- primary key (token_id, key_sha256) is what claims a key in the submission's own transaction
-- (item 7): of parallel submissions with one key, one wins.
--
-- SQLite has no SHA-256 function: the keys stored before wait in idempotency_keys_unhashed,
-- which `Store::migrate` empties into this table, hashed, right after the migrations, and then
-- drops (with secure_delete, so that the keys do not stay in free pages).
ALTER TABLE idempotency_keys RENAME TO idempotency_keys_unhashed;
CREATE TABLE idempotency_keys (
    token_id          INTEGER NOT NULL REFERENCES api_tokens (id),
    key_sha256        TEXT NOT NULL,
    request_sha256    TEXT NOT NULL,
    announcement_ids  TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    PRIMARY KEY (token_id, key_sha256)
);
