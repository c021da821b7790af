-- sedex (issue 14) (SQLite). Keep equivalent to migrations/postgres/0018_sedex.sql.
--
-- Over sedex a sending is a hand-over: the payload and its envelope written into the sedex
-- client's outbox; what became of it comes later, as receipts. The attempts of a transmission
-- therefore gain three outcomes: 'handed_over' (files written, receipt awaited), 'waiting'
-- (receipt 601: sent, not yet received) and 'warning' (receipt 701: expires soon). SQLite cannot
-- change a CHECK constraint: the table is built again with the same rows.
CREATE TABLE transmission_attempts_0018 (
    id               INTEGER PRIMARY KEY,
    transmission_id  INTEGER NOT NULL REFERENCES transmissions (id),
    attempt          INTEGER NOT NULL,
    at               TEXT NOT NULL,
    outcome          TEXT NOT NULL CHECK (outcome IN ('transmitted', 'duplicate', 'refused',
                         'error', 'handed_over', 'waiting', 'warning')),
    receipt_code     INTEGER,
    detail           TEXT NOT NULL
);
INSERT INTO transmission_attempts_0018 (id, transmission_id, attempt, at, outcome, receipt_code, detail)
    SELECT id, transmission_id, attempt, at, outcome, receipt_code, detail FROM transmission_attempts;
DROP TABLE transmission_attempts;
ALTER TABLE transmission_attempts_0018 RENAME TO transmission_attempts;
CREATE INDEX transmission_attempts_transmission ON transmission_attempts (transmission_id, id);

-- When the transmission was last handed over without a receipt since (NULL once a receipt
-- came), and when it was flagged for having no receipt within the configured time.
ALTER TABLE transmissions ADD COLUMN handed_over_at TEXT;
ALTER TABLE transmissions ADD COLUMN receipt_overdue_at TEXT;

-- Every receipt of the sedex client taken in, once: a receipt read again (same message id,
-- code and event date) changes nothing. One that matches no transmission of its environment is
-- kept with transmission_id NULL and listed by `arcgw receipts unmatched`.
CREATE TABLE sedex_receipts (
    id               INTEGER PRIMARY KEY,
    environment      TEXT NOT NULL,
    message_id       TEXT NOT NULL,
    status_code      INTEGER NOT NULL,
    event_date       TEXT NOT NULL,
    status_info      TEXT NOT NULL,
    received_at      TEXT NOT NULL,
    file_name        TEXT NOT NULL,
    transmission_id  INTEGER REFERENCES transmissions (id),
    CONSTRAINT sedex_receipts_once UNIQUE (environment, message_id, status_code, event_date)
);
CREATE INDEX sedex_receipts_transmission ON sedex_receipts (transmission_id, id);
CREATE INDEX sedex_receipts_unmatched ON sedex_receipts (id) WHERE transmission_id IS NULL;
