//! The next deadline of a stored announcement as the API and the announcement page show it
//! (N. 3401), with the start it runs from read from the store.

use crate::app::AppState;
use crate::calendar::CalendarError;
use crate::deadlines::{Deadline, next_deadline, why_no_deadline};
use crate::domain::AnnouncementState;
use crate::store::{StoreError, StoredAnnouncement};

/// Why the next deadline could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum DeadlineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

/// The next deadline of a stored announcement, while one runs (N. 3401): 7 working days from
/// the day it was announced; 15 from the date of the first acknowledgement that said "still
/// being processed" (a repeat does not restart them, N. 3202). None for an ABN announcement,
/// which no reminder ever follows ([`why_no_deadline`] says why).
pub async fn next_deadline_of(
    state: &AppState,
    stored: &StoredAnnouncement,
) -> Result<Option<Deadline>, DeadlineError> {
    if why_no_deadline(stored.environment, stored.state).is_some() {
        return Ok(None);
    }
    let mut start = stored
        .state_since
        .with_timezone(&chrono_tz::Europe::Zurich)
        .date_naive();
    if stored.state == AnnouncementState::InProgress
        && let Some(date) = state.store.first_in_progress_date(stored.id).await?
    {
        start = date;
    }
    Ok(next_deadline(stored.state, start, &state.calendar)?)
}
