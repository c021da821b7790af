//! The query plans of the statements the engine runs for every batch (submit, claim, build,
//! send, take in acknowledgements, the deadline scan), read from the database itself and
//! checked for the two mistakes that once made the gateway 20 times slower: a scan of a whole
//! table, and a bound set of rows (one JSON parameter, [`SqlBuilder::push_rows`]) read again for
//! every row of a table instead of once.
//!
//! A plan depends on the database's version and, on PostgreSQL, on its statistics: `arcgw
//! plans` shows an operator the plans on their own database; the tests check them on a seeded
//! one.
//!
//! [`SqlBuilder::push_rows`]: super::sql::SqlBuilder::push_rows

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};

use super::error::StoreError;
use super::reminders::DueReminder;
use super::sql::{Arg, Row, Sql, SqlBuilder, time_field};
use super::{Backend, Store};
use super::{acknowledgements, announcements, claim, deadline_watch, history, persons};
use super::{reminders, revocations};
use super::{submit, transmissions};
use crate::deadlines::{DeadlineRule, OverdueStarts};
use crate::domain::{AnnouncementState, AvsNumber, Environment};

/// The tables that grow with the announcements: none of them may be read whole by a hot
/// statement.
const GROWING_TABLES: [&str; 8] = [
    "announcements",
    "announcement_history",
    "acknowledgement_entries",
    "acknowledgements",
    "persons",
    "transmissions",
    "reminders",
    "audit_events",
];

/// The tables the hot statements read that do not grow with the announcements: the running
/// deadlines (`deadline_watch`) hold the pending PROD announcements not reminded yet, about
/// three weeks of a fund's work whatever its history. On PostgreSQL a whole read of one is the
/// planner's right choice while it is small (a hash join of a batch with a few thousand rows;
/// at a million running deadlines the deadline-scan benchmark has it read by index); SQLite,
/// which plans without statistics, must read every table by index. Their statistics are
/// refreshed with the others'.
const BOUNDED_TABLES: [&str; 1] = ["deadline_watch"];

/// The plan of one hot statement and what is wrong with it.
#[derive(Clone, Debug)]
pub struct StatementPlan {
    /// What the statement does, in the engine's words.
    pub statement: &'static str,
    /// The plan as the database gave it, one step a line, indented by depth.
    pub plan: Vec<String>,
    /// Each problem found: a whole table read, or bound rows read again per row.
    pub problems: Vec<String>,
}

impl Store {
    /// The plans of the hot statements on this database, each with its problems (none when
    /// the plan is as it should be). Nothing is executed: `EXPLAIN` only.
    pub async fn hot_statement_plans(&self) -> Result<Vec<StatementPlan>, StoreError> {
        let backend = self.backend();
        let mut plans = Vec::new();
        for (statement, sql, args) in hot_statements(backend) {
            let plan = match backend {
                Backend::Sqlite => {
                    let rows = self.fetch_all(explain(backend, sql), args).await?;
                    sqlite_plan(&rows)?
                }
                Backend::Postgres => {
                    let row = self.fetch_one(explain(backend, sql), args).await?;
                    let text = row.json_text("QUERY PLAN")?;
                    let json: Value =
                        serde_json::from_str(&text).map_err(|_| StoreError::Encode {
                            what: "PostgreSQL plan",
                        })?;
                    postgres_plan(&json)
                }
            };
            plans.push(StatementPlan {
                statement,
                plan: plan.lines,
                problems: plan.problems,
            });
        }
        Ok(plans)
    }

    /// Brings the database's statistics up to date (PostgreSQL `ANALYZE` of the growing
    /// tables, as autovacuum does on its own schedule); SQLite plans without statistics, as
    /// the gateway never gathers them.
    pub async fn refresh_statistics(&self) -> Result<(), StoreError> {
        if let Store::Postgres(_) = self {
            let mut sql = SqlBuilder::new("ANALYZE ");
            for (i, table) in GROWING_TABLES.iter().chain(&BOUNDED_TABLES).enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.push(table);
            }
            let (sql, args) = sql.finish();
            self.fetch_all(sql, args).await?;
        }
        Ok(())
    }
}

fn explain(backend: Backend, sql: Sql) -> Sql {
    let text = match &sql {
        Sql::Literal(text) => text,
        Sql::Built(text) => text.as_str(),
    };
    let prefix = match backend {
        Backend::Sqlite => "EXPLAIN QUERY PLAN ",
        Backend::Postgres => "EXPLAIN (FORMAT JSON) ",
    };
    // Only literals and placeholders, as in the statement explained.
    Sql::Built(format!("{prefix}{text}"))
}

/// The hot statements, built by the same functions the store runs them from, with arguments
/// of the shape the engine gives (a few rows where it gives a batch).
fn hot_statements(backend: Backend) -> Vec<(&'static str, Sql, Vec<Arg>)> {
    let env = Environment::Prod;
    let at = Utc
        .with_ymd_and_hms(2026, 12, 1, 8, 0, 0)
        .single()
        .unwrap_or_default();
    let ids: BTreeSet<i64> = [1, 2, 3].into();
    // A batch as the engine claims it: with a few ids every plan is a nested loop.
    let batch: Vec<i64> = (1..=1000).collect();
    let numbers: BTreeSet<AvsNumber> = ["756.1234.5678.97", "756.9217.0769.85"]
        .iter()
        .filter_map(|n| AvsNumber::parse(n).ok())
        .collect();
    let columns: Vec<Value> = (1..=3)
        .map(|i| {
            json!([
                "066.000",
                format!("R-{i}"),
                61,
                1,
                null,
                null,
                "{}",
                "hash",
                time_field(at)
            ])
        })
        .collect();
    let keys: Vec<(String, &str)> = vec![
        ("066.000".to_string(), "R-1"),
        ("066.000".to_string(), "R-2"),
    ];
    let changes = history::StateChange::each(
        ids.iter().copied(),
        AnnouncementState::Sending,
        AnnouncementState::Announced,
        &history::ChangeNote::new(at, "plans", "plans"),
    );
    let ends = history::ends(&changes, at);
    // The running deadlines, as `history::set_states` follows them: started when sent, ended
    // when dealt with.
    let changed: BTreeMap<i64, (String, String)> = ids
        .iter()
        .map(|&id| (id, (env.as_str().to_string(), "066.000".to_string())))
        .collect();
    let dealt_with = history::ends(
        &history::StateChange::each(
            ids.iter().copied(),
            AnnouncementState::Announced,
            AnnouncementState::Done,
            &history::ChangeNote::new(at, "plans", "plans"),
        ),
        at,
    );
    let deadlines = [
        ("change states: the deadlines started", &ends),
        ("change states: the deadlines ended", &dealt_with),
    ]
    .into_iter()
    .flat_map(|(name, ends)| {
        deadline_watch::follow_statements(backend, &history::followed(ends, &changed), at)
            .into_iter()
            .map(move |statement| (name, statement))
    })
    .collect::<Vec<_>>();
    let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default();
    let overdue = OverdueStarts {
        not_mentioned: day,
        still_processing: day,
    };
    let reminders_due: Vec<DueReminder> = ids
        .iter()
        .map(|&announcement_id| DueReminder {
            announcement_id,
            rule: DeadlineRule::NotMentioned,
            due: day,
        })
        .collect();
    let literal = |(sql, args): (&'static str, Vec<Arg>)| (Sql::Literal(sql), args);
    let mut statements: Vec<(&'static str, (Sql, Vec<Arg>))> = vec![
        (
            "submit: persons by AVS number",
            persons::persons_statement(backend, &numbers),
        ),
        (
            "submit: insert announcements",
            submit::insert_statement(backend, env, &columns),
        ),
        (
            "submit: announcements stored before",
            submit::stored_before_statement(backend, env, &columns),
        ),
        (
            "submit: the RCIs a revocation may revoke",
            revocations::announcements_of_persons_statement(backend, env, [1, 2]),
        ),
        (
            "claim queued announcements",
            literal(claim::claim_statement(backend, env, 1000, at)),
        ),
        (
            "build: pick queued announcements",
            claim::pick_statement(backend, env, 1000),
        ),
        (
            "build: take them into the transmission",
            claim::take_statement(backend, 1, &batch, at, claim::Picked::Held),
        ),
        (
            "read claimed announcements",
            announcements::full_statement(backend, &batch),
        ),
        (
            "build: lock announcements",
            transmissions::lock_statement(backend, &batch.iter().copied().collect()),
        ),
        (
            "build: assign the transmission",
            transmissions::assign_statement(backend, 1, env, &batch.iter().copied().collect()),
        ),
        (
            "send: announcements of the transmission",
            literal(transmissions::announce_statement(backend, 1)),
        ),
        (
            "acknowledgement: match entries",
            acknowledgements::match_statement(backend, env, &keys),
        ),
        (
            "deadline scan: a page of pending announcements",
            literal(reminders::pending_statement(None, 1000, &overdue)),
        ),
        (
            "deadline scan: raise reminders",
            reminders::raise_statement(backend, &reminders_due, at),
        ),
    ];
    if backend == Backend::Sqlite {
        // Only SQLite picks a transmission's announcements before its transaction.
        statements.push((
            "build: take them, picked before, into the transmission",
            claim::take_statement(backend, 1, &batch, at, claim::Picked::Outside),
        ));
    }
    statements.extend(deadlines);
    statements.extend(
        history::set_states_statements(backend, &ends, at)
            .into_iter()
            .map(|statement| ("change states", statement)),
    );
    // The history rows and the audit log's events per step and fund of the same changes.
    let noted: Vec<history::Noted<'_>> = changes
        .iter()
        .map(|change| history::Noted {
            change,
            fund: "066.000",
            at,
            actor: "plans",
        })
        .collect();
    statements.extend(
        history::append_statements(backend, &noted)
            .expect("the plans' changes are of a valid fund")
            .into_iter()
            .map(|statement| ("change states: history and audit", statement.finish())),
    );
    statements.extend(
        reminders::end_deadlines_statements(backend, &reminders_due)
            .into_iter()
            .map(|statement| ("deadline scan: end the deadlines reminded", statement)),
    );
    statements
        .into_iter()
        .map(|(name, (sql, args))| (name, sql, args))
        .collect()
}

struct Plan {
    lines: Vec<String>,
    problems: Vec<String>,
}

/// SQLite's `EXPLAIN QUERY PLAN` rows (id, parent, detail): the loops of one query block are
/// siblings, outermost first.
fn sqlite_plan(rows: &[Row]) -> Result<Plan, StoreError> {
    struct Step {
        id: i64,
        parent: i64,
        detail: String,
    }
    let steps = rows
        .iter()
        .map(|row| {
            Ok(Step {
                id: row.int("id")?,
                parent: row.int("parent")?,
                detail: row.text("detail")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let parent_of: BTreeMap<i64, i64> = steps.iter().map(|s| (s.id, s.parent)).collect();
    let detail_of: BTreeMap<i64, &str> = steps.iter().map(|s| (s.id, s.detail.as_str())).collect();
    let depth = |mut id: i64| {
        let mut depth = 0;
        while let Some(&parent) = parent_of.get(&id) {
            depth += 1;
            id = parent;
        }
        depth
    };
    // Names of materialized or co-routine subqueries: scanning them reads no table.
    let subqueries: BTreeSet<&str> = steps
        .iter()
        .filter_map(|s| {
            s.detail
                .strip_prefix("MATERIALIZE ")
                .or_else(|| s.detail.strip_prefix("CO-ROUTINE "))
        })
        .collect();
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    // Per parent: whether a loop over a table came before.
    let mut table_loop_seen: BTreeSet<i64> = BTreeSet::new();
    for step in &steps {
        lines.push(format!(
            "{}{}",
            "  ".repeat(depth(step.id) - 1),
            step.detail
        ));
        let detail = step.detail.as_str();
        let bound_rows = detail.contains("VIRTUAL TABLE");
        if let Some(rest) = detail.strip_prefix("SCAN ") {
            let name = rest.split(' ').next().unwrap_or(rest);
            if !bound_rows && !name.starts_with('(') && !subqueries.contains(name) {
                problems.push(format!("reads the whole of `{name}`: {detail}"));
            }
        }
        if bound_rows {
            if table_loop_seen.contains(&step.parent) {
                problems.push(format!(
                    "reads the bound rows again for each row of a table: {detail}"
                ));
            }
            let mut ancestor = step.parent;
            while let Some(&up) = parent_of.get(&ancestor) {
                if detail_of
                    .get(&ancestor)
                    .is_some_and(|d| d.starts_with("CORRELATED"))
                {
                    problems.push(format!(
                        "reads the bound rows again in a correlated subquery: {detail}"
                    ));
                    break;
                }
                ancestor = up;
            }
        } else if detail.starts_with("SCAN ") || detail.starts_with("SEARCH ") {
            table_loop_seen.insert(step.parent);
        }
    }
    Ok(Plan { lines, problems })
}

/// PostgreSQL's `EXPLAIN (FORMAT JSON)`: a tree of nodes.
fn postgres_plan(json: &Value) -> Plan {
    let mut plan = Plan {
        lines: Vec::new(),
        problems: Vec::new(),
    };
    if let Some(root) = json.get(0).and_then(|p| p.get("Plan")) {
        walk_postgres(root, 0, false, &mut plan);
    }
    plan
}

/// `repeated`: this node runs once per row of something above it (the inner side of a nested
/// loop, or a correlated subplan).
fn walk_postgres(node: &Value, depth: usize, repeated: bool, plan: &mut Plan) {
    let text = |key: &str| node.get(key).and_then(Value::as_str).unwrap_or("");
    let kind = text("Node Type");
    let relation = text("Relation Name");
    let mut line = format!("{}{kind}", "  ".repeat(depth));
    if !relation.is_empty() {
        line.push_str(&format!(" on {relation}"));
    }
    if !text("Index Name").is_empty() {
        line.push_str(&format!(" using {}", text("Index Name")));
    }
    if !text("Function Name").is_empty() {
        line.push_str(&format!(" of {}", text("Function Name")));
    }
    if kind == "Seq Scan" && GROWING_TABLES.contains(&relation) {
        plan.problems
            .push(format!("reads the whole of `{relation}`: {}", line.trim()));
    }
    let index_condition = text("Index Cond");
    if repeated && kind.contains("Index") && !names_another_row(index_condition) {
        plan.problems.push(format!(
            "reads the same index range again for each row of a table ({index_condition}): {}",
            line.trim()
        ));
    }
    if kind == "Function Scan" && repeated {
        plan.problems.push(format!(
            "reads the bound rows again for each row of a table: {}",
            line.trim()
        ));
    }
    plan.lines.push(line);
    let children = node.get("Plans").and_then(Value::as_array);
    for (i, child) in children.into_iter().flatten().enumerate() {
        let relationship = child
            .get("Parent Relationship")
            .and_then(Value::as_str)
            .unwrap_or("");
        let subplan_name = child
            .get("Subplan Name")
            .and_then(Value::as_str)
            .unwrap_or("");
        // A materialized or hashed input is read once, whatever runs above it.
        let once = kind == "Materialize" || kind == "Hash";
        let per_row = repeated
            || (relationship == "SubPlan" && !subplan_name.starts_with("hashed"))
            || (kind == "Nested Loop" && (relationship == "Inner" || i == 1));
        let per_row = per_row && !once;
        walk_postgres(child, depth + 1, per_row, plan);
    }
}

/// Whether a PostgreSQL condition names a column of another row (`alias.column`, outside
/// quoted constants): a scan run once per row of something above it must be driven by that
/// row, or it reads the same range each time.
fn names_another_row(condition: &str) -> bool {
    let mut outside_quotes = String::with_capacity(condition.len());
    let mut quoted = false;
    for c in condition.chars() {
        if c == '\'' {
            quoted = !quoted;
        } else if !quoted {
            outside_quotes.push(c);
        }
    }
    let chars: Vec<char> = outside_quotes.chars().collect();
    chars.windows(3).enumerate().any(|(i, w)| {
        let starts_name = |c: char| c.is_ascii_alphabetic() || c == '_';
        let name_before = (0..=i)
            .rev()
            .take_while(|&j| chars[j].is_ascii_alphanumeric() || chars[j] == '_')
            .last()
            .is_some_and(|j| starts_name(chars[j]));
        (w[0].is_ascii_alphanumeric() || w[0] == '_')
            && w[1] == '.'
            && starts_name(w[2])
            && name_before
    })
}

#[cfg(test)]
mod tests {
    use super::names_another_row;

    #[test]
    fn a_condition_names_another_row_only_outside_constants() {
        assert!(names_another_row("(person_id = a_1.person_id)"));
        assert!(names_another_row(
            "((state = 'queued'::text) AND (id = picked.id))"
        ));
        assert!(!names_another_row("(environment = 'prod'::text)"));
        assert!(!names_another_row("(fund = '066.000'::text)"));
        assert!(!names_another_row("(amount = 1.5)"));
        assert!(!names_another_row(""));
    }
}
