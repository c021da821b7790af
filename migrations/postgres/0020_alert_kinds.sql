-- Alerts of more than the deadlines of N. 3401 (PostgreSQL). Keep equivalent to
-- migrations/sqlite/0020_alert_kinds.sql.
--
-- An alert now tells of a reminder ('deadline_passed', as before) or of a transmission over
-- sedex: 'sedex_receipt_overdue' (no receipt within the receipt timeout after its hand-over)
-- and 'sedex_message_expires_soon' (receipt 701); or of a closing order whose ten days of
-- N. 2713 passed ('closing_order_overdue', with its reminder). `detail` says what the alert tells beyond its subject (a receipt's
-- code and statusInfo, masked): never an AVS number.
ALTER TABLE alerts DROP CONSTRAINT alerts_kind_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_kind_check CHECK (kind IN ('deadline_passed',
    'sedex_receipt_overdue', 'sedex_message_expires_soon', 'closing_order_overdue'));
ALTER TABLE alerts ALTER COLUMN reminder_id DROP NOT NULL;
ALTER TABLE alerts ADD COLUMN transmission_id BIGINT REFERENCES transmissions (id);
ALTER TABLE alerts ADD COLUMN detail TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD CONSTRAINT alerts_reminder_of_deadline
    CHECK ((kind = 'deadline_passed') = (reminder_id IS NOT NULL));
ALTER TABLE alerts ADD CONSTRAINT alerts_transmission_of_sedex
    CHECK ((kind LIKE 'sedex%') = (transmission_id IS NOT NULL));
ALTER TABLE alerts ADD COLUMN closing_order_id BIGINT UNIQUE REFERENCES closing_orders (id);
ALTER TABLE alerts ADD CONSTRAINT alerts_closing_order_of_its_kind
    CHECK ((kind = 'closing_order_overdue') = (closing_order_id IS NOT NULL));
CREATE INDEX alerts_transmission ON alerts (transmission_id) WHERE transmission_id IS NOT NULL;
