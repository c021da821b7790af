-- Alerts of more than the deadlines of N. 3401 (SQLite). Keep equivalent to
-- migrations/postgres/0020_alert_kinds.sql.
--
-- An alert now tells of a reminder ('deadline_passed', as before) or of a transmission over
-- sedex: 'sedex_receipt_overdue' (no receipt within the receipt timeout after its hand-over)
-- and 'sedex_message_expires_soon' (receipt 701); or of a closing order whose ten days of
-- N. 2713 passed ('closing_order_overdue', with its reminder). `detail` says what the alert tells beyond its subject (a receipt's
-- code and statusInfo, masked): never an AVS number.
--
-- SQLite cannot change a CHECK constraint: the table is built again with the same rows. The
-- deliveries refer to it; their foreign keys are checked at the commit (defer_foreign_keys), by
-- which time every alert is back under its id.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE alerts_0020_copy AS SELECT id, alert_id, kind, reminder_id, created_at FROM alerts;
DROP TABLE alerts;
CREATE TABLE alerts (
    id               INTEGER PRIMARY KEY,
    alert_id         TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL CHECK (kind IN ('deadline_passed', 'sedex_receipt_overdue',
                         'sedex_message_expires_soon', 'closing_order_overdue')),
    reminder_id      INTEGER UNIQUE REFERENCES reminders (id),
    transmission_id  INTEGER REFERENCES transmissions (id),
    closing_order_id INTEGER UNIQUE REFERENCES closing_orders (id),
    detail           TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    CONSTRAINT alerts_reminder_of_deadline CHECK ((kind = 'deadline_passed') = (reminder_id IS NOT NULL)),
    CONSTRAINT alerts_transmission_of_sedex CHECK ((kind LIKE 'sedex%') = (transmission_id IS NOT NULL)),
    CONSTRAINT alerts_closing_order_of_its_kind CHECK ((kind = 'closing_order_overdue') = (closing_order_id IS NOT NULL))
);
INSERT INTO alerts (id, alert_id, kind, reminder_id, created_at)
    SELECT id, alert_id, kind, reminder_id, created_at FROM alerts_0020_copy;
DROP TABLE alerts_0020_copy;
CREATE INDEX alerts_transmission ON alerts (transmission_id) WHERE transmission_id IS NOT NULL;
