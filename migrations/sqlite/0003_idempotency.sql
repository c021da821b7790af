-- Idempotency-Key of the fund API: a client that repeats a submission with the same key gets the
-- same answer; the same key with another body is refused. Ids only: no personal data.
CREATE TABLE idempotency_keys (
    token_id          INTEGER NOT NULL REFERENCES api_tokens (id),
    idempotency_key   TEXT NOT NULL,
    request_sha256    TEXT NOT NULL,
    announcement_ids  TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    PRIMARY KEY (token_id, idempotency_key)
);
