//! A revocation of an RCI order (key 99) and the RCI it revokes: annex 9 row 4 gives the 99 the
//! closing date of that RCI, and N. 2720 says two RCIs of one person differ by closing date. So
//! the RCI revoked is the one of the same person and fund, in the same environment, with that
//! closing month (the latest, should there be several).

use std::collections::BTreeMap;

use super::Backend;
use super::codec::StoredParticulars;
use super::error::StoreError;
use super::sql::{Arg, Sql, SqlBuilder, Tx, args};
use crate::domain::{ClosingMonth, Environment};

/// A stored revocation of an RCI, to be linked.
pub(crate) struct Revocation {
    pub id: i64,
    pub fund: String,
    pub person_id: i64,
    pub closing: ClosingMonth,
}

/// The announcements of `environment` of these persons, in id order.
pub(super) fn announcements_of_persons_statement(
    backend: Backend,
    environment: Environment,
    person_ids: impl IntoIterator<Item = i64>,
) -> (Sql, Vec<Arg>) {
    let mut sql =
        SqlBuilder::new("SELECT id, fund, person_id, particulars FROM announcements WHERE ");
    sql.push_id_in(backend, "person_id", person_ids)
        .push(" AND environment = ")
        .push_arg(environment.as_str())
        .push(" ORDER BY id");
    sql.finish()
}

/// Links each revocation to the RCI it revokes, when the store holds one, and answers the id
/// of that RCI per revocation id (`None`: no RCI of that person and fund with that closing
/// month is known here).
pub(crate) async fn link(
    tx: &mut Tx,
    environment: Environment,
    revocations: &[Revocation],
) -> Result<BTreeMap<i64, Option<i64>>, StoreError> {
    let mut links: BTreeMap<i64, Option<i64>> = revocations.iter().map(|r| (r.id, None)).collect();
    if revocations.is_empty() {
        return Ok(links);
    }
    let (sql, args) = announcements_of_persons_statement(
        tx.backend(),
        environment,
        revocations.iter().map(|r| r.person_id),
    );
    for row in tx.fetch_all(sql, args).await? {
        let id = row.int("id")?;
        let Some(closing) = StoredParticulars::from_json(&row.text("particulars")?)
            .map_err(|_| StoreError::corrupt("particulars", id))?
            .rci_closing()
        else {
            continue;
        };
        let (fund, person_id) = (row.text("fund")?, row.opt_int("person_id")?);
        for r in revocations {
            let same = r.fund == fund
                && Some(r.person_id) == person_id
                && (r.closing.year(), r.closing.month()) == closing;
            if same {
                // Rows come in id order: the latest RCI with that closing month wins.
                links.insert(r.id, Some(id));
            }
        }
    }
    for (revocation, rci) in &links {
        if let Some(rci) = rci {
            tx.execute(
                "UPDATE announcements SET revokes_id = $1 WHERE id = $2",
                args![*rci, *revocation],
            )
            .await?;
        }
    }
    Ok(links)
}
