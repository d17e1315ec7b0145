//! Commands: what an account (or the store) asks to change. A command reads a state slice and
//! returns the changes to write and the events to record, or an error; it never writes itself.

use crate::context::Fresh;
use crate::error::CommandError;
use crate::ids::{AccountId, ContractId, InvitationId, LicenseKey, OrderId, ProjectId, TransferId};
use crate::model::{Account, Contract, License, Order, Product, ProjectKind};
use crate::read::Read;
use crate::state::State;
use crate::text::Email;
use crate::time::Timestamp;
use crate::{delegates, imports, orders, projects, reseller, sweep, transfer};
use serde::{Deserialize, Serialize};

pub use crate::context::{Context, Outcome};
pub use crate::imports::ProjectRuntime;
pub use crate::reseller::NewLicenses;
pub use crate::sweep::{DelegateKey, ShareKey, Sweep};

/// A change an account asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum Command {
    /// Create a production project owned by the actor.
    CreateProject {
        /// Its name, 1 to 100 characters.
        name: String,
        /// Its kind; `standard` when absent.
        #[serde(default)]
        kind: Option<ProjectKind>,
    },
    /// Share a project with the account behind an e-mail address, for a time when a window is
    /// given.
    ShareProject {
        /// The project.
        project_id: ProjectId,
        /// The recipient's address.
        email: String,
        /// When the recipient's access starts (RFC 3339 in UTC); at once when absent or past.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        starts_at: Option<String>,
        /// When it ends (RFC 3339 in UTC, later than the start and than now, at most 730 days
        /// ahead); no end when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_at: Option<String>,
    },
    /// Change the window of a share (its owner only). A field left out keeps its value.
    UpdateShare {
        /// The project.
        project_id: ProjectId,
        /// The recipient.
        account_id: AccountId,
        /// The new start, only while the access has not started (`null`: at once).
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "crate::window::edit"
        )]
        #[cfg_attr(feature = "ts", ts(type = "string | null", optional))]
        #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
        starts_at: Option<Option<String>>,
        /// The new end (`null`: no end).
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "crate::window::edit"
        )]
        #[cfg_attr(feature = "ts", ts(type = "string | null", optional))]
        #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
        expires_at: Option<Option<String>>,
    },
    /// Stop sharing a project with an account; its licenses leave the project.
    UnshareProject {
        /// The project.
        project_id: ProjectId,
        /// The recipient.
        account_id: AccountId,
    },
    /// Put one of the actor's licenses on a project it owns or that is shared with it.
    AssignLicense {
        /// The project.
        project_id: ProjectId,
        /// The license.
        license_key: LicenseKey,
    },
    /// Take a license off a project.
    UnassignLicense {
        /// The project.
        project_id: ProjectId,
        /// The license.
        license_key: LicenseKey,
    },
    /// Move a whole order, its licenses and its recurring fees to another account (partners only).
    TransferOrder {
        /// The order.
        order_id: OrderId,
        /// The target's address.
        to_email: String,
    },
    /// Invite a delegate to a subscription contract, for a time when a window is given.
    InviteDelegate {
        /// The contract.
        contract_id: ContractId,
        /// The invitee's address.
        email: String,
        /// When the delegate's access starts (RFC 3339 in UTC); at its acceptance when absent
        /// or earlier.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        starts_at: Option<String>,
        /// When it ends (RFC 3339 in UTC, later than the start and than now, at most 730 days
        /// ahead); no end when absent. Accepting the invitation after it is refused.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_at: Option<String>,
    },
    /// Send a pending invitation again with a new token; the old token dies.
    ResendInvitation {
        /// The contract.
        contract_id: ContractId,
        /// The invitation.
        invitation_id: InvitationId,
    },
    /// Cancel a pending invitation.
    CancelInvitation {
        /// The contract.
        contract_id: ContractId,
        /// The invitation.
        invitation_id: InvitationId,
    },
    /// Accept an invitation with the token from its e-mail.
    AcceptInvitation {
        /// The accept token.
        token: String,
    },
    /// Revoke a delegate's access.
    RevokeDelegate {
        /// The contract.
        contract_id: ContractId,
        /// The delegate.
        account_id: AccountId,
    },
    /// Change the window of a delegation (the contract's owner only). A field left out keeps
    /// its value.
    UpdateDelegate {
        /// The contract.
        contract_id: ContractId,
        /// The delegate.
        account_id: AccountId,
        /// The new start, only while the access has not started (`null`: at once).
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "crate::window::edit"
        )]
        #[cfg_attr(feature = "ts", ts(type = "string | null", optional))]
        #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
        starts_at: Option<Option<String>>,
        /// The new end (`null`: no end).
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "crate::window::edit"
        )]
        #[cfg_attr(feature = "ts", ts(type = "string | null", optional))]
        #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
        expires_at: Option<Option<String>>,
    },
    /// Ask the store to carry out a provisioning action on a contract.
    RequestProvisioning {
        /// The contract.
        contract_id: ContractId,
        /// The store's name for the action, such as `update_nameservers`.
        action: String,
    },
    /// Open a support ticket on a contract.
    CreateTicket {
        /// The contract.
        contract_id: ContractId,
        /// The subject, 1 to 200 characters.
        subject: String,
        /// The text, 1 to 10,000 characters.
        body: String,
    },
    /// Create a customer account managed by the actor (resellers and partners).
    CreateCustomer {
        /// The customer's address.
        email: String,
        /// The customer's name.
        name: String,
    },
    /// Create licenses for a managed customer (resellers and partners).
    CreateLicenses(NewLicenses),
    /// Record whether the customer paid for a reseller license.
    UpdateLicensePayment {
        /// The license.
        license_key: LicenseKey,
        /// Whether the customer has paid.
        customer_paid: bool,
        /// When the customer paid.
        #[serde(default)]
        customer_paid_at: Option<Timestamp>,
    },
    /// Ask to move an unused license to another account.
    RequestLicenseTransfer {
        /// The license.
        license_key: LicenseKey,
        /// The target's address.
        to_email: String,
    },
    /// Ask to move a project, with every license on it, to another account.
    RequestProjectTransfer {
        /// The project.
        project_id: ProjectId,
        /// The target's address.
        to_email: String,
    },
    /// Accept a transfer addressed to the actor.
    AcceptTransfer {
        /// The transfer.
        transfer_id: TransferId,
    },
    /// Cancel a transfer the actor requested.
    CancelTransfer {
        /// The transfer.
        transfer_id: TransferId,
    },
}

/// A change the store itself makes: record imports and device state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", content = "record", rename_all = "camelCase")]
pub enum StoreCommand {
    /// Create or update an account.
    ImportAccount(Account),
    /// Create or update a product.
    ImportProduct(Product),
    /// Create or update a license the customer bought.
    ImportLicense(License),
    /// Create or update an order.
    ImportOrder(Order),
    /// Create or update a contract.
    ImportContract(Contract),
    /// Report a project's device state.
    SetProjectRuntime(ProjectRuntime),
    /// Do what is due for the windows of these grants (the store's cron sweep): send the
    /// reminders before their end, record what their end implies.
    SweepWindows(Sweep),
}

/// Runs an account's command against `state`.
pub fn execute(state: &State, command: &Command, ctx: &Context) -> Result<Outcome, CommandError> {
    let mut fresh = Fresh::new(&ctx.fresh);
    let mut out = Outcome::default();
    sharing(state, command, ctx, &mut fresh, &mut out)?;
    Ok(out)
}

/// The commands of project sharing and order transfer (seed 000); the others go on to
/// [`delegation`].
fn sharing(
    state: &State,
    command: &Command,
    ctx: &Context,
    fresh: &mut Fresh,
    out: &mut Outcome,
) -> Result<(), CommandError> {
    match command {
        Command::CreateProject { name, kind } => {
            projects::create_project(state, ctx, fresh, out, name, *kind)
        }
        Command::ShareProject {
            project_id,
            email,
            starts_at,
            expires_at,
        } => projects::share(
            state,
            ctx,
            out,
            project_id,
            email,
            (starts_at.as_deref(), expires_at.as_deref()),
        ),
        Command::UpdateShare {
            project_id,
            account_id,
            starts_at,
            expires_at,
        } => projects::update_share(
            state,
            ctx,
            out,
            (project_id, account_id),
            (edit(starts_at), edit(expires_at)),
        ),
        Command::UnshareProject {
            project_id,
            account_id,
        } => projects::unshare(state, ctx, out, project_id, account_id),
        Command::AssignLicense {
            project_id,
            license_key,
        } => projects::assign(state, ctx, out, project_id, license_key),
        Command::UnassignLicense {
            project_id,
            license_key,
        } => projects::unassign(state, ctx, out, project_id, license_key),
        Command::TransferOrder { order_id, to_email } => {
            orders::transfer(state, ctx, out, order_id, to_email)
        }
        _ => delegation(state, command, ctx, fresh, out),
    }
}

/// The commands of contract delegates (seed 003); the others go on to
/// [`resale_and_transfers`].
fn delegation(
    state: &State,
    command: &Command,
    ctx: &Context,
    fresh: &mut Fresh,
    out: &mut Outcome,
) -> Result<(), CommandError> {
    match command {
        Command::InviteDelegate {
            contract_id,
            email,
            starts_at,
            expires_at,
        } => delegates::invite(
            state,
            ctx,
            fresh,
            out,
            (contract_id, email),
            (starts_at.as_deref(), expires_at.as_deref()),
        ),
        Command::ResendInvitation {
            contract_id,
            invitation_id,
        } => delegates::resend(state, ctx, fresh, out, contract_id, invitation_id),
        Command::CancelInvitation {
            contract_id,
            invitation_id,
        } => delegates::cancel(state, ctx, out, contract_id, invitation_id),
        Command::AcceptInvitation { token } => delegates::accept(state, ctx, out, token),
        Command::RevokeDelegate {
            contract_id,
            account_id,
        } => delegates::revoke(state, ctx, out, contract_id, account_id),
        Command::RequestProvisioning {
            contract_id,
            action,
        } => delegates::provision(state, ctx, out, contract_id, action),
        Command::CreateTicket {
            contract_id,
            subject,
            body,
        } => delegates::create_ticket(state, ctx, fresh, out, contract_id, subject, body),
        Command::UpdateDelegate {
            contract_id,
            account_id,
            starts_at,
            expires_at,
        } => delegates::update(
            state,
            ctx,
            out,
            (contract_id, account_id),
            (edit(starts_at), edit(expires_at)),
        ),
        _ => resale_and_transfers(state, command, ctx, fresh, out),
    }
}

/// A window's field as a command edits it: `None` kept, `Some(None)` cleared.
fn edit(value: &Option<Option<String>>) -> Option<Option<&str>> {
    value.as_ref().map(Option::as_deref)
}

/// The commands of reseller licenses and license and project transfer (seeds 001, 002).
fn resale_and_transfers(
    state: &State,
    command: &Command,
    ctx: &Context,
    fresh: &mut Fresh,
    out: &mut Outcome,
) -> Result<(), CommandError> {
    match command {
        Command::CreateCustomer { email, name } => {
            reseller::create_customer(state, ctx, fresh, out, email, name)
        }
        Command::CreateLicenses(request) => {
            reseller::create_licenses(state, ctx, fresh, out, request)
        }
        Command::UpdateLicensePayment {
            license_key,
            customer_paid,
            customer_paid_at,
        } => reseller::update_payment(
            state,
            ctx,
            out,
            license_key,
            *customer_paid,
            *customer_paid_at,
        ),
        Command::RequestLicenseTransfer {
            license_key,
            to_email,
        } => transfer::request_license(state, ctx, fresh, out, license_key, to_email),
        Command::RequestProjectTransfer {
            project_id,
            to_email,
        } => transfer::request_project(state, ctx, fresh, out, project_id, to_email),
        Command::AcceptTransfer { transfer_id } => transfer::accept(state, ctx, out, transfer_id),
        Command::CancelTransfer { transfer_id } => transfer::cancel(state, ctx, out, transfer_id),
        // Handled by `sharing` and `delegation`, which pass on only what they do not handle:
        // listing them keeps this match exhaustive, so a new command must be placed.
        Command::CreateProject { .. }
        | Command::ShareProject { .. }
        | Command::UpdateShare { .. }
        | Command::UnshareProject { .. }
        | Command::AssignLicense { .. }
        | Command::UnassignLicense { .. }
        | Command::TransferOrder { .. }
        | Command::InviteDelegate { .. }
        | Command::ResendInvitation { .. }
        | Command::CancelInvitation { .. }
        | Command::AcceptInvitation { .. }
        | Command::RevokeDelegate { .. }
        | Command::UpdateDelegate { .. }
        | Command::RequestProvisioning { .. }
        | Command::CreateTicket { .. } => Err(CommandError::new(
            crate::error::ErrorCode::InvalidInput,
            "this command has no handler",
        )),
    }
}

impl StoreCommand {
    /// Everything the command reads, named before any record is loaded: a store loads these
    /// first, so a batch of imports costs one round of reads however many owners its records
    /// name. Keys are taken from the record itself; no read depends on another's answer.
    pub fn reads(&self) -> Vec<Read> {
        match self {
            StoreCommand::ImportAccount(record) => {
                let mut reads = vec![Read::Account(record.id.clone())];
                // The address as the import will normalize it; a refused one reads nothing.
                if let Ok(email) = Email::new(record.email.as_str()) {
                    reads.push(Read::AccountByEmail(email));
                }
                reads.extend(record.managed_by.iter().cloned().map(Read::Account));
                reads
            }
            StoreCommand::ImportProduct(record) => vec![Read::Product(record.id.clone())],
            StoreCommand::ImportLicense(record) => vec![
                Read::Product(record.product_id.clone()),
                Read::Account(record.owner_id.clone()),
                Read::License(record.license_key.clone()),
            ],
            StoreCommand::ImportOrder(record) => {
                let mut reads = vec![
                    Read::Account(record.owner_id.clone()),
                    Read::Account(record.billing_account_id.clone()),
                ];
                reads.extend(record.license_keys.iter().cloned().map(Read::License));
                reads
            }
            StoreCommand::ImportContract(record) => vec![
                Read::Account(record.owner_id.clone()),
                Read::Product(record.product_id.clone()),
            ],
            StoreCommand::SetProjectRuntime(runtime) => {
                vec![Read::Project(runtime.project_id.clone())]
            }
            StoreCommand::SweepWindows(sweep) => sweep.reads(),
        }
    }
}

/// Runs a store's commands in order against `state` at `now`, each seeing the changes of the
/// ones before it, all or nothing: the first error stops the run and names its command's index.
pub fn execute_store_batch(
    state: &State,
    commands: &[StoreCommand],
    now: Timestamp,
) -> Result<Outcome, (usize, CommandError)> {
    let mut work = state.clone();
    let mut all = Outcome::default();
    for (index, command) in commands.iter().enumerate() {
        let outcome = execute_store(&work, command, now).map_err(|e| (index, e))?;
        work.apply_all(&outcome.changes);
        all.changes.extend(outcome.changes);
        all.events.extend(outcome.events);
    }
    Ok(all)
}

/// Runs a store's command against `state` at `now`.
pub fn execute_store(
    state: &State,
    command: &StoreCommand,
    now: Timestamp,
) -> Result<Outcome, CommandError> {
    let mut out = Outcome::default();
    match command {
        StoreCommand::ImportAccount(record) => imports::account(state, now, &mut out, record),
        StoreCommand::ImportProduct(record) => imports::product(now, &mut out, record),
        StoreCommand::ImportLicense(record) => imports::license(state, now, &mut out, record),
        StoreCommand::ImportOrder(record) => imports::order(state, now, &mut out, record),
        StoreCommand::ImportContract(record) => imports::contract(state, now, &mut out, record),
        StoreCommand::SetProjectRuntime(runtime) => imports::runtime(state, now, &mut out, runtime),
        StoreCommand::SweepWindows(sweep) => {
            sweep::sweep(state, now, &mut out, sweep);
            Ok(())
        }
    }?;
    Ok(out)
}
