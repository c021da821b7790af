-- The ticks of the scheduled jobs that must run once per tick whatever the number of instances
-- (sqlite). Keep equivalent to migrations/postgres/0010_job_ticks.sql.
-- The instance that inserts (job, tick) first runs the job for that tick; the others skip it.
CREATE TABLE job_ticks (
    job       TEXT NOT NULL,
    tick      INTEGER NOT NULL,
    instance  TEXT NOT NULL,
    taken_at  TEXT NOT NULL,
    PRIMARY KEY (job, tick)
);
