//! What an alert says: of a passed deadline, the fund, reference, key, rule, the day announced,
//! the due date and the dashboard link of the announcement; of a transmission over sedex, its id,
//! environment, message id and what happened. Never an AVS number (security baseline, draft
//! art. 3): it is made from a [`Reminder`] or a transmission's header, which hold none, and the
//! texts are checked once more before they leave.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::deadlines::DeadlineRule;
use crate::store::{Reminder, StoredClosingOrder, TransmissionAlert, TransmissionRecord};

/// One alert, as the webhook's JSON body and the e-mail's text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AlertMessage {
    /// The stable id a receiver de-duplicates on (also the `X-Arcgw-Alert-Id` header and the
    /// e-mail's Message-ID).
    pub alert_id: String,
    /// `deadline_passed`: a deadline of N. 3401 passed, the fund must write to the ZAS (N. 3402);
    /// `sedex_receipt_overdue` and `sedex_message_expires_soon`: a transmission over sedex needs
    /// an operator.
    pub kind: &'static str,
    pub raised_at: DateTime<Utc>,
    /// What it tells of; its fields are the body's own (flattened).
    #[serde(flatten)]
    pub about: AlertAbout,
}

/// What an alert tells of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum AlertAbout {
    Deadline(DeadlineAlert),
    Transmission(TransmissionAlertText),
    ClosingOrder(ClosingOrderAlert),
}

/// A closing order whose ten days (N. 2713) passed without the CI reported transmitted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClosingOrderAlert {
    pub closing_order_id: i64,
    /// The mandated fund, which must transmit the CI.
    pub fund: String,
    /// The fund that ordered the RCI, to which the CI goes.
    pub ordering_fund: String,
    pub key: u8,
    pub received_on: NaiveDate,
    /// The last day to transmit.
    pub due: NaiveDate,
    pub orders_url: String,
}

/// A deadline of N. 3401 that passed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeadlineAlert {
    pub announcement_id: i64,
    pub fund: String,
    pub reference: String,
    pub key: u8,
    pub rule: DeadlineRule,
    pub announced_on: NaiveDate,
    /// The last working day of the deadline that passed.
    pub due: NaiveDate,
    pub announcement_url: String,
}

/// A transmission over sedex that needs an operator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TransmissionAlertText {
    pub transmission_id: i64,
    pub environment: String,
    pub message_id: String,
    /// What happened (the receipt's code and statusInfo, or since when no receipt came).
    pub detail: String,
    /// The dashboard's connection page, where the transmissions' states are shown.
    pub connection_url: String,
}

impl AlertMessage {
    /// The alert `alert_id` of `reminder`, linking to the announcement under `dashboard_url`.
    pub fn deadline_passed(alert_id: &str, reminder: &Reminder, dashboard_url: &str) -> Self {
        AlertMessage {
            alert_id: alert_id.to_string(),
            kind: "deadline_passed",
            raised_at: reminder.raised_at,
            about: AlertAbout::Deadline(DeadlineAlert {
                announcement_id: reminder.announcement_id,
                fund: reminder.fund.to_string(),
                reference: reminder.reference.to_string(),
                key: reminder.key.code(),
                rule: reminder.rule,
                announced_on: reminder.announced_on(),
                due: reminder.due,
                announcement_url: format!(
                    "{}/announcements/{}",
                    dashboard_url.trim_end_matches('/'),
                    reminder.announcement_id
                ),
            }),
        }
    }

    /// The alert `alert_id` of the overdue closing order `order`, raised at `raised_at`.
    pub fn closing_order_overdue(
        alert_id: &str,
        order: &StoredClosingOrder,
        raised_at: DateTime<Utc>,
        dashboard_url: &str,
    ) -> Self {
        AlertMessage {
            alert_id: alert_id.to_string(),
            kind: "closing_order_overdue",
            raised_at,
            about: AlertAbout::ClosingOrder(ClosingOrderAlert {
                closing_order_id: order.id,
                fund: order.fund.to_string(),
                ordering_fund: order.ordering_fund.to_string(),
                key: order.key.code(),
                received_on: swiss_day(order.received_at),
                due: order.due_on,
                orders_url: format!("{}/api/v1/orders", dashboard_url.trim_end_matches('/')),
            }),
        }
    }

    /// The alert `alert_id` of kind `kind` about `transmission`, raised at `raised_at`.
    pub fn of_transmission(
        alert_id: &str,
        kind: TransmissionAlert,
        transmission: &TransmissionRecord,
        detail: &str,
        raised_at: DateTime<Utc>,
        dashboard_url: &str,
    ) -> Self {
        AlertMessage {
            alert_id: alert_id.to_string(),
            kind: kind.as_str(),
            raised_at,
            about: AlertAbout::Transmission(TransmissionAlertText {
                transmission_id: transmission.id,
                environment: transmission.environment.as_str().to_string(),
                message_id: transmission.header.message_id.to_string(),
                detail: detail.to_string(),
                connection_url: format!("{}/connection", dashboard_url.trim_end_matches('/')),
            }),
        }
    }

    /// The e-mail's subject.
    pub fn subject(&self) -> String {
        match &self.about {
            AlertAbout::Deadline(d) => format!(
                "[arcgw] Deadline passed: fund {} reference {} (due {})",
                d.fund, d.reference, d.due
            ),
            AlertAbout::Transmission(t) => format!(
                "[arcgw] {}: transmission {} ({})",
                self.headline(),
                t.transmission_id,
                t.environment
            ),
            AlertAbout::ClosingOrder(c) => format!(
                "[arcgw] Closing order overdue: fund {} order {} (due {})",
                c.fund, c.closing_order_id, c.due
            ),
        }
    }

    /// The alert in one line, for the log.
    pub fn headline(&self) -> &'static str {
        match self.kind {
            "sedex_receipt_overdue" => "No sedex receipt in time",
            "sedex_message_expires_soon" => "sedex message expires soon",
            "closing_order_overdue" => "N. 2713 closing order overdue, the CI is not reported sent",
            _ => "N. 3401 deadline passed, the fund must write to the ZAS",
        }
    }

    /// The e-mail's plain-text body.
    pub fn text(&self) -> String {
        match &self.about {
            AlertAbout::Deadline(d) => format!(
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
                d.fund,
                d.reference,
                d.key,
                d.announced_on,
                d.due,
                rule_text(d.rule),
                d.announcement_url,
                self.alert_id
            ),
            AlertAbout::Transmission(t) => format!(
                "{}.\n\
                 \n\
                 Transmission: {} ({})\n\
                 Message id:   {}\n\
                 Raised at:    {}\n\
                 \n\
                 {}\n\
                 \n\
                 {}\n\
                 \n\
                 Alert id: {}\n",
                self.headline(),
                t.transmission_id,
                t.environment,
                t.message_id,
                self.raised_at.format("%Y-%m-%d %H:%M UTC"),
                wrap(&t.detail, 72),
                t.connection_url,
                self.alert_id
            ),
            AlertAbout::ClosingOrder(c) => format!(
                "A closing order's ten days passed (N. 2713): the mandated fund\n\
                 must transmit the CI to the ordering fund.\n\
                 \n\
                 Fund:          {}\n\
                 Ordering fund: {}\n\
                 Key:           {}\n\
                 Received on:   {}\n\
                 Due on:        {}\n\
                 Closing order: {}\n\
                 \n\
                 {}\n\
                 \n\
                 Alert id: {}\n",
                c.fund,
                c.ordering_fund,
                c.key,
                c.received_on,
                c.due,
                c.closing_order_id,
                c.orders_url,
                self.alert_id
            ),
        }
    }

    /// The webhook's body.
    pub fn json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("an alert serializes")
    }
}

/// The day in Geneva of `at`.
fn swiss_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&chrono_tz::Europe::Zurich).date_naive()
}

/// What the rule means for the fund, in a clerk's words (short: lines of the e-mail stay under
/// 76 characters, so it goes as plain 7-bit text).
fn rule_text(rule: DeadlineRule) -> &'static str {
    match rule {
        DeadlineRule::NotMentioned => "not mentioned by the ZAS within 7 working days",
        DeadlineRule::StillProcessing => "still being processed after 15 working days",
    }
}

/// `text` on lines of at most `width` characters (words longer than that stand alone), so that
/// a receipt's statusInfo keeps the e-mail's lines short.
fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines.join("\n")
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
                raised_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
                about: AlertAbout::Deadline(DeadlineAlert {
                    announcement_id: 123_456,
                    fund: "066.000".into(),
                    reference: "REF-2026-000001".into(),
                    key: 61,
                    rule,
                    announced_on: NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
                    due: NaiveDate::from_ymd_opt(2027, 1, 13).unwrap(),
                    announcement_url: "https://arcgw.fund.example/announcements/123456".into(),
                }),
            };
            let text = alert.text();
            assert!(text.lines().all(|l| l.len() <= 76), "{text}");
            assert!(text.contains("(N. 3401)"), "{text}");
        }
    }

    #[test]
    fn a_transmission_alert_keeps_its_lines_short_and_its_body_flat() {
        let detail = "receipt 701 of message 42: the message is still in the recipient's inbox \
                      and expires in two days unless it is fetched by the recipient";
        let alert = AlertMessage {
            alert_id: "057a7984-2e3c-4fb8-8c43-25fb4400405b".into(),
            kind: "sedex_message_expires_soon",
            raised_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            about: AlertAbout::Transmission(TransmissionAlertText {
                transmission_id: 42,
                environment: "prod".into(),
                message_id: "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0".into(),
                detail: detail.into(),
                connection_url: "https://arcgw.fund.example/connection".into(),
            }),
        };
        let text = alert.text();
        assert!(text.lines().all(|l| l.len() <= 76), "{text}");
        assert!(text.contains("expires in two days"), "{text}");
        let body: serde_json::Value = serde_json::from_slice(&alert.json()).unwrap();
        assert_eq!(body["kind"], "sedex_message_expires_soon");
        assert_eq!(body["transmission_id"], 42);
        assert_eq!(
            body["connection_url"],
            "https://arcgw.fund.example/connection"
        );
    }
}
