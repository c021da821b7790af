-- Environments (PostgreSQL). Keep equivalent to migrations/sqlite/0011_environments.sql.
--
-- Every announcement belongs to one ZAS environment, acceptance (ABN) or production (PROD): it
-- is claimed only by that environment's sender and matched only by that environment's
-- acknowledgements, so nothing sent to ABN counts as announced for PROD. N. 2104 (each
-- announcement announced once) holds per environment: the same fund and reference may be
-- tested in ABN and then announced in PROD.
--
-- Announcements stored before this migration take the environment of their transmission, and
-- PROD when they have none (an instance sent to one environment only).
ALTER TABLE announcements ADD COLUMN environment TEXT NOT NULL DEFAULT 'prod'
    CHECK (environment IN ('abn', 'prod'));
UPDATE announcements a SET environment = t.environment
    FROM transmissions t WHERE t.id = a.transmission_id AND t.environment <> 'prod';
ALTER TABLE announcements DROP CONSTRAINT announcements_fund_reference;
-- N. 2104: each announcement is announced once, in its environment.
ALTER TABLE announcements ADD CONSTRAINT announcements_environment_fund_reference
    UNIQUE (environment, fund, reference);

-- A fund API token submits to and reads from one environment (USNTools: access is requested
-- per environment).
ALTER TABLE api_tokens ADD COLUMN environment TEXT NOT NULL DEFAULT 'prod'
    CHECK (environment IN ('abn', 'prod'));
