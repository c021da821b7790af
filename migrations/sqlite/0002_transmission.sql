-- Transmission to the ZAS and acknowledgement intake (SQLite). Keep equivalent to
-- migrations/postgres/0002_transmission.sql.

-- A transmission keeps everything its DT XML is written from (header fields; its announcements
-- are those with this transmission_id, in id order) and the SHA-256 of the bytes sent: the XML is
-- written again byte for byte to resend it under the same message id or to print it (N. 3403),
-- without a second copy of the AVS numbers in the database (ordinance art. 3).
ALTER TABLE transmissions ADD COLUMN message_date TEXT;
ALTER TABLE transmissions ADD COLUMN sender_id TEXT NOT NULL DEFAULT '';
ALTER TABLE transmissions ADD COLUMN recipient_id TEXT NOT NULL DEFAULT '';
ALTER TABLE transmissions ADD COLUMN test_delivery INTEGER NOT NULL DEFAULT 1;
ALTER TABLE transmissions ADD COLUMN xml_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE transmissions ADD COLUMN announcement_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transmissions ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transmissions ADD COLUMN next_attempt_at TEXT;
ALTER TABLE transmissions ADD COLUMN failure TEXT;
CREATE INDEX transmissions_state_next ON transmissions (state, next_attempt_at);

-- Every attempt to send a transmission, with the receipt code in the style of sedex
-- (100 transmitted, 201 duplicate message id, 2xx/3xx refused, 4xx transport, 5xx adapter).
CREATE TABLE transmission_attempts (
    id               INTEGER PRIMARY KEY,
    transmission_id  INTEGER NOT NULL REFERENCES transmissions (id),
    attempt          INTEGER NOT NULL,
    at               TEXT NOT NULL,
    outcome          TEXT NOT NULL CHECK (outcome IN ('transmitted', 'duplicate', 'refused', 'error')),
    receipt_code     INTEGER,
    detail           TEXT NOT NULL
);
CREATE INDEX transmission_attempts_transmission ON transmission_attempts (transmission_id, id);

-- An acknowledgement message as read (its XML is not kept: it holds AVS numbers; its SHA-256 is).
ALTER TABLE acknowledgements ADD COLUMN environment TEXT NOT NULL DEFAULT '';
ALTER TABLE acknowledgements ADD COLUMN sequence INTEGER;
ALTER TABLE acknowledgements ADD COLUMN acknowledgement_date TEXT NOT NULL DEFAULT '';
ALTER TABLE acknowledgements ADD COLUMN reference_message_id TEXT;
ALTER TABLE acknowledgements ADD COLUMN entry_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE acknowledgements ADD COLUMN xml_sha256 TEXT NOT NULL DEFAULT '';

-- One entry of an acknowledgement: the ZAS's answer to one announcement. An entry that matches
-- no announcement is kept (announcement_id NULL) and shown to operators, never dropped.
CREATE TABLE acknowledgement_entries (
    id                  INTEGER PRIMARY KEY,
    acknowledgement_id  INTEGER NOT NULL REFERENCES acknowledgements (id),
    position            INTEGER NOT NULL,
    announcement_id     INTEGER REFERENCES announcements (id),
    fund                TEXT NOT NULL,
    reference           TEXT NOT NULL,
    key_code            INTEGER NOT NULL,
    person_id           INTEGER REFERENCES persons (id),
    message_id          TEXT,
    processing_code     INTEGER NOT NULL,
    -- The observations, wrong fields, invitation to investigate and results, AVS-free
    -- (src/store/ack_codec.rs).
    details             TEXT NOT NULL,
    CONSTRAINT acknowledgement_entries_position UNIQUE (acknowledgement_id, position)
);
CREATE INDEX acknowledgement_entries_announcement ON acknowledgement_entries (announcement_id, id);
CREATE INDEX acknowledgement_entries_unmatched ON acknowledgement_entries (announcement_id) WHERE announcement_id IS NULL;

-- Acknowledgements that could not be read (malformed, refused by the reader): kept for operators.
CREATE TABLE unreadable_acknowledgements (
    id           INTEGER PRIMARY KEY,
    environment  TEXT NOT NULL,
    sequence     INTEGER NOT NULL,
    received_at  TEXT NOT NULL,
    error        TEXT NOT NULL,
    xml_sha256   TEXT NOT NULL,
    CONSTRAINT unreadable_acknowledgements_sequence UNIQUE (environment, sequence)
);

-- Where the acknowledgement feed of the ZAS was last read, per environment.
CREATE TABLE feed_cursors (
    name      TEXT PRIMARY KEY,
    position  INTEGER NOT NULL
);
