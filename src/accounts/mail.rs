//! How a temporary password reaches its holder (annex 2.3 of the security baseline: a password
//! is never told to third parties; USNTools: the user receives two e-mails).
//!
//! - By default, two separate e-mails to the holder through the SMTP server of `[alerts.email]`:
//!   the first names the user id, the second holds the password and not the user id, so that
//!   one intercepted mail alone opens nothing. The manager never sees the password.
//! - Without `[alerts.email]` no password can be delivered: creating an account and resetting a
//!   password are refused with the reason, before anything changes; a password marked
//!   compromised is replaced all the same (the old one stops working) and the account blocked.
//! - When a mail fails, the account is blocked until a reset delivers a password (the manager
//!   is told why); nothing is shown instead.
//! - `[accounts] handover = "show_to_manager"`, configured explicitly, shows the password once to
//!   the manager, with a warning in the log and in the audit (`account.password_shown`).
//! - `arcgw user` on the command line prints it once for the operator who runs the command (the
//!   way to make the first account of an installation).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use super::{AccountError, Accounts, WithTemporaryPassword};
use crate::alerts::{DeliveryError, EmailConfig, email::Email};
use crate::store::AuditOutcome;

/// `[accounts] handover`: how temporary passwords reach their holders.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoverSetting {
    /// Two e-mails to the holder (the default).
    #[default]
    Email,
    /// Shown once to the manager, with a warning in the log and the audit.
    ShowToManager,
}

/// `[accounts]` of the configuration.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccountsConfig {
    pub handover: HandoverSetting,
    /// Kept so that older files still load: e-mail is the default now. `true` still demands
    /// `[alerts.email]` when the configuration is loaded.
    pub email_temporary_passwords: bool,
}

/// The SMTP server temporary passwords are sent through.
pub struct PasswordMail(Email);

impl PasswordMail {
    pub fn new(config: &EmailConfig) -> Result<PasswordMail, DeliveryError> {
        Email::new(config, Duration::from_secs(30)).map(PasswordMail)
    }

    /// The two e-mails: the user id, then the password alone.
    async fn send(
        &self,
        made: &WithTemporaryPassword,
        now: DateTime<Utc>,
    ) -> Result<(), DeliveryError> {
        let login = &made.account.login;
        let to = &made.account.holder.email;
        let first = format!(
            "Your arcgw account has the user id\n\n    {login}\n\n\
             A temporary password for it follows in a separate e-mail. Sign in with both; you \
             will be asked to choose your own password at once.\n\
             If you did not expect this, tell the person who manages arcgw accounts at your fund.\n"
        );
        self.0
            .send_to(to, "arcgw: your user id (1 of 2)", first, now)
            .await?;
        let second = format!(
            "Your temporary arcgw password:\n\n    {}\n\n\
             The user id came in a separate e-mail. Keep the password secret and tell it nobody \
             (security baseline, annex 2.3); it must be changed at the first login.\n",
            made.password.expose()
        );
        self.0
            .send_to(to, "arcgw: your temporary password (2 of 2)", second, now)
            .await
    }
}

/// How temporary passwords are delivered by one [`Accounts`].
#[derive(Clone, Copy)]
pub enum Delivery<'a> {
    /// Two e-mails to the holder through this server.
    Email(&'a PasswordMail),
    /// E-mail is the way, but no server is configured: nothing can be delivered.
    NoMail,
    /// `handover = "show_to_manager"`: shown once to the manager, with a warning.
    ShowToManager,
    /// `arcgw user`: printed once for the operator who runs the command.
    ShowToOperator,
}

/// How a temporary password reached its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handover {
    /// Sent by two e-mails to this address; nobody else saw it.
    Mailed { to: String },
    /// To show once to the manager or the operator.
    Shown { password: String },
    /// Not delivered (`reason`): the account is blocked until a reset delivers a password.
    Blocked { reason: String },
}

/// Why a temporary password cannot be delivered when no mail server is configured.
pub const NO_MAIL: &str = "temporary passwords go to their holder by e-mail (annex 2.3: never \
     told to third parties), and no mail server is configured: set [alerts.email], or \
     explicitly [accounts] handover = \"show_to_manager\"";

impl Accounts<'_> {
    /// Refuses, before any change, to make a temporary password that cannot be delivered.
    pub(super) fn can_deliver(&self) -> Result<(), AccountError> {
        match self.delivery {
            Delivery::NoMail => Err(AccountError::NoDelivery(NO_MAIL)),
            _ => Ok(()),
        }
    }

    /// Hands the temporary password of `made` over as [`Delivery`] says (module docs). Every
    /// way is an audit event: `account.password_mail` (success or failure),
    /// `account.password_shown` (with its warning), `account.block` when nothing was delivered
    /// (`made.account` is then the blocked account).
    pub async fn hand_over(
        &self,
        made: &mut WithTemporaryPassword,
    ) -> Result<Handover, AccountError> {
        let account = &made.account;
        let target = self.target_of(account);
        let shown = || Handover::Shown {
            password: made.password.expose().to_string(),
        };
        match self.delivery {
            Delivery::ShowToOperator => Ok(shown()),
            Delivery::ShowToManager => {
                let warning = "the temporary password was shown to the manager \
                     (handover = \"show_to_manager\"), not delivered to its holder alone \
                     (annex 2.3)";
                tracing::warn!(account_id = account.id, actor = %self.manager.actor(), "{warning}");
                self.audit(
                    &target,
                    "account.password_shown",
                    AuditOutcome::Success,
                    json!({ "account_id": account.id, "warning": warning }),
                    &account.funds,
                )
                .await?;
                Ok(shown())
            }
            Delivery::NoMail => self.undelivered(made, NO_MAIL.to_string()).await,
            Delivery::Email(mail) => {
                let to = account.holder.email.clone();
                match mail.send(made, self.at).await {
                    Ok(()) => {
                        self.audit(
                            &target,
                            "account.password_mail",
                            AuditOutcome::Success,
                            json!({ "account_id": account.id, "to": to, "mails": 2 }),
                            &account.funds,
                        )
                        .await?;
                        Ok(Handover::Mailed { to })
                    }
                    Err(e) => {
                        let reason = format!("the e-mail to {to} failed: {e}");
                        self.audit(
                            &target,
                            "account.password_mail",
                            AuditOutcome::Failure,
                            json!({ "account_id": account.id, "to": to, "reason": reason }),
                            &account.funds,
                        )
                        .await?;
                        self.undelivered(made, reason).await
                    }
                }
            }
        }
    }

    /// Blocks the account whose temporary password could not be delivered.
    async fn undelivered(
        &self,
        made: &mut WithTemporaryPassword,
        reason: String,
    ) -> Result<Handover, AccountError> {
        let account = &made.account;
        let result = self.store.set_blocked(account.id, Some(self.at)).await;
        made.account = self
            .done(
                &self.target_of(account),
                "account.block",
                json!({ "account_id": account.id, "reason": reason }),
                &account.funds,
                result,
            )
            .await?;
        Ok(Handover::Blocked { reason })
    }
}
