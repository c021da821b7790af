-- The funds of audit events, and removed logins (PostgreSQL). Keep equivalent to
-- migrations/sqlite/0013_audit_funds.sql.
--
-- Art. 7 (access only for those who need it): the audit review shows each person the events of
-- their own funds. `funds` holds the fund numbers an event concerns, each with a space before
-- and after (` 066.000 067.000 `), so that `funds LIKE '% 066.000 %'` finds them; NULL: an
-- event of no fund (configuration, purge, backup, logins of unknown user ids), shown only to
-- those the permission table lets review system events. Events recorded before this migration
-- have no funds and so count as system events: the log is append-only and not rewritten.
ALTER TABLE audit_events ADD COLUMN funds TEXT;

-- A removed account's user id is never given to anybody else: the audit log names people by
-- it. Logins removed before this migration are taken from the audit log.
CREATE TABLE removed_logins (
    login       TEXT PRIMARY KEY,
    account_id  BIGINT NOT NULL,
    removed_at  TIMESTAMPTZ NOT NULL
);
INSERT INTO removed_logins (login, account_id, removed_at)
SELECT substr(target, 9), COALESCE(MAX((details::jsonb ->> 'account_id')::BIGINT), 0), MIN(at)
FROM audit_events
WHERE action = 'account.remove' AND outcome = 'success' AND target LIKE 'account:%'
  AND substr(target, 9) NOT IN (SELECT login FROM accounts)
GROUP BY substr(target, 9);
