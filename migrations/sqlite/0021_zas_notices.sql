-- CI complements (N. 2105) and splitting notices (N. 2602) of the ZAS (issue 15) (SQLite). Keep
-- equivalent to migrations/postgres/0021_zas_notices.sql.
--
-- One row per message, stored once by its message id: a repeated message changes nothing. The
-- persons are referred to by id (the AVS number lives in persons only, security baseline
-- art. 3); the XML is not kept, its SHA-256 is. Dates are YYYY-MM-DD text, times RFC 3339 UTC text.
-- Both are offered to the fund's system by id (the cursor); neither has a state: the fund
-- applies a complement to its register (N. 2105, 2802) and, after a splitting, transmits the
-- CI entries of both spouses to the ordering fund (N. 2603) in its own system.

-- A complement: the new name (surname with or without given names; none for NN, N. 3110), the
-- new country of origin (state code, N. 3113), or both; and the day of the change.
CREATE TABLE ci_complements (
    id             INTEGER PRIMARY KEY,
    environment    TEXT NOT NULL,
    message_id     TEXT NOT NULL,
    sequence       INTEGER,
    fund           TEXT NOT NULL,
    person_id      INTEGER NOT NULL REFERENCES persons (id),
    surname        TEXT,
    given_names    TEXT,
    country_code   INTEGER,
    changed_on     TEXT NOT NULL,
    message_date   TEXT NOT NULL,
    xml_sha256     TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    CONSTRAINT ci_complements_message UNIQUE (message_id),
    CONSTRAINT ci_complements_change CHECK (surname IS NOT NULL OR country_code IS NOT NULL),
    CONSTRAINT ci_complements_given_names CHECK (given_names IS NULL OR surname IS NOT NULL)
);
CREATE INDEX ci_complements_fund ON ci_complements (environment, fund, id);

-- A splitting notice to a fund involved: the insured person the order was given for, the
-- other spouse, the ordering fund, and the years to split (N. 3119) as text: the years in
-- ascending order, comma-separated, each with ':4' or ':5' for its special key (N. 2613).
CREATE TABLE splitting_notices (
    id                INTEGER PRIMARY KEY,
    environment       TEXT NOT NULL,
    message_id        TEXT NOT NULL,
    sequence          INTEGER,
    fund              TEXT NOT NULL,
    ordering_fund     TEXT NOT NULL,
    person_id         INTEGER NOT NULL REFERENCES persons (id),
    spouse_person_id  INTEGER NOT NULL REFERENCES persons (id),
    split_years       TEXT NOT NULL,
    message_date      TEXT NOT NULL,
    xml_sha256        TEXT NOT NULL,
    received_at       TEXT NOT NULL,
    CONSTRAINT splitting_notices_message UNIQUE (message_id),
    CONSTRAINT splitting_notices_spouses CHECK (person_id <> spouse_person_id),
    CONSTRAINT splitting_notices_years CHECK (split_years <> '')
);
CREATE INDEX splitting_notices_fund ON splitting_notices (environment, fund, id);
