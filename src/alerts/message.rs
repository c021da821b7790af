//! What an alert says: fund, reference, key, rule, the day announced, the due date and the
//! dashboard link of the announcement. Never an AVS number (security baseline, draft art. 3): it is
//! made from a [`Reminder`], which holds none, and the texts are checked once more before they
//! leave.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::deadlines::DeadlineRule;
use crate::store::Reminder;

/// One alert, as the webhook's JSON body and the e-mail's text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AlertMessage {
    /// The stable id a receiver de-duplicates on (also the `X-Arcgw-Alert-Id` header and the
    /// e-mail's Message-ID).
    pub alert_id: String,
    /// `deadline_passed`: a deadline of N. 3401 passed, the fund must write to the ZAS (N. 3402).
    pub kind: &'static str,
    pub announcement_id: i64,
    pub fund: String,
    pub reference: String,
    pub key: u8,
    pub rule: DeadlineRule,
    pub announced_on: NaiveDate,
    /// The last working day of the deadline that passed.
    pub due: NaiveDate,
    pub raised_at: DateTime<Utc>,
    pub announcement_url: String,
}

impl AlertMessage {
    /// The alert `alert_id` of `reminder`, linking to the announcement under `dashboard_url`.
    pub fn deadline_passed(alert_id: &str, reminder: &Reminder, dashboard_url: &str) -> Self {
        AlertMessage {
            alert_id: alert_id.to_string(),
            kind: "deadline_passed",
            announcement_id: reminder.announcement_id,
            fund: reminder.fund.to_string(),
            reference: reminder.reference.to_string(),
            key: reminder.key.code(),
            rule: reminder.rule,
            announced_on: reminder.announced_on(),
            due: reminder.due,
            raised_at: reminder.raised_at,
            announcement_url: format!(
                "{}/announcements/{}",
                dashboard_url.trim_end_matches('/'),
                reminder.announcement_id
            ),
        }
    }

    /// What the rule means for the fund, in a clerk's words (short: lines of the e-mail stay
    /// under 76 characters, so it goes as plain 7-bit text).
    fn rule_text(&self) -> &'static str {
        match self.rule {
            DeadlineRule::NotMentioned => "not mentioned by the ZAS within 7 working days",
            DeadlineRule::StillProcessing => "still being processed after 15 working days",
        }
    }

    /// The e-mail's subject.
    pub fn subject(&self) -> String {
        format!(
            "[arcgw] Deadline passed: fund {} reference {} (due {})",
            self.fund, self.reference, self.due
        )
    }

    /// The e-mail's plain-text body.
    pub fn text(&self) -> String {
        format!(
            "A deadline of N. 3401 passed: the fund must write to the ZAS (N. 3402).\n\
             \n\
             Fund:         {}\n\
             Reference:    {}\n\
             Key:          {}\n\
             Announced on: {}\n\
             Due on:       {}\n\
             Rule:         {} (N. 3401)\n\
             \n\
             {}\n\
             \n\
             Alert id: {}\n",
            self.fund,
            self.reference,
            self.key,
            self.announced_on,
            self.due,
            self.rule_text(),
            self.announcement_url,
            self.alert_id
        )
    }

    /// The webhook's body.
    pub fn json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("an alert serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_the_text_are_short_enough_for_7_bit_mail() {
        for rule in [DeadlineRule::NotMentioned, DeadlineRule::StillProcessing] {
            let alert = AlertMessage {
                alert_id: "057a7984-2e3c-4fb8-8c43-25fb4400405b".into(),
                kind: "deadline_passed",
                announcement_id: 123_456,
                fund: "066.000".into(),
                reference: "REF-2026-000001".into(),
                key: 61,
                rule,
                announced_on: NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
                due: NaiveDate::from_ymd_opt(2027, 1, 13).unwrap(),
                raised_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
                announcement_url: "https://arcgw.fund.example/announcements/123456".into(),
            };
            let text = alert.text();
            assert!(text.lines().all(|l| l.len() <= 76), "{text}");
            assert!(text.contains("(N. 3401)"), "{text}");
        }
    }
}
