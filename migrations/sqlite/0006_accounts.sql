-- Accounts of people and their sessions (SQLite). Keep equivalent to
-- migrations/postgres/0006_accounts.sql.
--
-- An account is personal and bound to one or more funds (ordinance art. 7); its role is one of
-- the USNTools roles (src/domain/role.rs). Only the argon2 hash of a password is kept. The birth
-- date is kept only to refuse it inside a password (annex 2.3). A removed account is deleted;
-- the audit log keeps the events (annex 2.5).
CREATE TABLE accounts (
    id                   INTEGER PRIMARY KEY,
    login                TEXT NOT NULL UNIQUE,
    surname              TEXT NOT NULL,
    given_name           TEXT NOT NULL,
    email                TEXT NOT NULL,
    birth_date           TEXT,
    role                 TEXT NOT NULL CHECK (role IN ('responsible', 'substitute', 'delegate',
                             'clerk')),
    password_hash        TEXT NOT NULL,
    -- 1: the password is temporary or marked compromised and must be changed at the next login.
    must_change_password INTEGER NOT NULL CHECK (must_change_password IN (0, 1)),
    blocked_at           TEXT,
    -- Failed logins since the last success, and until when a login is refused (growing delay).
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         TEXT,
    created_at           TEXT NOT NULL,
    password_changed_at  TEXT NOT NULL
);

CREATE TABLE account_funds (
    account_id  INTEGER NOT NULL REFERENCES accounts (id),
    fund        TEXT NOT NULL,
    PRIMARY KEY (account_id, fund)
);
CREATE INDEX account_funds_fund ON account_funds (fund, account_id);

-- Server-side sessions: the cookie holds 32 random bytes, the table only their SHA-256.
CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    secret_hash   TEXT NOT NULL UNIQUE,
    account_id    INTEGER NOT NULL REFERENCES accounts (id),
    csrf_token    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);
