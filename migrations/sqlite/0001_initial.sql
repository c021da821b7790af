-- arcgw schema, SQLite. Keep equivalent to migrations/postgres/0001_initial.sql.
-- Times are RFC 3339 text in UTC (as sqlx writes chrono::DateTime<Utc>); JSON is text.

-- Ordinance art. 3: within the database the AVS number is stored here and nowhere else.
CREATE TABLE persons (
    id          INTEGER PRIMARY KEY,
    avs_number  TEXT NOT NULL UNIQUE CHECK (length(avs_number) = 13),
    created_at  TEXT NOT NULL
);

-- A transmission: one DT XML message to the ZAS (N. 3102, 3103). The transmission issue extends it.
CREATE TABLE transmissions (
    id          INTEGER PRIMARY KEY,
    message_id  TEXT NOT NULL UNIQUE,
    environment TEXT NOT NULL,
    state       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    sent_at     TEXT
);

CREATE TABLE announcements (
    id                     INTEGER PRIMARY KEY,
    fund                   TEXT NOT NULL,
    reference              TEXT NOT NULL,
    key_code               INTEGER NOT NULL,
    person_id              INTEGER REFERENCES persons (id),
    beneficiary_person_id  INTEGER REFERENCES persons (id),
    spouse_person_id       INTEGER REFERENCES persons (id),
    -- The particulars without any AVS number (src/store/codec.rs).
    particulars            TEXT NOT NULL,
    -- SHA-256 (hex) of the AVS-free canonical form and the person ids.
    content_hash           TEXT NOT NULL,
    state                  TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'announced',
                               'in_progress', 'investigate', 'done', 'rejected', 'withdrawn')),
    state_since            TEXT NOT NULL,
    submitted_at           TEXT NOT NULL,
    transmission_id        INTEGER REFERENCES transmissions (id),
    -- N. 2104: each announcement is announced once.
    CONSTRAINT announcements_fund_reference UNIQUE (fund, reference)
);
CREATE INDEX announcements_state_id ON announcements (state, id);
CREATE INDEX announcements_fund_id ON announcements (fund, id);
CREATE INDEX announcements_person ON announcements (person_id);
CREATE INDEX announcements_transmission ON announcements (transmission_id);

CREATE TABLE announcement_history (
    id               INTEGER PRIMARY KEY,
    announcement_id  INTEGER NOT NULL REFERENCES announcements (id),
    state            TEXT NOT NULL,
    previous_state   TEXT,
    at               TEXT NOT NULL,
    cause            TEXT NOT NULL,
    actor            TEXT NOT NULL
);
CREATE INDEX announcement_history_announcement ON announcement_history (announcement_id, id);

CREATE TABLE acknowledgements (
    id           INTEGER PRIMARY KEY,
    message_id   TEXT NOT NULL UNIQUE,
    received_at  TEXT NOT NULL
);

-- A passed deadline raises exactly one reminder per announcement and rule.
CREATE TABLE reminders (
    id               INTEGER PRIMARY KEY,
    announcement_id  INTEGER NOT NULL REFERENCES announcements (id),
    rule             TEXT NOT NULL,
    raised_at        TEXT NOT NULL,
    CONSTRAINT reminders_announcement_rule UNIQUE (announcement_id, rule)
);

-- Annex 2.5: important activities and events are logged. Append-only; never an AVS number.
CREATE TABLE audit_events (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    target       TEXT,
    outcome      TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    remote_addr  TEXT,
    details      TEXT NOT NULL
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_actor ON audit_events (actor, id);
CREATE INDEX audit_events_action ON audit_events (action, id);
CREATE INDEX audit_events_target ON audit_events (target, id);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

-- API tokens: only the SHA-256 of the secret is kept; looked up by the public prefix.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    prefix       TEXT NOT NULL UNIQUE,
    secret_hash  TEXT NOT NULL,
    label        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT
);

CREATE TABLE api_token_funds (
    token_id  INTEGER NOT NULL REFERENCES api_tokens (id),
    fund      TEXT NOT NULL,
    PRIMARY KEY (token_id, fund)
);
