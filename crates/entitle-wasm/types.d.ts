// Generated from entitle-rules by tests/typescript.rs: do not edit by hand.

/** See the Rust type `StoreId`. */
export type StoreId = string;

/** See the Rust type `AccountId`. */
export type AccountId = string;

/** See the Rust type `CompanyId`. */
export type CompanyId = string;

/** See the Rust type `ProductId`. */
export type ProductId = string;

/** See the Rust type `LicenseKey`. */
export type LicenseKey = string;

/** See the Rust type `OrderId`. */
export type OrderId = string;

/** See the Rust type `ProjectId`. */
export type ProjectId = string;

/** See the Rust type `ContractId`. */
export type ContractId = string;

/** See the Rust type `InvitationId`. */
export type InvitationId = string;

/** See the Rust type `TicketId`. */
export type TicketId = string;

/** See the Rust type `TransferId`. */
export type TransferId = string;

/** See the Rust type `Timestamp`. */
export type Timestamp = string;

/** See the Rust type `Email`. */
export type Email = string;

/** See the Rust type `Action`. */
export type Action = ActionName;

/** See the Rust type `Reason`. */
export type Reason = ReasonCode;

/** See the Rust type `ResourceType`. */
export type ResourceType = "contract" | "project" | "license" | "order" | "account";

/** See the Rust type `Resource`. */
export type Resource = { 
/**
 * Its type.
 */
type: ResourceType, 
/**
 * Its id (a license key for licenses).
 */
id: string, };

/** See the Rust type `Decision`. */
export type Decision = { 
/**
 * Whether the action is allowed.
 */
allowed: boolean, 
/**
 * Why: grant reasons when allowed, deny reasons otherwise. Never empty.
 */
reasons: Array<Reason>, };

/** See the Rust type `AccountKind`. */
export type AccountKind = "customer" | "partner" | "reseller" | "integrator" | "diy" | "end_user";

/** See the Rust type `CompanyRole`. */
export type CompanyRole = "admin" | "employee";

/** See the Rust type `Billing`. */
export type Billing = "recurring" | "one_off";

/** See the Rust type `Account`. */
export type Account = { 
/**
 * The account's id.
 */
id: AccountId, 
/**
 * Its e-mail address, unique within the store.
 */
email: Email, 
/**
 * Its display name.
 */
name: string, 
/**
 * What sort of account it is.
 */
kind: AccountKind, 
/**
 * The company it belongs to, if any.
 */
companyId?: CompanyId | null, 
/**
 * Its role in that company.
 */
companyRole?: CompanyRole | null, 
/**
 * The reseller or partner that created and manages it.
 */
managedBy?: AccountId | null, };

/** See the Rust type `Product`. */
export type Product = { 
/**
 * The product's id.
 */
id: ProductId, 
/**
 * Its display name.
 */
name: string, 
/**
 * Its family, such as `magento2` or `prestashop`; trials of `prestashop` last 30 days.
 */
family: string, 
/**
 * How it is billed.
 */
billing: Billing, };

/** See the Rust type `LicenseType`. */
export type LicenseType = "permanent" | "trial";

/** See the Rust type `LicenseTier`. */
export type LicenseTier = "primary" | "additional";

/** See the Rust type `License`. */
export type License = { 
/**
 * The license key.
 */
licenseKey: LicenseKey, 
/**
 * The licensed product.
 */
productId: ProductId, 
/**
 * The account that owns it.
 */
ownerId: AccountId, 
/**
 * The order it was bought in, if any.
 */
orderId?: OrderId | null, 
/**
 * Permanent or trial.
 */
licenseType: LicenseType, 
/**
 * Primary or additional.
 */
tier: LicenseTier, 
/**
 * When it stops working, for trials.
 */
expiresAt?: Timestamp | null, 
/**
 * Whether it is activated on a server or device (reported by the store).
 */
activated: boolean, 
/**
 * The project it is assigned to.
 */
projectId?: ProjectId | null, 
/**
 * Who assigned it to that project.
 */
assignedBy?: AccountId | null, 
/**
 * When it was assigned.
 */
assignedAt?: Timestamp | null, 
/**
 * The reseller that created it, for reseller licenses.
 */
createdBy?: AccountId | null, 
/**
 * When it was created, for reseller licenses.
 */
createdAt?: Timestamp | null, 
/**
 * The reseller's private notes; never shown to the owner.
 */
resellerNotes?: string | null, 
/**
 * Details the reseller wrote for the customer; visible to the owner.
 */
customerDetails?: string | null, 
/**
 * Whether the customer has paid the reseller.
 */
customerPaid: boolean, 
/**
 * When the customer paid.
 */
customerPaidAt?: Timestamp | null, };

/** See the Rust type `Order`. */
export type Order = { 
/**
 * The order's id.
 */
id: OrderId, 
/**
 * The account that owns the order and its licenses.
 */
ownerId: AccountId, 
/**
 * The account its recurring fees are charged to.
 */
billingAccountId: AccountId, 
/**
 * The licenses bought in it.
 */
licenseKeys: Array<LicenseKey>, 
/**
 * Whether it carries recurring fees.
 */
recurring: boolean, };

/** See the Rust type `ProjectKind`. */
export type ProjectKind = "standard" | "server" | "lite" | "serverless_pro";

/** See the Rust type `Project`. */
export type Project = { 
/**
 * The project's id.
 */
id: ProjectId, 
/**
 * The account that owns it.
 */
ownerId: AccountId, 
/**
 * Its name.
 */
name: string, 
/**
 * Its kind.
 */
kind: ProjectKind, 
/**
 * Whether its server is active (reported by the store).
 */
serverActive: boolean, 
/**
 * How many panels are signed in (reported by the store).
 */
activePanels: number, 
/**
 * When it was created.
 */
createdAt: Timestamp, };

/** See the Rust type `Share`. */
export type Share = { 
/**
 * The shared project.
 */
projectId: ProjectId, 
/**
 * The recipient.
 */
accountId: AccountId, 
/**
 * When it was shared.
 */
sharedAt: Timestamp, };

/** See the Rust type `ContractStatus`. */
export type ContractStatus = "pending" | "active" | "suspended" | "cancelled" | "terminated";

/** See the Rust type `Contract`. */
export type Contract = { 
/**
 * The contract's id.
 */
id: ContractId, 
/**
 * The client that owns it.
 */
ownerId: AccountId, 
/**
 * The product it is for.
 */
productId: ProductId, 
/**
 * Its state.
 */
status: ContractStatus, 
/**
 * When the product was registered.
 */
registeredAt: Timestamp, 
/**
 * When it renews next, for subscriptions.
 */
renewsAt?: Timestamp | null, 
/**
 * Subscription or one-off.
 */
billing: Billing, };

/** See the Rust type `DelegateStatus`. */
export type DelegateStatus = "active" | "revoked";

/** See the Rust type `Delegate`. */
export type Delegate = { 
/**
 * The contract.
 */
contractId: ContractId, 
/**
 * The delegate's account.
 */
accountId: AccountId, 
/**
 * Active or revoked.
 */
status: DelegateStatus, 
/**
 * When it became a delegate; it sees tickets from this moment on.
 */
addedAt: Timestamp, 
/**
 * When it was revoked.
 */
revokedAt?: Timestamp | null, 
/**
 * The invitation it accepted.
 */
invitationId: InvitationId, };

/** See the Rust type `InvitationStatus`. */
export type InvitationStatus = "pending" | "accepted" | "cancelled" | "expired";

/** See the Rust type `Invitation`. */
export type Invitation = { 
/**
 * The invitation's id.
 */
id: InvitationId, 
/**
 * The contract.
 */
contractId: ContractId, 
/**
 * The invited address.
 */
email: Email, 
/**
 * The account behind that address.
 */
accountId: AccountId, 
/**
 * Hex SHA-256 of the accept token; empty in access snapshots.
 */
tokenHash: string, 
/**
 * Its stored state; a pending invitation past `expires_at` counts as expired.
 */
status: InvitationStatus, 
/**
 * When it was sent.
 */
createdAt: Timestamp, 
/**
 * When its token stops working.
 */
expiresAt: Timestamp, 
/**
 * When it was last sent again.
 */
resentAt?: Timestamp | null, 
/**
 * When it was accepted or cancelled.
 */
settledAt?: Timestamp | null, };

/** See the Rust type `Ticket`. */
export type Ticket = { 
/**
 * The ticket's id.
 */
id: TicketId, 
/**
 * The contract.
 */
contractId: ContractId, 
/**
 * Who opened it.
 */
authorId: AccountId, 
/**
 * When it was opened.
 */
createdAt: Timestamp, 
/**
 * Its subject.
 */
subject: string, 
/**
 * Its text.
 */
body: string, };

/** See the Rust type `TransferSubject`. */
export type TransferSubject = { "type": "license", 
/**
 * The license.
 */
licenseKey: LicenseKey, } | { "type": "project", 
/**
 * The project.
 */
projectId: ProjectId, };

/** See the Rust type `TransferStatus`. */
export type TransferStatus = "pending" | "accepted" | "cancelled" | "expired";

/** See the Rust type `Transfer`. */
export type Transfer = { 
/**
 * The transfer's id.
 */
id: TransferId, 
/**
 * What moves.
 */
subject: TransferSubject, 
/**
 * The current owner.
 */
fromId: AccountId, 
/**
 * The account that receives it.
 */
toId: AccountId, 
/**
 * Who asked: the owner, or the admin of the owner's company.
 */
requestedBy: AccountId, 
/**
 * Its stored state; a pending transfer past `expires_at` counts as expired.
 */
status: TransferStatus, 
/**
 * When it was requested.
 */
createdAt: Timestamp, 
/**
 * When it can no longer be accepted.
 */
expiresAt: Timestamp, 
/**
 * When it was accepted or cancelled.
 */
settledAt?: Timestamp | null, };

/** See the Rust type `State`. */
export type State = { 
/**
 * Accounts.
 */
accounts: Array<Account>, 
/**
 * Products.
 */
products: Array<Product>, 
/**
 * Licenses.
 */
licenses: Array<License>, 
/**
 * Orders.
 */
orders: Array<Order>, 
/**
 * Projects.
 */
projects: Array<Project>, 
/**
 * Project shares.
 */
shares: Array<Share>, 
/**
 * Contracts.
 */
contracts: Array<Contract>, 
/**
 * Contract delegates, active or revoked.
 */
delegates: Array<Delegate>, 
/**
 * Delegate invitations.
 */
invitations: Array<Invitation>, 
/**
 * Contract tickets.
 */
tickets: Array<Ticket>, 
/**
 * License and project transfers.
 */
transfers: Array<Transfer>, };

/** See the Rust type `Change`. */
export type Change = { "op": "putAccount", "record": Account } | { "op": "putProduct", "record": Product } | { "op": "putLicense", "record": License } | { "op": "putOrder", "record": Order } | { "op": "putProject", "record": Project } | { "op": "putShare", "record": Share } | { "op": "deleteShare", "record": Share } | { "op": "putContract", "record": Contract } | { "op": "putDelegate", "record": Delegate } | { "op": "putInvitation", "record": Invitation } | { "op": "putTicket", "record": Ticket } | { "op": "putTransfer", "record": Transfer };

/** See the Rust type `Command`. */
export type Command = { "type": "createProject", 
/**
 * Its name, 1 to 100 characters.
 */
name: string, 
/**
 * Its kind; `standard` when absent.
 */
kind: ProjectKind | null, } | { "type": "shareProject", 
/**
 * The project.
 */
projectId: ProjectId, 
/**
 * The recipient's address.
 */
email: string, } | { "type": "unshareProject", 
/**
 * The project.
 */
projectId: ProjectId, 
/**
 * The recipient.
 */
accountId: AccountId, } | { "type": "assignLicense", 
/**
 * The project.
 */
projectId: ProjectId, 
/**
 * The license.
 */
licenseKey: LicenseKey, } | { "type": "unassignLicense", 
/**
 * The project.
 */
projectId: ProjectId, 
/**
 * The license.
 */
licenseKey: LicenseKey, } | { "type": "transferOrder", 
/**
 * The order.
 */
orderId: OrderId, 
/**
 * The target's address.
 */
toEmail: string, } | { "type": "inviteDelegate", 
/**
 * The contract.
 */
contractId: ContractId, 
/**
 * The invitee's address.
 */
email: string, } | { "type": "resendInvitation", 
/**
 * The contract.
 */
contractId: ContractId, 
/**
 * The invitation.
 */
invitationId: InvitationId, } | { "type": "cancelInvitation", 
/**
 * The contract.
 */
contractId: ContractId, 
/**
 * The invitation.
 */
invitationId: InvitationId, } | { "type": "acceptInvitation", 
/**
 * The accept token.
 */
token: string, } | { "type": "revokeDelegate", 
/**
 * The contract.
 */
contractId: ContractId, 
/**
 * The delegate.
 */
accountId: AccountId, } | { "type": "requestProvisioning", 
/**
 * The contract.
 */
contractId: ContractId, 
/**
 * The store's name for the action, such as `update_nameservers`.
 */
action: string, } | { "type": "createTicket", 
/**
 * The contract.
 */
contractId: ContractId, 
/**
 * The subject, 1 to 200 characters.
 */
subject: string, 
/**
 * The text, 1 to 10,000 characters.
 */
body: string, } | { "type": "createCustomer", 
/**
 * The customer's address.
 */
email: string, 
/**
 * The customer's name.
 */
name: string, } | { "type": "createLicenses" } & NewLicenses | { "type": "updateLicensePayment", 
/**
 * The license.
 */
licenseKey: LicenseKey, 
/**
 * Whether the customer has paid.
 */
customerPaid: boolean, 
/**
 * When the customer paid.
 */
customerPaidAt: Timestamp | null, } | { "type": "requestLicenseTransfer", 
/**
 * The license.
 */
licenseKey: LicenseKey, 
/**
 * The target's address.
 */
toEmail: string, } | { "type": "requestProjectTransfer", 
/**
 * The project.
 */
projectId: ProjectId, 
/**
 * The target's address.
 */
toEmail: string, } | { "type": "acceptTransfer", 
/**
 * The transfer.
 */
transferId: TransferId, } | { "type": "cancelTransfer", 
/**
 * The transfer.
 */
transferId: TransferId, };

/** See the Rust type `NewLicenses`. */
export type NewLicenses = { 
/**
 * The product.
 */
productId: ProductId, 
/**
 * The customer, one the reseller manages.
 */
customerId: AccountId, 
/**
 * How many licenses, 1 to 100; one key each.
 */
quantity: number, 
/**
 * Permanent or trial.
 */
licenseType: LicenseType, 
/**
 * Primary or additional.
 */
tier: LicenseTier, 
/**
 * Private notes, never shown to the customer.
 */
resellerNotes: string | null, 
/**
 * Details the customer sees.
 */
customerDetails: string | null, 
/**
 * Whether the customer has paid.
 */
customerPaid: boolean, 
/**
 * When the customer paid; the creation time when paid and absent.
 */
customerPaidAt: Timestamp | null, };

/** See the Rust type `StoreCommand`. */
export type StoreCommand = { "type": "importAccount", "record": Account } | { "type": "importProduct", "record": Product } | { "type": "importLicense", "record": License } | { "type": "importOrder", "record": Order } | { "type": "importContract", "record": Contract } | { "type": "setProjectRuntime", "record": ProjectRuntime };

/** See the Rust type `ProjectRuntime`. */
export type ProjectRuntime = { 
/**
 * The project.
 */
projectId: ProjectId, 
/**
 * Whether its server is active.
 */
serverActive: boolean, 
/**
 * How many panels are signed in.
 */
activePanels: number, };

/** See the Rust type `Context`. */
export type Context = { 
/**
 * The acting account.
 */
actor: AccountId, 
/**
 * The current time.
 */
now: Timestamp, 
/**
 * Unpredictable values (at least 128 bits each, URL-safe), consumed in order.
 */
fresh: Array<string>, };

/** See the Rust type `Outcome`. */
export type Outcome = { 
/**
 * Records to write or remove, all in one transaction.
 */
changes: Array<Change>, 
/**
 * Events to append in the same transaction.
 */
events: Array<Event>, };

/** See the Rust type `Event`. */
export type Event = { 
/**
 * When it happened.
 */
at: Timestamp, 
/**
 * The account that acted; absent when the store did.
 */
actorId: AccountId | null, } & ({ "type": "account.imported", "payload": { accountId: AccountId, } } | { "type": "product.imported", "payload": { productId: ProductId, } } | { "type": "license.imported", "payload": { licenseKey: LicenseKey, unassignedFrom: ProjectId | null, } } | { "type": "order.imported", "payload": { orderId: OrderId, } } | { "type": "contract.imported", "payload": { contractId: ContractId, } } | { "type": "project.runtime_reported", "payload": { projectId: ProjectId, serverActive: boolean, activePanels: number, } } | { "type": "project.created", "payload": { projectId: ProjectId, name: string, kind: ProjectKind, } } | { "type": "project.shared", "payload": { projectId: ProjectId, accountId: AccountId, email: Email, } } | { "type": "project.unshared", "payload": { projectId: ProjectId, accountId: AccountId, removedLicenseKeys: Array<LicenseKey>, } } | { "type": "license.assigned", "payload": { licenseKey: LicenseKey, projectId: ProjectId, } } | { "type": "license.unassigned", "payload": { licenseKey: LicenseKey, projectId: ProjectId, } } | { "type": "order.transferred", "payload": { orderId: OrderId, fromId: AccountId, toId: AccountId, billingAccountId: AccountId, recurring: boolean, licenseKeys: Array<LicenseKey>, unassignedLicenseKeys: Array<LicenseKey>, } } | { "type": "delegate.invited", "payload": { invitationId: InvitationId, contractId: ContractId, email: Email, accountId: AccountId, acceptToken: string, expiresAt: Timestamp, } } | { "type": "invitation.resent", "payload": { invitationId: InvitationId, contractId: ContractId, email: Email, acceptToken: string, expiresAt: Timestamp, } } | { "type": "invitation.cancelled", "payload": { invitationId: InvitationId, contractId: ContractId, } } | { "type": "delegate.accepted", "payload": { invitationId: InvitationId, contractId: ContractId, accountId: AccountId, } } | { "type": "delegate.revoked", "payload": { contractId: ContractId, accountId: AccountId, } } | { "type": "contract.provisioning_requested", "payload": { contractId: ContractId, action: string, } } | { "type": "ticket.created", "payload": { ticketId: TicketId, contractId: ContractId, subject: string, } } | { "type": "account.created", "payload": { accountId: AccountId, email: Email, name: string, managedBy: AccountId, } } | { "type": "license.created", "payload": { licenseKey: LicenseKey, productId: ProductId, ownerId: AccountId, licenseType: LicenseType, tier: LicenseTier, expiresAt: Timestamp | null, customerPaid: boolean, } } | { "type": "license.payment_updated", "payload": { licenseKey: LicenseKey, customerPaid: boolean, customerPaidAt: Timestamp | null, } } | { "type": "transfer.requested", "payload": { transferId: TransferId, subject: TransferSubject, fromId: AccountId, toId: AccountId, expiresAt: Timestamp, } } | { "type": "transfer.accepted", "payload": { transferId: TransferId, subject: TransferSubject, fromId: AccountId, toId: AccountId, licenseKeys: Array<LicenseKey>, unassignedLicenseKeys: Array<LicenseKey>, removedShareAccountIds: Array<AccountId>, } } | { "type": "transfer.cancelled", "payload": { transferId: TransferId, } });

/** See the Rust type `EventPayload`. */
export type EventPayload = { "type": "account.imported", "payload": { accountId: AccountId, } } | { "type": "product.imported", "payload": { productId: ProductId, } } | { "type": "license.imported", "payload": { licenseKey: LicenseKey, unassignedFrom: ProjectId | null, } } | { "type": "order.imported", "payload": { orderId: OrderId, } } | { "type": "contract.imported", "payload": { contractId: ContractId, } } | { "type": "project.runtime_reported", "payload": { projectId: ProjectId, serverActive: boolean, activePanels: number, } } | { "type": "project.created", "payload": { projectId: ProjectId, name: string, kind: ProjectKind, } } | { "type": "project.shared", "payload": { projectId: ProjectId, accountId: AccountId, email: Email, } } | { "type": "project.unshared", "payload": { projectId: ProjectId, accountId: AccountId, removedLicenseKeys: Array<LicenseKey>, } } | { "type": "license.assigned", "payload": { licenseKey: LicenseKey, projectId: ProjectId, } } | { "type": "license.unassigned", "payload": { licenseKey: LicenseKey, projectId: ProjectId, } } | { "type": "order.transferred", "payload": { orderId: OrderId, fromId: AccountId, toId: AccountId, billingAccountId: AccountId, recurring: boolean, licenseKeys: Array<LicenseKey>, unassignedLicenseKeys: Array<LicenseKey>, } } | { "type": "delegate.invited", "payload": { invitationId: InvitationId, contractId: ContractId, email: Email, accountId: AccountId, acceptToken: string, expiresAt: Timestamp, } } | { "type": "invitation.resent", "payload": { invitationId: InvitationId, contractId: ContractId, email: Email, acceptToken: string, expiresAt: Timestamp, } } | { "type": "invitation.cancelled", "payload": { invitationId: InvitationId, contractId: ContractId, } } | { "type": "delegate.accepted", "payload": { invitationId: InvitationId, contractId: ContractId, accountId: AccountId, } } | { "type": "delegate.revoked", "payload": { contractId: ContractId, accountId: AccountId, } } | { "type": "contract.provisioning_requested", "payload": { contractId: ContractId, action: string, } } | { "type": "ticket.created", "payload": { ticketId: TicketId, contractId: ContractId, subject: string, } } | { "type": "account.created", "payload": { accountId: AccountId, email: Email, name: string, managedBy: AccountId, } } | { "type": "license.created", "payload": { licenseKey: LicenseKey, productId: ProductId, ownerId: AccountId, licenseType: LicenseType, tier: LicenseTier, expiresAt: Timestamp | null, customerPaid: boolean, } } | { "type": "license.payment_updated", "payload": { licenseKey: LicenseKey, customerPaid: boolean, customerPaidAt: Timestamp | null, } } | { "type": "transfer.requested", "payload": { transferId: TransferId, subject: TransferSubject, fromId: AccountId, toId: AccountId, expiresAt: Timestamp, } } | { "type": "transfer.accepted", "payload": { transferId: TransferId, subject: TransferSubject, fromId: AccountId, toId: AccountId, licenseKeys: Array<LicenseKey>, unassignedLicenseKeys: Array<LicenseKey>, removedShareAccountIds: Array<AccountId>, } } | { "type": "transfer.cancelled", "payload": { transferId: TransferId, } };

/** See the Rust type `ContractRole`. */
export type ContractRole = "owner" | "delegate";

/** See the Rust type `ProjectRole`. */
export type ProjectRole = "owner" | "recipient";

/** See the Rust type `Recipient`. */
export type Recipient = { 
/**
 * The recipient's account.
 */
accountId: AccountId, 
/**
 * Its address.
 */
email: Email, 
/**
 * Its name.
 */
name: string, 
/**
 * When it was shared.
 */
sharedAt: Timestamp, };

/** See the Rust type `ProjectView`. */
export type ProjectView = { 
/**
 * The caller's relation to it.
 */
role: ProjectRole, 
/**
 * The owner's address.
 */
ownerEmail: Email | null, 
/**
 * Who it is shared with; only the owner sees this.
 */
sharedWith: Array<Recipient>, 
/**
 * The project's id.
 */
id: ProjectId, 
/**
 * The account that owns it.
 */
ownerId: AccountId, 
/**
 * Its name.
 */
name: string, 
/**
 * Its kind.
 */
kind: ProjectKind, 
/**
 * Whether its server is active (reported by the store).
 */
serverActive: boolean, 
/**
 * How many panels are signed in (reported by the store).
 */
activePanels: number, 
/**
 * When it was created.
 */
createdAt: Timestamp, };

/** See the Rust type `ContractView`. */
export type ContractView = { 
/**
 * The contract's id.
 */
id: ContractId, 
/**
 * The product.
 */
productId: ProductId, 
/**
 * The product's name, when known.
 */
productName: string | null, 
/**
 * Its state.
 */
status: ContractStatus, 
/**
 * When the product was registered.
 */
registeredAt: Timestamp, 
/**
 * When it renews next.
 */
renewsAt: Timestamp | null, 
/**
 * The caller's relation to it.
 */
role: ContractRole, 
/**
 * Subscription or one-off; only the owner sees billing.
 */
billing: Billing | null, 
/**
 * The owner's address.
 */
ownerEmail: Email | null, };

/** See the Rust type `DelegateView`. */
export type DelegateView = { 
/**
 * The delegate's account.
 */
accountId: AccountId, 
/**
 * Its address.
 */
email: Email | null, 
/**
 * Its name.
 */
name: string | null, 
/**
 * Active or revoked.
 */
status: DelegateStatus, 
/**
 * When it became a delegate.
 */
addedAt: Timestamp, 
/**
 * When it was revoked.
 */
revokedAt: Timestamp | null, };

/** See the Rust type `InvitationView`. */
export type InvitationView = { 
/**
 * The invitation's id.
 */
invitationId: InvitationId, 
/**
 * The invited address.
 */
email: Email, 
/**
 * Its state at the time of asking.
 */
status: InvitationStatus, 
/**
 * When it was sent.
 */
createdAt: Timestamp, 
/**
 * When its token stops working.
 */
expiresAt: Timestamp, 
/**
 * When it was last sent again.
 */
resentAt: Timestamp | null, };

/** See the Rust type `DelegatesView`. */
export type DelegatesView = { 
/**
 * Delegates, active and revoked.
 */
delegates: Array<DelegateView>, 
/**
 * Invitations, newest first.
 */
invitations: Array<InvitationView>, };

/** See the Rust type `TransferView`. */
export type TransferView = { 
/**
 * The transfer's id.
 */
transferId: TransferId, 
/**
 * What moves.
 */
subject: TransferSubject, 
/**
 * The current owner.
 */
fromId: AccountId, 
/**
 * The account that receives it.
 */
toId: AccountId, 
/**
 * Who asked.
 */
requestedBy: AccountId, 
/**
 * Its state at the time of asking.
 */
status: TransferStatus, 
/**
 * When it was requested.
 */
createdAt: Timestamp, 
/**
 * When it can no longer be accepted.
 */
expiresAt: Timestamp, };

/** Every reason code. */
export type ReasonCode = "owner" | "contract_delegate" | "share_recipient" | "company_admin" | "license_reseller" | "project_owner" | "self" | "account_manager" | "billing_account" | "not_found" | "unknown_actor" | "delegate_action_forbidden" | "contract_not_subscription" | "share_recipient_forbidden" | "share_recipient_sees_own_licenses" | "end_user_cannot_modify" | "not_license_owner" | "not_license_reseller" | "license_in_use" | "license_already_assigned" | "license_expired" | "transfer_pending" | "partner_only" | "not_order_owner";

/** Every action name. */
export type ActionName = "contract.view" | "contract.billing.view" | "contract.billing.manage" | "contract.cancel" | "contract.upgrade" | "contract.modify" | "contract.provision" | "contract.tickets.create" | "contract.tickets.view" | "contract.delegates.manage" | "project.view" | "project.rename" | "project.delete" | "project.share" | "project.transfer" | "project.licenses.assign" | "project.licenses.view_all" | "project.modify" | "project.users.invite" | "license.view" | "license.assign" | "license.transfer" | "license.mark_paid" | "order.view" | "order.transfer" | "account.view";
