-- Operator tasks (SQLite). Keep equivalent to migrations/postgres/0022_operator_tasks.sql.
--
-- The cases of an acknowledgement that need a person (issue 15, item 4): N. 3302 (the fund
-- already keeps a CI for the AVS number given) and N. 2211 (an RCI or a splitting already took
-- place), recognised by arcgw's own observation codes (src/domain/operator_task.rs). A task is
-- made in the transaction that takes its acknowledgement in, once per announcement, kind and
-- acknowledgement; an operator of the announcement's fund closes it with a note (audited). The
-- note is masked of anything that looks like an AVS number.
CREATE TABLE operator_tasks (
    id                  INTEGER PRIMARY KEY,
    announcement_id     INTEGER NOT NULL REFERENCES announcements (id),
    kind                TEXT NOT NULL CHECK (kind IN ('n3302_account_already_kept',
                            'n2211_rci_or_splitting_done')),
    acknowledgement_id  INTEGER NOT NULL REFERENCES acknowledgements (id),
    entry_id            INTEGER NOT NULL REFERENCES acknowledgement_entries (id),
    created_at          TEXT NOT NULL,
    state               TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
    closed_by           TEXT,
    closed_at           TEXT,
    note                TEXT,
    CONSTRAINT operator_tasks_once UNIQUE (announcement_id, kind, acknowledgement_id),
    CONSTRAINT operator_tasks_closed CHECK ((state = 'closed') = (closed_by IS NOT NULL
        AND closed_at IS NOT NULL AND note IS NOT NULL))
);
CREATE INDEX operator_tasks_open ON operator_tasks (id) WHERE state = 'open';
