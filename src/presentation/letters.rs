//! The letters about one announcement to the ZAS's ARC control office (N. 3402), as the API
//! (`crate::api::letters`) and the announcement page (`crate::web::dashboard`) write them: the
//! rule of each letter checked against what is stored (N. 2703: an RCI that is done; N. 3301: an
//! announcement the ZAS acknowledged), the details of its audit event (never the AVS numbers nor
//! the text) and the name of its file.

use serde_json::{Value, json};

use crate::app::AppState;
use crate::letters::{
    CitedAnnouncement, Document, Language, LetterKind, LetterRequest, NotAllowed, compose_about,
};
use crate::store::{AnnouncementDetail, StoreError};

/// The letter of `request` about the announcement of `detail` in `language`, dated today; or
/// why its rule does not allow it (N. 2703: an RCI that is done; N. 3301: an announcement the
/// ZAS acknowledged). The caller has checked that the reader may act for its fund, and audits.
pub async fn letter_about(
    state: &AppState,
    detail: &AnnouncementDetail,
    request: &LetterRequest,
    language: Language,
) -> Result<Result<Document, NotAllowed>, StoreError> {
    let kind = request.kind();
    let stored = &detail.announcement;
    let Some(cited) = CitedAnnouncement::of(detail) else {
        return Ok(Err(NotAllowed::NeverAnnounced {
            id: stored.id,
            state: stored.state,
            rule: kind.rule(),
        }));
    };
    let acknowledged = !state.store.entries_of(stored.id).await?.is_empty();
    if let Err(refusal) = kind.allowed(&cited, acknowledged) {
        return Ok(Err(refusal));
    }
    let fund = stored.announcement.fund();
    let head = state.letters.letterhead(fund, state.clock.today());
    Ok(Ok(compose_about(&head, &cited, request, language)))
}

/// The details of the audit event of a letter: its request's counts, language and format.
pub fn letter_audit_details(request: &LetterRequest, language: Language, format: &str) -> Value {
    let mut details = request.audit_details();
    details["language"] = json!(language);
    details["format"] = json!(format);
    details
}

/// The file name of a letter, without extension.
pub fn letter_file_name(kind: LetterKind, id: i64, language: Language) -> String {
    format!("letter-{}-{id}-{language}", kind.slug())
}
