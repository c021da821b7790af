-- no-transaction
-- Environments (SQLite). Keep equivalent to migrations/postgres/0011_environments.sql.
--
-- Every announcement belongs to one ZAS environment, acceptance (ABN) or production (PROD): it
-- is claimed only by that environment's sender and matched only by that environment's
-- acknowledgements, so nothing sent to ABN counts as announced for PROD. N. 2104 (each
-- announcement announced once) holds per environment: the same fund and reference may be
-- tested in ABN and then announced in PROD.
--
-- SQLite cannot drop the table constraint UNIQUE (fund, reference), so the table is rebuilt
-- (https://www.sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema Changes"):
-- foreign keys off around one transaction that keeps every id. Hence `no-transaction` above:
-- the pragma cannot change inside a transaction.
--
-- Announcements stored before this migration take the environment of their transmission, and
-- PROD when they have none (an instance sent to one environment only).
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE announcements_rebuilt (
    id                     INTEGER PRIMARY KEY,
    environment            TEXT NOT NULL DEFAULT 'prod' CHECK (environment IN ('abn', 'prod')),
    fund                   TEXT NOT NULL,
    reference              TEXT NOT NULL,
    key_code               INTEGER NOT NULL,
    person_id              INTEGER REFERENCES persons (id),
    beneficiary_person_id  INTEGER REFERENCES persons (id),
    spouse_person_id       INTEGER REFERENCES persons (id),
    particulars            TEXT NOT NULL,
    content_hash           TEXT NOT NULL,
    state                  TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'announced',
                               'in_progress', 'investigate', 'done', 'rejected', 'withdrawn')),
    state_since            TEXT NOT NULL,
    submitted_at           TEXT NOT NULL,
    transmission_id        INTEGER REFERENCES transmissions (id),
    purged_at              TEXT,
    -- N. 2104: each announcement is announced once, in its environment.
    CONSTRAINT announcements_environment_fund_reference UNIQUE (environment, fund, reference)
);

INSERT INTO announcements_rebuilt (id, environment, fund, reference, key_code, person_id,
    beneficiary_person_id, spouse_person_id, particulars, content_hash, state, state_since,
    submitted_at, transmission_id, purged_at)
SELECT a.id, COALESCE((SELECT t.environment FROM transmissions t WHERE t.id = a.transmission_id),
        'prod'),
    a.fund, a.reference, a.key_code, a.person_id, a.beneficiary_person_id, a.spouse_person_id,
    a.particulars, a.content_hash, a.state, a.state_since, a.submitted_at, a.transmission_id,
    a.purged_at
FROM announcements a;

DROP TABLE announcements;
ALTER TABLE announcements_rebuilt RENAME TO announcements;

CREATE INDEX announcements_state_id ON announcements (state, id);
CREATE INDEX announcements_fund_id ON announcements (fund, id);
CREATE INDEX announcements_person ON announcements (person_id);
CREATE INDEX announcements_transmission ON announcements (transmission_id);
CREATE INDEX announcements_pending ON announcements (id) WHERE state IN ('announced', 'in_progress');
CREATE INDEX announcements_pending_since ON announcements (state, state_since)
    WHERE state IN ('announced', 'in_progress');

-- A fund API token submits to and reads from one environment (USNTools: access is requested
-- per environment).
ALTER TABLE api_tokens ADD COLUMN environment TEXT NOT NULL DEFAULT 'prod'
    CHECK (environment IN ('abn', 'prod'));

COMMIT;
PRAGMA foreign_keys = ON;
