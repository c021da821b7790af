//! An announcement written back in the JSON of docs/api.md, the same shape a fund submits, so
//! that what is read back can be compared with what was sent.

use serde_json::{Map, Value, json};

use crate::domain::{Announcement, Beneficiary, Domicile, Particulars, Person};

/// The announcement as contract JSON.
pub fn to_contract_json(a: &Announcement) -> Value {
    let mut out = Map::new();
    out.insert("fund".into(), json!(a.fund().to_string()));
    out.insert("reference".into(), json!(a.reference().as_str()));
    out.insert("key".into(), json!(a.key().code()));
    if let Some(n) = a.avs_number() {
        out.insert("avs_number".into(), json!(n.to_string()));
    }
    match a.particulars() {
        Particulars::Certificate { person, .. } => {
            out.insert("person".into(), person_json(person));
        }
        Particulars::Account { .. } => {}
        Particulars::Collection { order, .. } => {
            let beneficiary = match order.beneficiary {
                Beneficiary::Insured => "insured".to_string(),
                Beneficiary::Other(n) => n.to_string(),
            };
            let mut rci = json!({
                "beneficiary": beneficiary,
                "closing": order.closing.to_string(),
                "order_date": order.order_date.to_string(),
                "domicile": domicile_json(order.domicile),
            });
            if a.key().is_old_law() {
                rci["old_law"] = json!(true);
            }
            out.insert("rci".into(), rci);
        }
        Particulars::Domicile { domicile, .. } => {
            out.insert("rci".into(), json!({"domicile": domicile_json(*domicile)}));
        }
        Particulars::CollectionRevocation { closing, .. } => {
            out.insert("rci".into(), json!({"closing": closing.to_string()}));
        }
        Particulars::SplittingRevocation { spouse, .. } => {
            out.insert(
                "splitting".into(),
                json!({"spouse_avs_number": spouse.to_string()}),
            );
        }
        // Stored before the annex 9 correction (migration 0015): shown as it was submitted then.
        Particulars::Order { order_date, .. } => {
            out.insert("rci".into(), json!({"order_date": order_date.to_string()}));
        }
        Particulars::Splitting { order, .. } => {
            let years: Vec<Value> = order
                .years()
                .iter()
                .map(|y| match y.special {
                    Some(s) => json!({"year": y.year, "special": s.code()}),
                    None => json!({"year": y.year}),
                })
                .collect();
            out.insert(
                "splitting".into(),
                json!({"spouse_avs_number": order.spouse().to_string(), "years": years}),
            );
        }
    }
    Value::Object(out)
}

fn domicile_json(domicile: Domicile) -> Value {
    match domicile {
        Domicile::InSwitzerland { from, to } => {
            json!({"code": 1, "from": from.to_string(), "to": to.to_string()})
        }
        other => json!({"code": other.code()}),
    }
}

fn person_json(p: &Person) -> Value {
    json!({
        "surname": p.name.surname(),
        "given_names": p.name.given_names().unwrap_or(""),
        "sex": p.sex.code(),
        "birth_date": p.birth_date.to_string(),
        "country": p.country.code(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::{Destination, Intake, validate_json, validate_values};
    use chrono::NaiveDate;

    #[test]
    fn the_examples_read_back_the_same() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let bytes = include_bytes!("../../config/examples/announcements.json");
        let intake = Intake::new(today, Destination::Queue).with_swiss_fund(Some(25));
        let first = validate_json(bytes, 1 << 20, &intake).unwrap();
        assert!(first.report.valid);
        let written: Vec<Value> = first.announcements.iter().map(to_contract_json).collect();
        let again = validate_values(&written, &intake);
        assert_eq!(again.announcements, first.announcements);
    }
}
