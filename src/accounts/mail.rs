//! Temporary passwords sent by e-mail to the account's holder (`[accounts]
//! email_temporary_passwords = true`), over the SMTP server of `[alerts.email]`. Annex 2.3 of
//! the security baseline: a password is kept secret and not told to third parties — mailed, the
//! manager who made the account never sees it. When the mail cannot be sent, the password is
//! shown once to the manager instead, with the reason, and the failure is an audit event.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use super::{AccountError, Accounts, WithTemporaryPassword};
use crate::alerts::{DeliveryError, EmailConfig, email::Email};
use crate::store::AuditOutcome;

/// `[accounts]` of the configuration.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccountsConfig {
    /// Send temporary passwords to the account's e-mail address instead of showing them to the
    /// manager; needs `[alerts.email]` (its server, port, sender and credentials).
    pub email_temporary_passwords: bool,
}

/// The SMTP server temporary passwords are sent through.
pub struct PasswordMail(Email);

impl PasswordMail {
    pub fn new(config: &EmailConfig) -> Result<PasswordMail, DeliveryError> {
        Email::new(config, Duration::from_secs(30)).map(PasswordMail)
    }

    async fn send(
        &self,
        made: &WithTemporaryPassword,
        now: DateTime<Utc>,
    ) -> Result<(), DeliveryError> {
        let login = &made.account.login;
        let text = format!(
            "A temporary password was set for your arcgw account {login}:\n\n    {}\n\n\
             Sign in with it; you will be asked to choose your own password at once.\n\
             Keep it secret and tell it nobody (security baseline, annex 2.3).\n",
            made.password.expose()
        );
        self.0
            .send_to(
                &made.account.holder.email,
                &format!("arcgw: temporary password for {login}"),
                text,
                now,
            )
            .await
    }
}

/// How a temporary password reached its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handover {
    /// Sent by e-mail to this address; nobody else saw it.
    Mailed { to: String },
    /// To show to the manager once: no mail is configured, or it failed (`mail_failed`).
    Shown {
        password: String,
        mail_failed: Option<String>,
    },
}

impl Accounts<'_> {
    /// Hands the temporary password of `made` over: by e-mail when a [`PasswordMail`] is set
    /// (audited as `account.password_mail`, success or failure), else to show once.
    pub async fn hand_over(&self, made: &WithTemporaryPassword) -> Result<Handover, AccountError> {
        let shown = |mail_failed| Handover::Shown {
            password: made.password.expose().to_string(),
            mail_failed,
        };
        let Some(mail) = self.password_mail else {
            return Ok(shown(None));
        };
        let target = format!("account:{}", made.account.login);
        let to = made.account.holder.email.clone();
        match mail.send(made, self.at).await {
            Ok(()) => {
                self.audit(
                    &target,
                    "account.password_mail",
                    AuditOutcome::Success,
                    json!({ "to": to }),
                )
                .await?;
                Ok(Handover::Mailed { to })
            }
            Err(e) => {
                let reason = e.to_string();
                self.audit(
                    &target,
                    "account.password_mail",
                    AuditOutcome::Failure,
                    json!({ "to": to, "reason": reason }),
                )
                .await?;
                Ok(shown(Some(reason)))
            }
        }
    }
}
