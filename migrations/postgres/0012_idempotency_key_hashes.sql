-- Idempotency-Key hashes (PostgreSQL). Keep equivalent to migrations/sqlite/0012_idempotency_key_hashes.sql.
--
-- Issue 12, item 9: a client may put anything into its Idempotency-Key, an AVS number too
-- (ordinance art. 3): only the key's SHA-256 (lower-case hex of its bytes) is kept. Keys stored
-- before are hashed here. The primary key (token_id, key_sha256) is what claims a key in the
-- submission's own transaction (item 7): of parallel submissions with one key, one wins.
ALTER TABLE idempotency_keys RENAME COLUMN idempotency_key TO key_sha256;
UPDATE idempotency_keys SET key_sha256 = encode(sha256(convert_to(key_sha256, 'UTF8')), 'hex');
