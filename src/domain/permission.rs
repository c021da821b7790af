//! Who may do what: the roles of USNTools (seeds/000) and the funds' API tokens against the
//! actions of the gateway. This table is the one the code asks ([`allowed`]) and the one the
//! docs/security.md shows ([`markdown_table`]; a test keeps them equal).
//!
//! On top of the table, everybody acts only within their own funds (N. 2102; security baseline,
//! draft art. 7), and a person manages only accounts of a role at or below their own
//! ([`Role::may_manage`]).

use super::Role;

/// Who acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Principal {
    /// A person signed in to the dashboard or the accounts API.
    Person(Role),
    /// A fund's system with an API token.
    FundToken,
}

impl Principal {
    pub const ALL: [Principal; 5] = [
        Principal::Person(Role::Responsible),
        Principal::Person(Role::Substitute),
        Principal::Person(Role::Delegate),
        Principal::Person(Role::Clerk),
        Principal::FundToken,
    ];

    fn heading(self) -> &'static str {
        match self {
            Principal::Person(role) => role.as_str(),
            Principal::FundToken => "fund API token",
        }
    }
}

/// What can be done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    ReadAnnouncements,
    SubmitAnnouncements,
    WithdrawAnnouncements,
    ResumeTransmissions,
    /// Close the operator tasks of own funds' announcements with a note (N. 3302, 2211).
    CloseOperatorTasks,
    ReviewAudit,
    /// The audit events that concern no fund (configuration, purge, backups, logins of unknown
    /// user ids); everybody else sees only the events of their own funds.
    ReviewSystemAudit,
    /// Create, search, export, view, block, unblock, unlock, reset, mark compromised, remove.
    ManageAccounts,
    /// The birth dates of account holders (kept only to refuse them inside passwords); the
    /// holder sees their own.
    ReadBirthDates,
    /// The settings of the connection to the ZAS and its certificates (USNTools: UPIServices,
    /// not open to delegates).
    ViewZasConnection,
    ChangeZasConnection,
    /// The funds' API tokens (machine-to-machine access, like UPIServices).
    ManageApiTokens,
}

impl Action {
    pub const ALL: [Action; 12] = [
        Action::ReadAnnouncements,
        Action::SubmitAnnouncements,
        Action::WithdrawAnnouncements,
        Action::ResumeTransmissions,
        Action::CloseOperatorTasks,
        Action::ReviewAudit,
        Action::ReviewSystemAudit,
        Action::ManageAccounts,
        Action::ReadBirthDates,
        Action::ViewZasConnection,
        Action::ChangeZasConnection,
        Action::ManageApiTokens,
    ];

    pub fn describe(self) -> &'static str {
        match self {
            Action::ReadAnnouncements => "read announcements of own funds",
            Action::SubmitAnnouncements => "submit announcements for own funds",
            Action::WithdrawAnnouncements => "withdraw queued announcements of own funds",
            Action::ResumeTransmissions => "resume failed transmissions of own funds",
            Action::CloseOperatorTasks => "close operator tasks of own funds (N. 3302, 2211)",
            Action::ReviewAudit => "review the audit log of own funds",
            Action::ReviewSystemAudit => "review the audit events of no fund (system)",
            Action::ManageAccounts => "manage accounts of own funds",
            Action::ReadBirthDates => "see account holders' birth dates (own funds)",
            Action::ViewZasConnection => "see ZAS connection settings and certificates",
            Action::ChangeZasConnection => "change ZAS connection settings and certificates",
            Action::ManageApiTokens => "manage the funds' API tokens",
        }
    }
}

/// The table: may `who` do `action` (within their funds)?
pub fn allowed(who: Principal, action: Action) -> bool {
    use Action::*;
    match who {
        Principal::Person(Role::Responsible | Role::Substitute) => true,
        // USNTools: delegates manage accounts, but UPIServices (the connection and the
        // machine-to-machine access) is not open to them. Art. 7 (only who needs it): they
        // see no birth dates and no events of the whole system.
        Principal::Person(Role::Delegate) => !matches!(
            action,
            ViewZasConnection
                | ChangeZasConnection
                | ManageApiTokens
                | ReadBirthDates
                | ReviewSystemAudit
        ),
        // A clerk works with announcements (and the tasks they raise) and manages no accounts.
        Principal::Person(Role::Clerk) => matches!(
            action,
            ReadAnnouncements
                | SubmitAnnouncements
                | WithdrawAnnouncements
                | ResumeTransmissions
                | CloseOperatorTasks
        ),
        // The fund API (src/api): its own funds' announcements, nothing else; operator tasks
        // are for a person.
        Principal::FundToken => matches!(
            action,
            ReadAnnouncements | SubmitAnnouncements | WithdrawAnnouncements | ResumeTransmissions
        ),
    }
}

impl Role {
    /// Whether a person of this role may do `action` (within their funds).
    pub fn may(self, action: Action) -> bool {
        allowed(Principal::Person(self), action)
    }

    /// Whether a person of this role may create or change an account of role `other`: one at
    /// or below their own (a delegate makes no substitute, a substitute no responsible).
    pub fn may_manage(self, other: Role) -> bool {
        self.may(Action::ManageAccounts) && rank(other) >= rank(self)
    }
}

fn rank(role: Role) -> u8 {
    match role {
        Role::Responsible => 0,
        Role::Substitute => 1,
        Role::Delegate => 2,
        Role::Clerk => 3,
    }
}

/// The table as Markdown, as docs/security.md shows it.
pub fn markdown_table() -> String {
    let mut text = String::from("| action |");
    for who in Principal::ALL {
        text.push_str(&format!(" {} |", who.heading()));
    }
    text.push_str("\n|---|");
    text.push_str(&"---|".repeat(Principal::ALL.len()));
    text.push('\n');
    for action in Action::ALL {
        text.push_str(&format!("| {} |", action.describe()));
        for who in Principal::ALL {
            text.push_str(if allowed(who, action) {
                " yes |"
            } else {
                " no |"
            });
        }
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every cell, written out: a change of the table has to change this test too.
    #[test]
    fn the_table_cell_by_cell() {
        use Action::*;
        // responsible, substitute, delegate, clerk, fund API token
        let expected: [(Action, [bool; 5]); 12] = [
            (ReadAnnouncements, [true, true, true, true, true]),
            (SubmitAnnouncements, [true, true, true, true, true]),
            (WithdrawAnnouncements, [true, true, true, true, true]),
            (ResumeTransmissions, [true, true, true, true, true]),
            (CloseOperatorTasks, [true, true, true, true, false]),
            (ReviewAudit, [true, true, true, false, false]),
            (ReviewSystemAudit, [true, true, false, false, false]),
            (ManageAccounts, [true, true, true, false, false]),
            (ReadBirthDates, [true, true, false, false, false]),
            (ViewZasConnection, [true, true, false, false, false]),
            (ChangeZasConnection, [true, true, false, false, false]),
            (ManageApiTokens, [true, true, false, false, false]),
        ];
        assert_eq!(expected.len(), Action::ALL.len());
        for (action, row) in expected {
            for (who, cell) in Principal::ALL.into_iter().zip(row) {
                assert_eq!(allowed(who, action), cell, "{who:?} × {action:?}");
            }
        }
    }

    #[test]
    fn who_manages_whom() {
        use Role::*;
        let expected = [
            (Responsible, [true, true, true, true]),
            (Substitute, [false, true, true, true]),
            (Delegate, [false, false, true, true]),
            (Clerk, [false, false, false, false]),
        ];
        for (manager, row) in expected {
            for (other, cell) in Role::ALL.into_iter().zip(row) {
                assert_eq!(manager.may_manage(other), cell, "{manager} manages {other}");
            }
        }
    }

    #[test]
    fn the_security_page_shows_this_table() {
        let page = include_str!("../../docs/security.md");
        assert!(
            page.contains(&markdown_table()),
            "docs/security.md must contain the permission table as generated:\n{}",
            markdown_table()
        );
    }
}
