//! An acknowledgement entry as the API shows it: what the ZAS answered about an announcement
//! and the results that came with it (N. 3201–3203).

use serde_json::{Value, json};

use crate::domain::{AcknowledgementResult, Processing};
use crate::store::StoredEntry;

pub fn entry_json(stored: &StoredEntry) -> Value {
    let e = &stored.entry;
    let processing = match e.processing {
        Processing::Done => "done",
        Processing::InProgress => "still being processed",
        Processing::Refused(_) => "refused",
    };
    json!({
        "acknowledgement": stored.acknowledgement_message_id,
        "date": stored.acknowledgement_date,
        "processing_code": e.processing.code(),
        "processing": processing,
        "observations": e.observations.iter().map(|o| json!({"code": o.code, "text": o.text})).collect::<Vec<_>>(),
        "wrong_fields": e.wrong_fields,
        "invitation_to_investigate": e.investigation,
        "avs_number": e.avs_number.map(|n| n.to_string()),
        "result": e.result.as_ref().map(result_json),
        "transmission_mismatch": stored.mismatch,
    })
}

fn result_json(r: &AcknowledgementResult) -> Value {
    match r {
        AcknowledgementResult::Certificate(c) => json!({
            "kind": "certificate",
            "avs_number": c.avs_number.to_string(),
            "name": c.name.to_string(),
            "sex": c.sex.code(),
            "birth_date": c.birth_date.to_string(),
            "country": c.country.code(),
            "issue_date": c.issue_date,
        }),
        AcknowledgementResult::AccountOpening { avs_number, fund } => json!({
            "kind": "account_opening",
            "avs_number": avs_number.to_string(),
            "fund": fund.to_string(),
        }),
        AcknowledgementResult::CollectionConfirmation {
            avs_number,
            account_funds,
            other_avs_numbers,
        } => json!({
            "kind": "collection_confirmation",
            "avs_number": avs_number.to_string(),
            "account_funds": account_funds.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "other_avs_numbers": other_avs_numbers.iter().map(ToString::to_string).collect::<Vec<_>>(),
        }),
        AcknowledgementResult::SplittingConfirmation {
            avs_number,
            spouse_avs_number,
            account_funds,
        } => json!({
            "kind": "splitting_confirmation",
            "avs_number": avs_number.to_string(),
            "spouse_avs_number": spouse_avs_number.to_string(),
            "account_funds": account_funds.iter().map(ToString::to_string).collect::<Vec<_>>(),
        }),
    }
}
