//! The fund numbers an API token or an account is bound to (N. 2102; security baseline, draft
//! art. 7), read for many owners at once.

use std::collections::BTreeMap;

use super::error::StoreError;
use super::sql::{SqlBuilder, Tx};
use crate::domain::FundNumber;

/// The funds of each of `ids`, read by `start`: a literal `SELECT <owner> AS owner, fund FROM
/// <table> WHERE <owner> IN (`, completed here. `what` names the rows in a corruption error.
pub(super) async fn funds_of(
    tx: &mut Tx,
    start: &'static str,
    ids: &[i64],
    what: &'static str,
) -> Result<BTreeMap<i64, Vec<FundNumber>>, StoreError> {
    let mut funds: BTreeMap<i64, Vec<FundNumber>> = BTreeMap::new();
    if ids.is_empty() {
        return Ok(funds);
    }
    let mut sql = SqlBuilder::new(start);
    sql.push_list(ids.iter().copied())
        .push(") ORDER BY owner, fund");
    let (sql, args) = sql.finish();
    for row in tx.fetch_all(sql, args).await? {
        let owner = row.int("owner")?;
        let fund = stored_fund(&row.text("fund")?, what, owner)?;
        funds.entry(owner).or_default().push(fund);
    }
    Ok(funds)
}

/// A stored fund number of `owner`; `what` names it in a corruption error.
pub(super) fn stored_fund(
    text: &str,
    what: &'static str,
    owner: i64,
) -> Result<FundNumber, StoreError> {
    FundNumber::parse(text).map_err(|_| StoreError::corrupt(what, owner))
}
