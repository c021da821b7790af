//! `arcgw user create|list|block|unblock|reset-password|remove|compromised`: people's accounts
//! from the command line, as the local operator (audit actor `operator:<NAME>@cli`, from
//! `--operator` or the environment; no fund restriction). `create` makes the first responsible
//! account of a new installation. Temporary passwords are printed once, on standard output, for
//! the operator who runs the command (the way to bootstrap an installation).

use clap::Subcommand;

use super::Status;
use super::daemon::{ConfigArg, with_store};
use crate::accounts::{AccountError, Accounts, Delivery, Manager, status};
use crate::clock::{Clock, SystemClock};
use crate::domain::{FundNumber, Holder, Login, Role};
use crate::serve::ServeError;
use crate::store::{Account, AccountSearch, AccountSort, NewAccount, Store};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an account with a temporary password (printed once), to be changed at first login.
    Create {
        /// The user id: lower-case letters, digits, '.', '-', '_'.
        #[arg(long)]
        login: String,
        #[arg(long)]
        surname: String,
        #[arg(long)]
        given_name: String,
        #[arg(long)]
        email: String,
        /// YYYY-MM-DD: refused inside passwords (annex 2.3).
        #[arg(long, default_value = "")]
        birth_date: String,
        /// responsible, substitute, delegate or clerk.
        #[arg(long, default_value = "responsible")]
        role: Role,
        /// A fund number NNN.NNN the person works for (repeat for several).
        #[arg(long = "fund", required = true, value_parser = fund_arg)]
        funds: Vec<FundNumber>,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// List or search accounts.
    List {
        /// Part of a surname, given name, e-mail address or user id.
        #[arg(long)]
        search: Option<String>,
        #[arg(long, value_parser = fund_arg)]
        fund: Option<FundNumber>,
        /// Print CSV instead of a table.
        #[arg(long)]
        csv: bool,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Block an account (reversible); its sessions end.
    Block(Target),
    /// Unblock an account.
    Unblock(Target),
    /// Give an account a temporary password (printed once).
    ResetPassword(Target),
    /// Mark an account's password compromised: it stops working at once and is replaced by a
    /// temporary password (printed once); its sessions end.
    Compromised(Target),
    /// End the lock that failed logins put on an account.
    Unlock(Target),
    /// Remove an account for good (needs --yes).
    Remove {
        #[command(flatten)]
        target: Target,
        /// Confirms that the removal is definitive.
        #[arg(long)]
        yes: bool,
    },
}

/// An account by its user id.
#[derive(Debug, clap::Args)]
pub struct Target {
    login: String,
    #[command(flatten)]
    config: ConfigArg,
}

fn fund_arg(text: &str) -> Result<FundNumber, String> {
    FundNumber::parse(text).map_err(|e| e.to_string())
}

fn operator() -> Manager {
    let name = super::daemon::operator().unwrap_or_else(|| "unknown".into());
    Manager::Operator { name }
}

fn line(a: &Account) -> String {
    let funds: Vec<String> = a.funds.iter().map(ToString::to_string).collect();
    format!(
        "{:>4}  {:<16} {:<12} {:<24} {:<30} {}  {}",
        a.id,
        a.login,
        a.role,
        a.holder.display_name(),
        a.holder.email,
        funds.join(","),
        status(a, SystemClock.now())
    )
}

/// Runs `work` on the account named `login` with the operator's account management.
fn on_account<F>(command: &str, target: Target, work: F) -> Status
where
    F: for<'a> FnOnce(
            &'a Accounts<'a>,
            i64,
        ) -> std::pin::Pin<
            Box<dyn Future<Output = Result<String, AccountError>> + Send + 'a>,
        > + Send
        + 'static,
{
    let Target { login, config } = target;
    with_store(command, &config, |store| async move {
        let id = find(&store, &login).await?;
        let manager = operator();
        let accounts = operator_accounts(&store, &manager);
        println!("{}", work(&accounts, id).await?);
        Ok(())
    })
}

fn operator_accounts<'a>(store: &'a Store, manager: &'a Manager) -> Accounts<'a> {
    Accounts {
        store,
        manager,
        at: SystemClock.now(),
        remote: None,
        delivery: Delivery::ShowToOperator,
    }
}

async fn find(store: &Store, login: &str) -> Result<i64, ServeError> {
    let search = AccountSearch {
        text: Some(login.to_string()),
        sort: AccountSort::Login,
        ..AccountSearch::default()
    };
    store
        .search_accounts(&search)
        .await?
        .into_iter()
        .find(|a| a.login.as_str() == login)
        .map(|a| a.id)
        .ok_or_else(|| AccountError::UnknownLogin(login.to_string()).into())
}

pub fn run(command: Command) -> Status {
    match command {
        Command::Create {
            login,
            surname,
            given_name,
            email,
            birth_date,
            role,
            funds,
            config,
        } => with_store("user create", &config, |store| async move {
            let login = Login::parse(&login).map_err(AccountError::from)?;
            let holder = Holder::parse(&surname, &given_name, &email, &birth_date)
                .map_err(AccountError::from)?;
            let manager = operator();
            let made = operator_accounts(&store, &manager)
                .create(NewAccount {
                    login,
                    holder,
                    role,
                    funds,
                })
                .await?;
            eprintln!(
                "created: {}\nThe temporary password is shown only now; it must be changed at \
                 the first login.",
                line(&made.account).trim()
            );
            println!("{}", made.password.expose());
            Ok(())
        }),
        Command::List {
            search,
            fund,
            csv,
            config,
        } => with_store("user list", &config, |store| async move {
            let manager = operator();
            let accounts = operator_accounts(&store, &manager);
            let search = AccountSearch {
                text: search,
                fund,
                ..AccountSearch::default()
            };
            if csv {
                print!("{}", accounts.export_csv(search).await?);
            } else {
                for a in accounts.search(search).await? {
                    println!("{}", line(&a));
                }
            }
            Ok(())
        }),
        Command::Block(target) => on_account("user block", target, |accounts, id| {
            Box::pin(async move { Ok(line(&accounts.block(id).await?)) })
        }),
        Command::Unblock(target) => on_account("user unblock", target, |accounts, id| {
            Box::pin(async move { Ok(line(&accounts.unblock(id).await?)) })
        }),
        Command::Compromised(target) => on_account("user compromised", target, |accounts, id| {
            Box::pin(async move {
                let (account, handover) = accounts.mark_compromised(id).await?;
                eprintln!("{}", line(&account));
                Ok(match handover {
                    crate::accounts::Handover::Shown { password } => password,
                    other => format!("{other:?}"),
                })
            })
        }),
        Command::Unlock(target) => on_account("user unlock", target, |accounts, id| {
            Box::pin(async move { Ok(line(&accounts.unlock(id).await?)) })
        }),
        Command::ResetPassword(target) => {
            on_account("user reset-password", target, |accounts, id| {
                Box::pin(async move {
                    let reset = accounts.reset_password(id).await?;
                    eprintln!("{}", line(&reset.account));
                    Ok(reset.password.expose().to_string())
                })
            })
        }
        Command::Remove { target, yes } => {
            on_account("user remove", target, move |accounts, id| {
                Box::pin(async move {
                    let removed = accounts.remove(id, yes).await?;
                    Ok(format!("removed: {}", line(&removed).trim()))
                })
            })
        }
    }
}
