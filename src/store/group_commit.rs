//! Group commit of submissions on SQLite. With `synchronous = FULL` every commit is a flush to
//! disk, and SQLite writes one transaction at a time: submissions made at the same time would
//! each wait for the flushes of all before them. Here the submissions waiting for this
//! process's turn to write share one transaction and one flush instead.
//!
//! A group is first stored together, a few statements for all its submissions
//! ([`super::submit_group`]), when it is the plain case (every announcement new, every key
//! unused). Otherwise, or when that fails, it is rolled back and each submission runs in a
//! savepoint of its own, so one that fails (a conflict, a key used before, any error) is undone
//! alone and answered alone. Every submission of a group is
//! answered only once the shared commit has succeeded; when it fails (or the group cannot go
//! on), all of them get the error and none is stored. A submission is thus stored, and
//! answered, exactly as if it had been alone.
//!
//! Whoever gets the turn while submissions wait runs them as a group (a submitter, or the task
//! it starts: the group is not stopped by a client that goes away). A submission still waiting
//! when its submitter goes away, or after the writer's wait ([`StoreError::WriterBusy`]), is
//! taken out and not stored.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use sqlx::SqlitePool;
use tokio::sync::{OwnedSemaphorePermit, oneshot};

use super::error::StoreError;
use super::sql::{Tx, begin_immediate, writer_deadline, writer_turn};
use super::submit::{Submission, Submitted};
use super::submit_group::{Together, store_together};

/// At most this many submissions share a transaction…
const MAX_SUBMISSIONS: usize = 64;
/// …and at most this many announcements (a larger submission runs alone). A group's
/// submissions wait for the whole group: sharing the commit pays for small submissions, whose
/// cost is mostly the commit's fsync; a large one's own statements outweigh it, and grouping it
/// only makes the others wait for it.
const MAX_ANNOUNCEMENTS: usize = 100;

type Answer = Result<Vec<Submitted>, StoreError>;

/// A submission waiting to be stored.
struct Waiting {
    ticket: u64,
    /// The pool it is stored with: only submissions of one pool share a transaction (in-memory
    /// databases of one name are different databases).
    pool: SqlitePool,
    submission: Submission,
    answer: oneshot::Sender<Answer>,
}

/// The submissions of one SQLite file waiting to be stored, oldest first.
#[derive(Default)]
struct Queue {
    waiting: Mutex<(u64, VecDeque<Waiting>)>,
}

impl Queue {
    /// The queue of the file of `pool` (one per file, like the writer's turn).
    fn of(pool: &SqlitePool) -> Arc<Queue> {
        static QUEUES: OnceLock<Mutex<HashMap<PathBuf, Arc<Queue>>>> = OnceLock::new();
        let file = pool.connect_options().get_filename().to_path_buf();
        let mut queues = QUEUES
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(queues.entry(file).or_default())
    }

    fn lock(&self) -> MutexGuard<'_, (u64, VecDeque<Waiting>)> {
        self.waiting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Puts `submission` at the end of the queue; its ticket.
    fn join(
        &self,
        pool: &SqlitePool,
        submission: Submission,
        answer: oneshot::Sender<Answer>,
    ) -> u64 {
        let mut waiting = self.lock();
        waiting.0 += 1;
        let ticket = waiting.0;
        waiting.1.push_back(Waiting {
            ticket,
            pool: pool.clone(),
            submission,
            answer,
        });
        ticket
    }

    /// Takes the submission of `ticket` out if it still waits; whether it did.
    fn leave(&self, ticket: u64) -> bool {
        let mut waiting = self.lock();
        let before = waiting.1.len();
        waiting.1.retain(|w| w.ticket != ticket);
        waiting.1.len() < before
    }

    /// Whether a submission of `pool` waits.
    fn has_work(&self, pool: &SqlitePool) -> bool {
        self.lock().1.iter().any(|w| same_pool(&w.pool, pool))
    }

    /// Takes the oldest submissions of `pool`, as many as a group holds (at least one, when
    /// any waits).
    fn take_group(&self, pool: &SqlitePool) -> Vec<Waiting> {
        let mut waiting = self.lock();
        let mut group: Vec<Waiting> = Vec::new();
        let mut announcements = 0;
        let mut left = VecDeque::with_capacity(waiting.1.len());
        while let Some(next) = waiting.1.pop_front() {
            let fits = group.is_empty()
                || (group.len() < MAX_SUBMISSIONS
                    && announcements + next.submission.len() <= MAX_ANNOUNCEMENTS);
            if !same_pool(&next.pool, pool) {
                left.push_back(next);
            } else if fits {
                announcements += next.submission.len();
                group.push(next);
            } else {
                // First come, first served: no later submission passes this one.
                left.push_back(next);
                left.extend(waiting.1.drain(..));
            }
        }
        waiting.1 = left;
        group
    }

    /// How many submissions wait (for tests).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().1.len()
    }
}

fn same_pool(a: &SqlitePool, b: &SqlitePool) -> bool {
    Arc::ptr_eq(&a.connect_options(), &b.connect_options())
}

/// Takes the submission out of the queue when its submitter goes away before it was taken.
struct LeaveOnDrop<'a> {
    queue: &'a Queue,
    ticket: u64,
}

impl Drop for LeaveOnDrop<'_> {
    fn drop(&mut self) {
        self.queue.leave(self.ticket);
    }
}

/// Stores `submission` with the submissions waiting at the same time on the file of `pool`,
/// in one transaction; its answer once that transaction is committed.
pub(super) async fn submit(pool: &SqlitePool, submission: Submission) -> Answer {
    let queue = Queue::of(pool);
    let (answer_to, mut answer) = oneshot::channel();
    let ticket = queue.join(pool, submission, answer_to);
    let _leave = LeaveOnDrop {
        queue: &queue,
        ticket,
    };
    let deadline = writer_deadline();
    loop {
        tokio::select! {
            biased;
            answered = &mut answer => return answered.unwrap_or(Err(StoreError::Unanswered)),
            turn = writer_turn(pool, deadline) => match turn {
                Ok(turn) => {
                    // In a task of its own: the group goes on if this submitter goes away.
                    let group = tokio::spawn(run_group(pool.clone(), Arc::clone(&queue), turn));
                    // A group that panicked dropped its answers: those are `Unanswered`.
                    let _ = group.await;
                }
                Err(busy) => {
                    if queue.leave(ticket) {
                        return Err(busy);
                    }
                    // Taken by a group that is running: its answer comes.
                    return answer.await.unwrap_or(Err(StoreError::Unanswered));
                }
            },
        }
    }
}

/// With the writer's `turn`: stores the oldest waiting submissions of `pool` in one
/// transaction and answers them once it is committed.
async fn run_group(pool: SqlitePool, queue: Arc<Queue>, turn: OwnedSemaphorePermit) {
    if !queue.has_work(&pool) {
        return;
    }
    // The group is taken once the write lock is held: those arriving meanwhile join it.
    let mut tx = match begin_immediate(&pool, None).await {
        Ok(tx) => tx,
        Err(e) => {
            let group = queue.take_group(&pool);
            return answer_all(group.into_iter().map(|w| w.answer), e);
        }
    };
    let group = queue.take_group(&pool);
    let together = if group.len() > 1 {
        let submissions: Vec<&Submission> = group.iter().map(|w| &w.submission).collect();
        store_together(&mut tx, &submissions).await
    } else {
        Together::Apart
    };
    match together {
        Together::Stored(answers) => {
            let answers = group.into_iter().map(|w| w.answer).zip(answers);
            match tx.commit().await {
                Ok(()) => answers.for_each(|(to, answer)| {
                    let _ = to.send(Ok(answer));
                }),
                Err(e) => answer_all(answers.map(|(to, _)| to), e),
            }
        }
        Together::Apart => one_at_a_time(tx, group).await,
        Together::Undo => {
            let again = match tx.rollback().await {
                Ok(()) => begin_immediate(&pool, None).await,
                Err(e) => Err(e),
            };
            match again {
                Ok(tx) => one_at_a_time(tx, group).await,
                Err(e) => answer_all(group.into_iter().map(|w| w.answer), e),
            }
        }
    }
    // The next writer goes once every submission of the group is answered.
    drop(turn);
}

/// Stores the submissions of `group` in `tx` one at a time, each in a savepoint of its own,
/// commits, and answers them.
async fn one_at_a_time(mut tx: Tx, group: Vec<Waiting>) {
    let mut ran = Vec::new();
    let mut not_ran = Vec::new();
    let mut failure = None;
    for waiting in group {
        if failure.is_some() {
            not_ran.push(waiting.answer);
            continue;
        }
        match in_savepoint(&mut tx, waiting.submission).await {
            Ok(answer) => ran.push((waiting.answer, answer)),
            Err(e) => {
                failure = Some(e);
                not_ran.push(waiting.answer);
            }
        }
    }
    if failure.is_none() {
        failure = tx.commit().await.err();
    }
    match failure {
        None => {
            for (to, answer) in ran {
                // A submitter that went away is not waiting for its answer.
                let _ = to.send(answer);
            }
        }
        Some(e) => answer_all(ran.into_iter().map(|(to, _)| to).chain(not_ran), e),
    }
}

/// Runs `submission` in a savepoint of `tx`: kept when it succeeds, undone when it fails. Its
/// answer; `Err` when the transaction cannot go on (a savepoint could not be made, released or
/// rolled back to, as when SQLite rolled back the whole transaction).
async fn in_savepoint(tx: &mut Tx, submission: Submission) -> Result<Answer, StoreError> {
    tx.execute("SAVEPOINT submission", Vec::new()).await?;
    match submission.store(tx).await {
        Ok(submitted) => {
            tx.execute("RELEASE submission", Vec::new()).await?;
            Ok(Ok(submitted))
        }
        Err(e) => {
            if let Err(undo) = undo_savepoint(tx).await {
                tracing::warn!(error = %e, "a submission failed, and so did undoing it");
                return Err(undo);
            }
            Ok(Err(e))
        }
    }
}

async fn undo_savepoint(tx: &mut Tx) -> Result<(), StoreError> {
    tx.execute("ROLLBACK TO submission", Vec::new()).await?;
    tx.execute("RELEASE submission", Vec::new()).await?;
    Ok(())
}

/// Answers each of `submitters` with `e`, the failure of the transaction they shared: none of
/// them was stored.
fn answer_all(submitters: impl Iterator<Item = oneshot::Sender<Answer>>, e: StoreError) {
    let shared = Arc::new(e);
    for to in submitters {
        let _ = to.send(Err(StoreError::SharedTransaction(Arc::clone(&shared))));
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::time::Duration;

    use chrono::{DateTime, Utc};
    use serde_json::json;

    use super::*;
    use crate::domain::avs_number::check_digit;
    use crate::domain::{
        Announcement, AvsNumber, ClosingMonth, Environment, FundNumber, KeyCode, Particulars,
        Reference,
    };
    use crate::store::submit::AuditOf;
    use crate::store::{AuditOutcome, ChangeNote, KeyClaim, NewAuditEvent, Store};

    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
            .unwrap()
            .to_utc()
    }

    fn avs(n: u64) -> AvsNumber {
        let first: Vec<u8> = format!("756{n:09}").bytes().map(|b| b - b'0').collect();
        AvsNumber::parse(&format!("756{n:09}{}", check_digit(&first))).unwrap()
    }

    /// A key-61 announcement of fund 066.000.
    fn account(reference: &str, person: u64) -> Announcement {
        Announcement::new(
            FundNumber::parse("066.000").unwrap(),
            Reference::new(reference).unwrap(),
            KeyCode::new(61).unwrap(),
            Particulars::Account {
                avs_number: avs(person),
            },
        )
        .unwrap()
    }

    /// A migrated SQLite file with API token 1, whose Idempotency-Keys the tests use.
    async fn sqlite() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("arcgw.sqlite").display());
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let fund = FundNumber::parse("066.000").unwrap();
        let token = store.create_token("fund", &[fund], at()).await.unwrap();
        assert_eq!(token.token.id, 1);
        (dir, store)
    }

    /// Who submits, when, and with which Idempotency-Key of token 1.
    #[derive(Clone)]
    struct By {
        environment: Environment,
        at: DateTime<Utc>,
        actor: String,
        key: Option<String>,
    }

    impl By {
        /// Token 1 at [`at`], with the Idempotency-Key `key` if given.
        fn test(key: Option<&str>) -> Self {
            By {
                environment: Environment::Prod,
                at: at(),
                actor: "token:test".into(),
                key: key.map(str::to_string),
            }
        }

        fn note(&self) -> ChangeNote {
            ChangeNote::new(self.at, self.actor.clone(), "submitted by the fund")
        }

        fn claim(&self) -> Option<KeyClaim> {
            self.key
                .as_ref()
                .map(|k| KeyClaim::new(1, k, &format!("request {k}")))
        }

        /// The audit event of a submission it made.
        fn audit(&self) -> AuditOf {
            let (at, actor) = (self.at, self.actor.clone());
            Box::new(move |submitted: &[Submitted]| {
                Some(NewAuditEvent {
                    at,
                    actor: actor.clone(),
                    action: "announcement.submit".into(),
                    target: None,
                    outcome: AuditOutcome::Success,
                    remote_addr: None,
                    details: json!({"first_id": submitted[0].id}),
                    funds: Vec::new(),
                })
            })
        }

        /// Its submission of `announcements`, to store with [`store_together`].
        fn submission(&self, announcements: &[Announcement]) -> Submission {
            let claim = self.claim();
            Submission::new(
                self.environment,
                announcements,
                &self.note(),
                claim.as_ref(),
                self.audit(),
            )
        }

        /// Submits `announcements` through [`Store::submit_audited`].
        fn submit(
            &self,
            store: &Store,
            announcements: Vec<Announcement>,
        ) -> impl Future<Output = Answer> + Send + 'static + use<> {
            let (store, by) = (store.clone(), self.clone());
            async move {
                let audit = by.audit();
                store
                    .submit_audited(
                        by.environment,
                        &announcements,
                        &by.note(),
                        by.claim().as_ref(),
                        audit,
                    )
                    .await
            }
        }
    }

    /// Submits `announcement`, audited, with the Idempotency-Key `key` of token 1 if given.
    fn submission(
        store: &Store,
        announcement: Announcement,
        key: Option<&str>,
    ) -> impl Future<Output = Answer> + Send + 'static {
        By::test(key).submit(store, vec![announcement])
    }

    /// Runs `submissions` as one group: holds the writer's turn until all of them wait, then
    /// gives it; their answers, in order.
    async fn as_one_group(
        store: &Store,
        submissions: Vec<impl Future<Output = Answer> + Send + 'static>,
    ) -> Vec<Answer> {
        let Store::Sqlite(pool) = store else {
            panic!("SQLite")
        };
        let held = store.begin_write().await.unwrap();
        let count = submissions.len();
        let tasks: Vec<_> = submissions.into_iter().map(tokio::spawn).collect();
        let queue = Queue::of(pool);
        for _ in 0..500 {
            if queue.len() == count {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(queue.len(), count, "every submission waits");
        held.commit().await.unwrap();
        let mut answers = Vec::new();
        for task in tasks {
            answers.push(task.await.unwrap());
        }
        answers
    }

    async fn count(store: &Store, sql: &'static str) -> i64 {
        store
            .fetch_one(sql, Vec::new())
            .await
            .unwrap()
            .int("n")
            .unwrap()
    }

    #[tokio::test]
    async fn a_failing_submission_of_a_group_is_undone_alone() {
        let (_dir, store) = sqlite().await;
        let note = ChangeNote::new(at(), "t", "c");
        let stored = store.submit(&[account("G-STORED", 1)], &note).await;
        let stored = stored.unwrap()[0].id;
        // Claimed by a submission before: the group's submission with that key is answered
        // with what it was first used for.
        submission(&store, account("G-KEYED", 2), Some("k-1"))
            .await
            .unwrap();
        let answers = as_one_group(
            &store,
            vec![
                submission(&store, account("G-1", 3), None),
                // The fund and reference of a stored announcement, other content.
                submission(&store, account("G-STORED", 4), None),
                submission(&store, account("G-2", 5), Some("k-2")),
                submission(&store, account("G-3", 6), Some("k-1")),
                // The same as G-1, earlier in the group: the same id, nothing new.
                submission(&store, account("G-1", 3), None),
                // G-2's key again, for another announcement.
                submission(&store, account("G-4", 7), Some("k-2")),
                submission(&store, account("G-5", 8), None),
            ],
        )
        .await;
        let ids: Vec<Option<(i64, bool)>> = answers
            .iter()
            .map(|a| a.as_ref().ok().map(|s| (s[0].id, s[0].created)))
            .collect();
        assert!(matches!(ids[0], Some((_, true))), "{answers:?}");
        assert!(
            matches!(answers[1], Err(StoreError::Conflict { index: 0, existing_id }) if existing_id == stored),
            "{:?}",
            answers[1]
        );
        assert!(matches!(ids[2], Some((_, true))), "{answers:?}");
        assert!(
            matches!(&answers[3], Err(StoreError::KeyClaimed { first }) if first.request_sha256 == "request k-1"),
            "{:?}",
            answers[3]
        );
        assert_eq!(ids[4], Some((ids[0].unwrap().0, false)));
        match &answers[5] {
            Err(StoreError::KeyClaimed { first }) => {
                assert_eq!(first.announcement_ids, [ids[2].unwrap().0]);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(ids[6], Some((_, true))), "{answers:?}");
        let references = store
            .fetch_all(
                "SELECT reference FROM announcements ORDER BY id",
                Vec::new(),
            )
            .await
            .unwrap()
            .iter()
            .map(|r| r.text("reference").unwrap())
            .collect::<Vec<_>>();
        assert_eq!(references, ["G-STORED", "G-KEYED", "G-1", "G-2", "G-5"]);
        // One history row each, one audit event per submission stored (annex 2.5).
        let history = "SELECT COUNT(*) AS n FROM announcement_history";
        assert_eq!(count(&store, history).await, 5);
        let audited = "SELECT COUNT(*) AS n FROM audit_events \
                       WHERE action = 'announcement.submit'";
        assert_eq!(count(&store, audited).await, 1 + 4);
        let keys = "SELECT COUNT(*) AS n FROM idempotency_keys";
        assert_eq!(count(&store, keys).await, 2);
    }

    #[tokio::test]
    async fn a_failed_commit_answers_every_submission_of_the_group_with_the_error() {
        let (_dir, store) = sqlite().await;
        // A row the commit refuses (a foreign key checked at the commit), written by the
        // submission of reference G-BREAKS: it succeeds in its savepoint; the commit fails.
        for sql in [
            "CREATE TABLE commit_guard_parent (id INTEGER PRIMARY KEY)",
            "CREATE TABLE commit_guard (parent INTEGER \
             REFERENCES commit_guard_parent (id) DEFERRABLE INITIALLY DEFERRED)",
            "CREATE TRIGGER commit_guard AFTER INSERT ON announcements \
             WHEN NEW.reference = 'G-BREAKS' BEGIN INSERT INTO commit_guard VALUES (1); END",
        ] {
            store.fetch_all(sql, Vec::new()).await.unwrap();
        }
        let answers = as_one_group(
            &store,
            vec![
                submission(&store, account("G-1", 1), Some("k-1")),
                submission(&store, account("G-BREAKS", 2), None),
                submission(&store, account("G-3", 3), None),
            ],
        )
        .await;
        for answer in &answers {
            match answer {
                Err(StoreError::SharedTransaction(e)) => {
                    assert!(e.to_string().contains("FOREIGN KEY"), "{e}");
                }
                other => panic!("{other:?}"),
            }
        }
        let stored = "SELECT COUNT(*) AS n FROM announcements";
        assert_eq!(count(&store, stored).await, 0, "none stored");
        let audited = "SELECT COUNT(*) AS n FROM audit_events";
        assert_eq!(count(&store, audited).await, 0);
        // The writer goes on: the same submissions again, without the one that breaks.
        let again = as_one_group(
            &store,
            vec![
                submission(&store, account("G-1", 1), Some("k-1")),
                submission(&store, account("G-3", 3), None),
            ],
        )
        .await;
        assert!(
            again.iter().all(|a| a.as_ref().is_ok_and(|s| s[0].created)),
            "{again:?}"
        );
        assert_eq!(count(&store, stored).await, 2);
    }

    #[tokio::test]
    async fn a_submission_whose_submitter_goes_away_while_waiting_is_not_stored() {
        let (_dir, store) = sqlite().await;
        let Store::Sqlite(pool) = &store else {
            panic!("SQLite")
        };
        let held = store.begin_write().await.unwrap();
        let gone = tokio::spawn(submission(&store, account("G-GONE", 1), None));
        let queue = Queue::of(pool);
        for _ in 0..500 {
            if queue.len() == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(queue.len(), 1);
        gone.abort();
        assert!(gone.await.unwrap_err().is_cancelled());
        assert_eq!(queue.len(), 0, "taken out of the queue");
        held.commit().await.unwrap();
        submission(&store, account("G-NEXT", 2), None)
            .await
            .unwrap();
        let stored = store
            .fetch_all("SELECT reference FROM announcements", Vec::new())
            .await
            .unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].text("reference").unwrap(), "G-NEXT");
    }

    /// The rows a submission leaves, without the ids of persons (which the order of their
    /// insertion numbers), in an order that does not depend on how they were inserted.
    async fn stored_rows(store: &Store) -> Vec<String> {
        let mut rows = Vec::new();
        for sql in [
            "SELECT json_array(a.id, a.environment, a.fund, a.reference, a.key_code, \
             p.avs_number, a.particulars, a.content_hash, a.state, a.state_since, \
             a.submitted_at) AS r FROM announcements a LEFT JOIN persons p \
             ON p.id = a.person_id ORDER BY a.id",
            "SELECT json_array(announcement_id, state, previous_state, at, cause, actor) AS r \
             FROM announcement_history ORDER BY id",
            "SELECT json_array(at, actor, action, target, outcome, remote_addr, details, funds) \
             AS r FROM audit_events ORDER BY action, target, details, at, actor",
            "SELECT json_array(avs_number, created_at) AS r FROM persons ORDER BY avs_number",
            "SELECT json_array(token_id, key_sha256, request_sha256, announcement_ids, \
             created_at) AS r FROM idempotency_keys ORDER BY key_sha256",
        ] {
            for row in store.fetch_all(sql, Vec::new()).await.unwrap() {
                rows.push(row.text("r").unwrap());
            }
        }
        rows
    }

    /// How many rows each table a submission writes holds.
    async fn counts(store: &Store) -> Vec<i64> {
        let mut counts = Vec::new();
        for sql in [
            "SELECT COUNT(*) AS n FROM announcements",
            "SELECT COUNT(*) AS n FROM announcement_history",
            "SELECT COUNT(*) AS n FROM audit_events",
            "SELECT COUNT(*) AS n FROM persons",
            "SELECT COUNT(*) AS n FROM idempotency_keys",
        ] {
            counts.push(count(store, sql).await);
        }
        counts
    }

    /// Submissions of different callers at different times, some with keys, some naming the
    /// same persons, one of two announcements.
    fn callers() -> Vec<(By, Vec<Announcement>)> {
        (0..6)
            .map(|i: i64| {
                let by = By {
                    environment: Environment::Prod,
                    at: at() + chrono::Duration::microseconds(1_000_003 * i),
                    actor: format!("token:caller-{}", i % 4),
                    key: (i % 2 == 0).then(|| format!("key-{i}")),
                };
                let mut announcements = vec![account(&format!("T-{i}"), 10 + (i as u64 % 4))];
                if i == 3 {
                    announcements.push(account("T-3b", 20));
                }
                (by, announcements)
            })
            .collect()
    }

    #[tokio::test]
    async fn a_group_stored_together_stores_what_each_alone_would() {
        let (_grouped_dir, grouped) = sqlite().await;
        let (_alone_dir, alone) = sqlite().await;
        let submissions = callers()
            .into_iter()
            .map(|(by, announcements)| by.submit(&grouped, announcements))
            .collect();
        let answers = as_one_group(&grouped, submissions).await;
        let mut answered_alone = Vec::new();
        for (by, announcements) in callers() {
            answered_alone.push(by.submit(&alone, announcements).await);
        }
        let answers: Vec<Vec<Submitted>> = answers.into_iter().map(Result::unwrap).collect();
        let answered_alone: Vec<Vec<Submitted>> =
            answered_alone.into_iter().map(Result::unwrap).collect();
        assert_eq!(answers, answered_alone);
        assert_eq!(answers.concat().len(), 7);
        assert_eq!(stored_rows(&grouped).await, stored_rows(&alone).await);
        // Stored together: the group's state events come before its submission events.
        let last_state = "SELECT MAX(id) AS n FROM audit_events \
                          WHERE action = 'announcement.state'";
        let first_submit = "SELECT MIN(id) AS n FROM audit_events \
                            WHERE action = 'announcement.submit'";
        assert!(count(&grouped, last_state).await < count(&grouped, first_submit).await);
        assert!(count(&alone, last_state).await > count(&alone, first_submit).await);
    }

    #[tokio::test]
    async fn only_the_plain_case_is_stored_together_and_the_rest_is_undone() {
        let (_dir, store) = sqlite().await;
        let note = ChangeNote::new(at(), "t", "c");
        store
            .submit(&[account("P-STORED", 1)], &note)
            .await
            .unwrap();
        submission(&store, account("P-KEYED", 2), Some("k-1"))
            .await
            .unwrap();
        let revocation = Announcement::new(
            FundNumber::parse("066.000").unwrap(),
            Reference::new("P-REVOKES").unwrap(),
            KeyCode::new(99).unwrap(),
            Particulars::CollectionRevocation {
                avs_number: avs(9),
                closing: ClosingMonth::new(2026, 10).unwrap(),
            },
        )
        .unwrap();
        let test = By::test(None);
        let keyed = |key: &str| By::test(Some(key));
        let acceptance = By {
            environment: Environment::Abn,
            ..By::test(None)
        };
        let not_plain = [
            (
                "stored before, other content",
                vec![
                    test.submission(&[account("P-1", 3)]),
                    test.submission(&[account("P-STORED", 4)]),
                ],
            ),
            (
                "stored before, the same content",
                vec![
                    test.submission(&[account("P-2", 5)]),
                    test.submission(&[account("P-STORED", 1)]),
                ],
            ),
            (
                "twice in the group",
                vec![
                    test.submission(&[account("P-3", 6)]),
                    test.submission(&[account("P-3", 6)]),
                ],
            ),
            (
                "a key used before",
                vec![
                    test.submission(&[account("P-4", 7)]),
                    keyed("k-1").submission(&[account("P-5", 8)]),
                ],
            ),
            (
                "a key twice in the group",
                vec![
                    keyed("k-2").submission(&[account("P-6", 9)]),
                    keyed("k-2").submission(&[account("P-7", 10)]),
                ],
            ),
            (
                "two environments",
                vec![
                    test.submission(&[account("P-8", 11)]),
                    acceptance.submission(&[account("P-9", 12)]),
                ],
            ),
            (
                "a revocation of an RCI",
                vec![
                    test.submission(&[account("P-10", 13)]),
                    test.submission(&[revocation]),
                ],
            ),
        ];
        let before = counts(&store).await;
        for (case, group) in not_plain {
            let mut tx = store.begin_write().await.unwrap();
            let group: Vec<&Submission> = group.iter().collect();
            let seen_apart = ["two environments", "a revocation of an RCI"].contains(&case);
            match store_together(&mut tx, &group).await {
                // Nothing written: committing keeps nothing.
                Together::Apart if seen_apart => tx.commit().await.unwrap(),
                Together::Undo if !seen_apart => tx.rollback().await.unwrap(),
                Together::Apart | Together::Undo => panic!("{case}: apart {}", !seen_apart),
                Together::Stored(_) => panic!("{case}: stored together"),
            }
            assert_eq!(counts(&store).await, before, "{case}: nothing left of it");
        }
        let group = [
            keyed("k-3").submission(&[account("P-20", 20)]),
            test.submission(&[account("P-21", 21), account("P-22", 1)]),
        ];
        let mut tx = store.begin_write().await.unwrap();
        let Together::Stored(answers) =
            store_together(&mut tx, &group.iter().collect::<Vec<_>>()).await
        else {
            panic!("stored together")
        };
        tx.commit().await.unwrap();
        let shape: Vec<Vec<bool>> = answers
            .iter()
            .map(|a| a.iter().map(|s| s.created && s.revokes.is_none()).collect())
            .collect();
        assert_eq!(shape, [vec![true], vec![true, true]]);
        // Three announcements, their history, one state event (the two submissions' changes:
        // one actor, one time, one cause: one step, of one fund), two submission events, two
        // new persons (the third, number 1, was known), one key.
        let after: Vec<i64> = before
            .iter()
            .zip([3, 3, 1 + 2, 2, 1])
            .map(|(b, n)| b + n)
            .collect();
        assert_eq!(counts(&store).await, after);
        let answered = "SELECT COUNT(*) AS n FROM idempotency_keys \
                        WHERE announcement_ids = '[' || (SELECT id FROM announcements \
                        WHERE reference = 'P-20') || ']'";
        assert_eq!(count(&store, answered).await, 1);
    }
}
