-- Closing-and-transmission orders of the ZAS (issue 15, N. 2707–2713) (SQLite). Keep equivalent
-- to migrations/postgres/0019_closing_orders.sql.
--
-- One row per order, stored once by its message id: a repeated message changes nothing. The
-- person is referred to by id (the AVS number lives in persons only, security baseline art. 3);
-- the XML is not kept, its SHA-256 is. Dates are YYYY-MM-DD text, times RFC 3339 UTC text.
-- The mandated fund must transmit the CI within ten calendar days of receiving the order
-- (N. 2713): due_on = the Geneva day of received_at + 10, the last day to transmit.
-- State: open -> done (the fund's system reported the CI sent, sent_on) | cancelled (the fund
-- reported it will not transmit a CI for the order, cancel_reason).
CREATE TABLE closing_orders (
    id             INTEGER PRIMARY KEY,
    environment    TEXT NOT NULL,
    message_id     TEXT NOT NULL,
    sequence       INTEGER,
    fund           TEXT NOT NULL,
    ordering_fund  TEXT NOT NULL,
    person_id      INTEGER NOT NULL REFERENCES persons (id),
    key_code       INTEGER NOT NULL,
    closing_month  TEXT NOT NULL,
    order_date     TEXT NOT NULL,
    domicile_code  INTEGER NOT NULL CHECK (domicile_code IN (1, 2, 3)),
    domicile_from  TEXT,
    domicile_to    TEXT,
    message_date   TEXT NOT NULL,
    xml_sha256     TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    due_on         TEXT NOT NULL,
    state          TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'cancelled')),
    state_since    TEXT NOT NULL,
    sent_on        TEXT,
    cancel_reason  TEXT,
    CONSTRAINT closing_orders_message UNIQUE (message_id),
    CONSTRAINT closing_orders_period CHECK ((domicile_code = 1) = (domicile_from IS NOT NULL AND domicile_to IS NOT NULL)),
    CONSTRAINT closing_orders_done CHECK ((state = 'done') = (sent_on IS NOT NULL)),
    CONSTRAINT closing_orders_cancelled CHECK ((state = 'cancelled') = (cancel_reason IS NOT NULL))
);
-- The fund's system reads its funds' orders by id (the cursor).
CREATE INDEX closing_orders_fund ON closing_orders (environment, fund, id);
-- The deadline scan reads the open orders whose due date has passed.
CREATE INDEX closing_orders_open_due ON closing_orders (due_on) WHERE state = 'open';

-- A passed N. 2713 deadline raises exactly one reminder per order, whatever scans and instances
-- do (the primary key decides). Kept when the order is done later: the history of the lapse.
CREATE TABLE closing_order_reminders (
    closing_order_id  INTEGER PRIMARY KEY REFERENCES closing_orders (id),
    due_on            TEXT NOT NULL,
    raised_at         TEXT NOT NULL
);
