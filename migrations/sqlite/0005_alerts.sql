-- Alerts and their outbox (SQLite). Keep equivalent to migrations/postgres/0005_alerts.sql.
--
-- An alert is written in the same transaction as what it tells (a reminder of N. 3401), so a
-- restart loses none; `alert_id` is the stable id a receiver de-duplicates on. Its deliveries,
-- one per configured channel ('log', 'webhook', 'email'), are made from it by the delivery job
-- and leased by moving `due_at` forward: 'pending' until 'delivered', or 'failed' after the
-- configured attempts. Every attempt is recorded. No AVS number in any of these rows.
CREATE TABLE alerts (
    id           INTEGER PRIMARY KEY,
    alert_id     TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL CHECK (kind IN ('deadline_passed')),
    reminder_id  INTEGER NOT NULL UNIQUE REFERENCES reminders (id),
    created_at   TEXT NOT NULL
);

CREATE TABLE alert_deliveries (
    id            INTEGER PRIMARY KEY,
    alert_id      INTEGER NOT NULL REFERENCES alerts (id),
    channel       TEXT NOT NULL CHECK (channel IN ('log', 'webhook', 'email')),
    status        TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    due_at        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    delivered_at  TEXT,
    last_error    TEXT,
    CONSTRAINT alert_deliveries_alert_channel UNIQUE (alert_id, channel)
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (due_at, id) WHERE status = 'pending';

CREATE TABLE alert_attempts (
    id           INTEGER PRIMARY KEY,
    delivery_id  INTEGER NOT NULL REFERENCES alert_deliveries (id),
    attempt      INTEGER NOT NULL,
    at           TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('delivered', 'error')),
    detail       TEXT NOT NULL
);
CREATE INDEX alert_attempts_delivery ON alert_attempts (delivery_id, id);
