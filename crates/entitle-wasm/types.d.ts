// Generated from entitle-rules by tests/typescript.rs: do not edit by hand.

/**
 * A store (tenant). One deployment serves many stores; their records never mix.
 */
export type StoreId = string;

/**
 * A customer, partner, reseller, integrator, DIY or end-user account of a store.
 */
export type AccountId = string;

/**
 * A company that employs accounts.
 */
export type CompanyId = string;

/**
 * A product sold by the store.
 */
export type ProductId = string;

/**
 * A license key; the key is the license's id.
 */
export type LicenseKey = string;

/**
 * An order: licenses bought together, possibly with recurring billing.
 */
export type OrderId = string;

/**
 * A production project to which licenses are assigned.
 */
export type ProjectId = string;

/**
 * A subscription or one-off contract for a product.
 */
export type ContractId = string;

/**
 * An invitation of a delegate to a contract.
 */
export type InvitationId = string;

/**
 * A support ticket on a contract.
 */
export type TicketId = string;

/**
 * A pending, accepted, cancelled or expired transfer of a license or project.
 */
export type TransferId = string;

/**
 * A UTC instant with millisecond precision, written as RFC 3339 (`2026-11-21T09:30:00.000Z`).
 */
export type Timestamp = string;

/**
 * An e-mail address, normalized (trimmed, Unicode-lowercased) where it came in: a command's
 * argument or an account the store imports ([`Email::new`]). Records hold it so, and reading a
 * record takes it as stored ([`Email::stored`]): a state that a caller builds itself must hold
 * addresses lowercased, as the worker's snapshots do, or a lookup by address will not find
 * them.
 */
export type Email = string;

/**
 * Something an account may or may not do to a resource.
 */
export type Action = ActionName;

/**
 * Why an action is allowed or denied. The code is shared by Rust, JavaScript and HTTP.
 */
export type Reason = ReasonCode;

/**
 * The type of a resource.
 */
export type ResourceType = "contract" | "project" | "license" | "order" | "account";

/**
 * A resource named in an authorization question.
 */
export type Resource = {
  /**
   * Its type.
   */
  type: ResourceType,
  /**
   * Its id (a license key for licenses).
   */
  id: string,
};

/**
 * The answer to "may this actor do this action to this resource?": allowed or denied, and why.
 */
export type Decision = {
  /**
   * Whether the action is allowed.
   */
  allowed: boolean,
  /**
   * Why: the grant reasons when allowed (one or more), the deny reason otherwise (exactly one).
   */
  reasons: Array<Reason>,
};

/**
 * What sort of account this is. It decides who may resell, transfer orders, or receive projects.
 */
export type AccountKind = "customer" | "partner" | "reseller" | "integrator" | "diy"
  | "end_user";

/**
 * An account's place in its company.
 */
export type CompanyRole = "admin" | "employee";

/**
 * One-off purchase or recurring subscription.
 */
export type Billing = "recurring" | "one_off";

/**
 * An account of the store. entitle never sees passwords: the store vouches for its users.
 */
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
   * The company it belongs to, if any; with `companyRole`.
   */
  companyId?: CompanyId | null,
  /**
   * Its role in that company; with `companyId`.
   */
  companyRole?: CompanyRole | null,
  /**
   * The reseller or partner that created and manages it.
   */
  managedBy?: AccountId | null,
};

/**
 * A product the store sells.
 */
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
  billing: Billing,
};

/**
 * Permanent or trial.
 */
export type LicenseType = "permanent" | "trial";

/**
 * Primary or additional. An additional license needs a primary license of the same product.
 */
export type LicenseTier = "primary" | "additional";

/**
 * A license: one unit of a product, owned by one account, on at most one project.
 */
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
   * The project it is assigned to; with `assignedBy` and `assignedAt`.
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
   * When it leaves the project by itself: the end of the window of the share through which a
   * recipient assigned it. Only with `projectId`.
   */
  assignedUntil?: Timestamp | null,
  /**
   * The reseller that created it, for reseller licenses; with `createdAt`.
   */
  createdBy?: AccountId | null,
  /**
   * When it was created, for reseller licenses.
   */
  createdAt?: Timestamp | null,
  /**
   * The reseller's private notes; never shown to the owner. Reseller licenses only.
   */
  resellerNotes?: string | null,
  /**
   * Details the reseller wrote for the customer; visible to the owner. Reseller licenses only.
   */
  customerDetails?: string | null,
  /**
   * Whether the customer has paid the reseller; `customerPaidAt` says when.
   */
  customerPaid: boolean,
  /**
   * When the customer paid.
   */
  customerPaidAt?: Timestamp | null,
};

/**
 * An order: licenses bought together, billed once or on a recurring basis.
 */
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
   * Whether it carries recurring fees (`true`) or was paid once (`false`).
   */
  recurring: boolean,
};

/**
 * The kind of a project; it limits who may receive the project in a transfer.
 */
export type ProjectKind = "standard" | "server" | "lite" | "serverless_pro";

/**
 * A production project owned by one account, possibly shared with others.
 */
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
  createdAt: Timestamp,
};

/**
 * A project shared with one recipient. It needs no acceptance.
 */
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
  sharedAt: Timestamp,
  /**
   * When the recipient's access starts, if later than `sharedAt`.
   */
  startsAt?: Timestamp | null,
  /**
   * When the recipient's access ends; none: no end.
   */
  expiresAt?: Timestamp | null,
  /**
   * When the store's sweep next has something to do for the window's end: a reminder 7
   * days or 1 day before it, or recording it; none once the end is recorded, and for a
   * window with no end (the store's bookkeeping of reminders).
   */
  nextNoticeAt?: Timestamp | null,
};

/**
 * Where a share or a delegation stands at a given time: its window (`startsAt` to
 * `expiresAt`) against that time, or its revocation.
 */
export type GrantStatus = "scheduled" | "active" | "expired" | "revoked";

/**
 * A contract's life-cycle state, as the store reports it.
 */
export type ContractStatus = "pending" | "active" | "suspended" | "cancelled" | "terminated";

/**
 * A contract for a product: a subscription or a one-off purchase.
 */
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
  billing: Billing,
};

/**
 * Whether a delegate may act.
 */
export type DelegateStatus = "active" | "revoked" | "expired";

/**
 * An account with delegated access to a contract.
 */
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
  invitationId: InvitationId,
  /**
   * When its access starts, if later than `addedAt`.
   */
  startsAt?: Timestamp | null,
  /**
   * When its access ends; none: no end.
   */
  expiresAt?: Timestamp | null,
  /**
   * When the store's sweep next has something to do for the window's end: a reminder 7
   * days or 1 day before it, or recording it; none once the end is recorded, and for a
   * window with no end (the store's bookkeeping of reminders).
   */
  nextNoticeAt?: Timestamp | null,
};

/**
 * Where an invitation stands.
 */
export type InvitationStatus = "pending" | "accepted" | "cancelled" | "expired";

/**
 * An invitation of a delegate to a contract. Its token is held only as a SHA-256 hash.
 */
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
  settledAt?: Timestamp | null,
  /**
   * When the access it offers starts, if later than its acceptance.
   */
  accessStartsAt?: Timestamp | null,
  /**
   * When the access it offers ends (not `expiresAt`, when its token stops working); none:
   * no end. Accepting after it is refused.
   */
  accessExpiresAt?: Timestamp | null,
};

/**
 * A support ticket on a contract.
 */
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
  body: string,
};

/**
 * What a transfer moves.
 */
export type TransferSubject = {
  "type": "license",
  /**
   * The license.
   */
  licenseKey: LicenseKey,
} | {
  "type": "project",
  /**
   * The project.
   */
  projectId: ProjectId,
};

/**
 * Where a transfer stands.
 */
export type TransferStatus = "pending" | "accepted" | "cancelled" | "expired";

/**
 * A request to move a license or a project to another account.
 */
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
  settledAt?: Timestamp | null,
};

/**
 * Records of one store. Missing records are simply unknown to the rules.
 */
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
  transfers: Array<Transfer>,
};

/**
 * One record to write (insert or update) or remove.
 */
export type Change = {
  "op": "putAccount",
  "record": Account
} | {
  "op": "putProduct",
  "record": Product
} | {
  "op": "putLicense",
  "record": License
} | {
  "op": "putOrder",
  "record": Order
} | {
  "op": "putProject",
  "record": Project
} | {
  "op": "putShare",
  "record": Share
} | {
  "op": "deleteShare",
  "record": Share
} | {
  "op": "putContract",
  "record": Contract
} | {
  "op": "putDelegate",
  "record": Delegate
} | {
  "op": "putInvitation",
  "record": Invitation
} | {
  "op": "putTicket",
  "record": Ticket
} | {
  "op": "putTransfer",
  "record": Transfer
};

/**
 * A change an account asks for.
 */
export type Command = {
  "type": "createProject",
  /**
   * Its name, 1 to 100 characters.
   */
  name: string,
  /**
   * Its kind; `standard` when absent.
   */
  kind: ProjectKind | null,
} | {
  "type": "shareProject",
  /**
   * The project.
   */
  projectId: ProjectId,
  /**
   * The recipient's address.
   */
  email: string,
  /**
   * When the recipient's access starts (RFC 3339 in UTC); at once when absent or past.
   */
  startsAt?: string | null,
  /**
   * When it ends (RFC 3339 in UTC, later than the start and than now, at most 730 days
   * ahead); no end when absent.
   */
  expiresAt?: string | null,
} | {
  "type": "updateShare",
  /**
   * The project.
   */
  projectId: ProjectId,
  /**
   * The recipient.
   */
  accountId: AccountId,
  /**
   * The new start, only while the access has not started (`null`: at once).
   */
  startsAt?: string | null,
  /**
   * The new end (`null`: no end).
   */
  expiresAt?: string | null,
} | {
  "type": "unshareProject",
  /**
   * The project.
   */
  projectId: ProjectId,
  /**
   * The recipient.
   */
  accountId: AccountId,
} | {
  "type": "assignLicense",
  /**
   * The project.
   */
  projectId: ProjectId,
  /**
   * The license.
   */
  licenseKey: LicenseKey,
} | {
  "type": "unassignLicense",
  /**
   * The project.
   */
  projectId: ProjectId,
  /**
   * The license.
   */
  licenseKey: LicenseKey,
} | {
  "type": "transferOrder",
  /**
   * The order.
   */
  orderId: OrderId,
  /**
   * The target's address.
   */
  toEmail: string,
} | {
  "type": "inviteDelegate",
  /**
   * The contract.
   */
  contractId: ContractId,
  /**
   * The invitee's address.
   */
  email: string,
  /**
   * When the delegate's access starts (RFC 3339 in UTC); at its acceptance when absent
   * or earlier.
   */
  startsAt?: string | null,
  /**
   * When it ends (RFC 3339 in UTC, later than the start and than now, at most 730 days
   * ahead); no end when absent. Accepting the invitation after it is refused.
   */
  expiresAt?: string | null,
} | {
  "type": "resendInvitation",
  /**
   * The contract.
   */
  contractId: ContractId,
  /**
   * The invitation.
   */
  invitationId: InvitationId,
} | {
  "type": "cancelInvitation",
  /**
   * The contract.
   */
  contractId: ContractId,
  /**
   * The invitation.
   */
  invitationId: InvitationId,
} | {
  "type": "acceptInvitation",
  /**
   * The accept token.
   */
  token: string,
} | {
  "type": "revokeDelegate",
  /**
   * The contract.
   */
  contractId: ContractId,
  /**
   * The delegate.
   */
  accountId: AccountId,
} | {
  "type": "updateDelegate",
  /**
   * The contract.
   */
  contractId: ContractId,
  /**
   * The delegate.
   */
  accountId: AccountId,
  /**
   * The new start, only while the access has not started (`null`: at once).
   */
  startsAt?: string | null,
  /**
   * The new end (`null`: no end).
   */
  expiresAt?: string | null,
} | {
  "type": "requestProvisioning",
  /**
   * The contract.
   */
  contractId: ContractId,
  /**
   * The store's name for the action, such as `update_nameservers`.
   */
  action: string,
} | {
  "type": "createTicket",
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
  body: string,
} | {
  "type": "createCustomer",
  /**
   * The customer's address.
   */
  email: string,
  /**
   * The customer's name.
   */
  name: string,
} | {
  "type": "createLicenses"
} & NewLicenses | {
  "type": "updateLicensePayment",
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
  customerPaidAt: Timestamp | null,
} | {
  "type": "requestLicenseTransfer",
  /**
   * The license.
   */
  licenseKey: LicenseKey,
  /**
   * The target's address.
   */
  toEmail: string,
} | {
  "type": "requestProjectTransfer",
  /**
   * The project.
   */
  projectId: ProjectId,
  /**
   * The target's address.
   */
  toEmail: string,
} | {
  "type": "acceptTransfer",
  /**
   * The transfer.
   */
  transferId: TransferId,
} | {
  "type": "cancelTransfer",
  /**
   * The transfer.
   */
  transferId: TransferId,
};

/**
 * A reseller's request for licenses.
 */
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
  customerPaidAt: Timestamp | null,
};

/**
 * A change the store itself makes: record imports and device state.
 */
export type StoreCommand = {
  "type": "importAccount",
  "record": Account
} | {
  "type": "importProduct",
  "record": Product
} | {
  "type": "importLicense",
  "record": License
} | {
  "type": "importOrder",
  "record": Order
} | {
  "type": "importContract",
  "record": Contract
} | {
  "type": "setProjectRuntime",
  "record": ProjectRuntime
} | {
  "type": "sweepWindows",
  "record": Sweep
};

/**
 * The device state of a project, as the store reports it.
 */
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
  activePanels: number,
};

/**
 * The grants one run of the sweep looks at: those the store found due. A grant that is not
 * due (any more) when the sweep runs is left as it is.
 */
export type Sweep = {
  /**
   * Shares.
   */
  shares: Array<ShareKey>,
  /**
   * Delegations.
   */
  delegates: Array<DelegateKey>,
};

/**
 * A share, by its key.
 */
export type ShareKey = {
  /**
   * The project.
   */
  projectId: ProjectId,
  /**
   * The recipient.
   */
  accountId: AccountId,
};

/**
 * A delegation, by its key.
 */
export type DelegateKey = {
  /**
   * The contract.
   */
  contractId: ContractId,
  /**
   * The delegate.
   */
  accountId: AccountId,
};

/**
 * What a command is run with: who asks, when, and fresh random values for new ids and tokens.
 */
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
  fresh: Array<string>,
};

/**
 * What a command decided: the changes to write together, and the events to record with them.
 */
export type Outcome = {
  /**
   * Records to write or remove, all in one transaction.
   */
  changes: Array<Change>,
  /**
   * Events to append in the same transaction.
   */
  events: Array<Event>,
};

/**
 * One entry of the store's event feed.
 */
export type Event = {
  /**
   * When it happened.
   */
  at: Timestamp,
  /**
   * The account that acted; absent when the store did.
   */
  actorId: AccountId | null,
} & ({
    "type": "account.imported",
    "payload": {
      accountId: AccountId,
    }
  } | {
    "type": "product.imported",
    "payload": {
      productId: ProductId,
    }
  } | {
    "type": "license.imported",
    "payload": {
      licenseKey: LicenseKey,
      unassignedFrom: ProjectId | null,
    }
  } | {
    "type": "order.imported",
    "payload": {
      orderId: OrderId,
    }
  } | {
    "type": "contract.imported",
    "payload": {
      contractId: ContractId,
    }
  } | {
    "type": "project.runtime_reported",
    "payload": {
      projectId: ProjectId,
      serverActive: boolean,
      activePanels: number,
    }
  } | {
    "type": "project.created",
    "payload": {
      projectId: ProjectId,
      name: string,
      kind: ProjectKind,
    }
  } | {
    "type": "project.shared",
    "payload": {
      projectId: ProjectId,
      accountId: AccountId,
      email: Email,
      startsAt: Timestamp | null,
      expiresAt: Timestamp | null,
    }
  } | {
    "type": "share.updated",
    "payload": {
      projectId: ProjectId,
      accountId: AccountId,
      startsAt: Timestamp,
      expiresAt: Timestamp | null,
    }
  } | {
    "type": "share.expiring",
    "payload": {
      projectId: ProjectId,
      accountId: AccountId,
      expiresAt: Timestamp,
    }
  } | {
    "type": "share.expired",
    "payload": {
      projectId: ProjectId,
      accountId: AccountId,
      expiresAt: Timestamp,
      removedLicenseKeys: Array<LicenseKey>,
    }
  } | {
    "type": "project.unshared",
    "payload": {
      projectId: ProjectId,
      accountId: AccountId,
      removedLicenseKeys: Array<LicenseKey>,
    }
  } | {
    "type": "license.assigned",
    "payload": {
      licenseKey: LicenseKey,
      projectId: ProjectId,
    }
  } | {
    "type": "license.unassigned",
    "payload": {
      licenseKey: LicenseKey,
      projectId: ProjectId,
    }
  } | {
    "type": "order.transferred",
    "payload": {
      orderId: OrderId,
      fromId: AccountId,
      toId: AccountId,
      billingAccountId: AccountId,
      recurring: boolean,
      licenseKeys: Array<LicenseKey>,
      unassignedLicenseKeys: Array<LicenseKey>,
    }
  } | {
    "type": "delegate.invited",
    "payload": {
      invitationId: InvitationId,
      contractId: ContractId,
      email: Email,
      accountId: AccountId,
      acceptToken: string,
      expiresAt: Timestamp,
      accessStartsAt: Timestamp | null,
      accessExpiresAt: Timestamp | null,
    }
  } | {
    "type": "invitation.resent",
    "payload": {
      invitationId: InvitationId,
      contractId: ContractId,
      email: Email,
      acceptToken: string,
      expiresAt: Timestamp,
    }
  } | {
    "type": "invitation.cancelled",
    "payload": {
      invitationId: InvitationId,
      contractId: ContractId,
    }
  } | {
    "type": "delegate.accepted",
    "payload": {
      invitationId: InvitationId,
      contractId: ContractId,
      accountId: AccountId,
    }
  } | {
    "type": "delegate.revoked",
    "payload": {
      contractId: ContractId,
      accountId: AccountId,
    }
  } | {
    "type": "delegate.updated",
    "payload": {
      contractId: ContractId,
      accountId: AccountId,
      startsAt: Timestamp,
      expiresAt: Timestamp | null,
    }
  } | {
    "type": "delegate.expiring",
    "payload": {
      contractId: ContractId,
      accountId: AccountId,
      expiresAt: Timestamp,
    }
  } | {
    "type": "delegate.expired",
    "payload": {
      contractId: ContractId,
      accountId: AccountId,
      expiresAt: Timestamp,
    }
  } | {
    "type": "contract.provisioning_requested",
    "payload": {
      contractId: ContractId,
      action: string,
    }
  } | {
    "type": "ticket.created",
    "payload": {
      ticketId: TicketId,
      contractId: ContractId,
      subject: string,
    }
  } | {
    "type": "account.created",
    "payload": {
      accountId: AccountId,
      email: Email,
      name: string,
      managedBy: AccountId,
    }
  } | {
    "type": "license.created",
    "payload": {
      licenseKey: LicenseKey,
      productId: ProductId,
      ownerId: AccountId,
      licenseType: LicenseType,
      tier: LicenseTier,
      expiresAt: Timestamp | null,
      customerPaid: boolean,
    }
  } | {
    "type": "license.payment_updated",
    "payload": {
      licenseKey: LicenseKey,
      customerPaid: boolean,
      customerPaidAt: Timestamp | null,
    }
  } | {
    "type": "transfer.requested",
    "payload": {
      transferId: TransferId,
      subject: TransferSubject,
      fromId: AccountId,
      toId: AccountId,
      expiresAt: Timestamp,
    }
  } | {
    "type": "transfer.accepted",
    "payload": {
      transferId: TransferId,
      subject: TransferSubject,
      fromId: AccountId,
      toId: AccountId,
      licenseKeys: Array<LicenseKey>,
      unassignedLicenseKeys: Array<LicenseKey>,
      removedShareAccountIds: Array<AccountId>,
    }
  } | {
    "type": "transfer.cancelled",
    "payload": {
      transferId: TransferId,
    }
  } | {
    "type": "settings.updated",
    "payload": {
      allowedOrigins: Array<string>,
    }
  } | {
    "type": "webhook.created",
    "payload": {
      webhookId: string,
      url: string,
      events: Array<string> | null,
    }
  } | {
    "type": "webhook.deleted",
    "payload": {
      webhookId: string,
    }
  });

/**
 * What happened, by type (`<resource>.<past-tense verb>`).
 */
export type EventPayload = {
  "type": "account.imported",
  "payload": {
    accountId: AccountId,
  }
} | {
  "type": "product.imported",
  "payload": {
    productId: ProductId,
  }
} | {
  "type": "license.imported",
  "payload": {
    licenseKey: LicenseKey,
    unassignedFrom: ProjectId | null,
  }
} | {
  "type": "order.imported",
  "payload": {
    orderId: OrderId,
  }
} | {
  "type": "contract.imported",
  "payload": {
    contractId: ContractId,
  }
} | {
  "type": "project.runtime_reported",
  "payload": {
    projectId: ProjectId,
    serverActive: boolean,
    activePanels: number,
  }
} | {
  "type": "project.created",
  "payload": {
    projectId: ProjectId,
    name: string,
    kind: ProjectKind,
  }
} | {
  "type": "project.shared",
  "payload": {
    projectId: ProjectId,
    accountId: AccountId,
    email: Email,
    startsAt: Timestamp | null,
    expiresAt: Timestamp | null,
  }
} | {
  "type": "share.updated",
  "payload": {
    projectId: ProjectId,
    accountId: AccountId,
    startsAt: Timestamp,
    expiresAt: Timestamp | null,
  }
} | {
  "type": "share.expiring",
  "payload": {
    projectId: ProjectId,
    accountId: AccountId,
    expiresAt: Timestamp,
  }
} | {
  "type": "share.expired",
  "payload": {
    projectId: ProjectId,
    accountId: AccountId,
    expiresAt: Timestamp,
    removedLicenseKeys: Array<LicenseKey>,
  }
} | {
  "type": "project.unshared",
  "payload": {
    projectId: ProjectId,
    accountId: AccountId,
    removedLicenseKeys: Array<LicenseKey>,
  }
} | {
  "type": "license.assigned",
  "payload": {
    licenseKey: LicenseKey,
    projectId: ProjectId,
  }
} | {
  "type": "license.unassigned",
  "payload": {
    licenseKey: LicenseKey,
    projectId: ProjectId,
  }
} | {
  "type": "order.transferred",
  "payload": {
    orderId: OrderId,
    fromId: AccountId,
    toId: AccountId,
    billingAccountId: AccountId,
    recurring: boolean,
    licenseKeys: Array<LicenseKey>,
    unassignedLicenseKeys: Array<LicenseKey>,
  }
} | {
  "type": "delegate.invited",
  "payload": {
    invitationId: InvitationId,
    contractId: ContractId,
    email: Email,
    accountId: AccountId,
    acceptToken: string,
    expiresAt: Timestamp,
    accessStartsAt: Timestamp | null,
    accessExpiresAt: Timestamp | null,
  }
} | {
  "type": "invitation.resent",
  "payload": {
    invitationId: InvitationId,
    contractId: ContractId,
    email: Email,
    acceptToken: string,
    expiresAt: Timestamp,
  }
} | {
  "type": "invitation.cancelled",
  "payload": {
    invitationId: InvitationId,
    contractId: ContractId,
  }
} | {
  "type": "delegate.accepted",
  "payload": {
    invitationId: InvitationId,
    contractId: ContractId,
    accountId: AccountId,
  }
} | {
  "type": "delegate.revoked",
  "payload": {
    contractId: ContractId,
    accountId: AccountId,
  }
} | {
  "type": "delegate.updated",
  "payload": {
    contractId: ContractId,
    accountId: AccountId,
    startsAt: Timestamp,
    expiresAt: Timestamp | null,
  }
} | {
  "type": "delegate.expiring",
  "payload": {
    contractId: ContractId,
    accountId: AccountId,
    expiresAt: Timestamp,
  }
} | {
  "type": "delegate.expired",
  "payload": {
    contractId: ContractId,
    accountId: AccountId,
    expiresAt: Timestamp,
  }
} | {
  "type": "contract.provisioning_requested",
  "payload": {
    contractId: ContractId,
    action: string,
  }
} | {
  "type": "ticket.created",
  "payload": {
    ticketId: TicketId,
    contractId: ContractId,
    subject: string,
  }
} | {
  "type": "account.created",
  "payload": {
    accountId: AccountId,
    email: Email,
    name: string,
    managedBy: AccountId,
  }
} | {
  "type": "license.created",
  "payload": {
    licenseKey: LicenseKey,
    productId: ProductId,
    ownerId: AccountId,
    licenseType: LicenseType,
    tier: LicenseTier,
    expiresAt: Timestamp | null,
    customerPaid: boolean,
  }
} | {
  "type": "license.payment_updated",
  "payload": {
    licenseKey: LicenseKey,
    customerPaid: boolean,
    customerPaidAt: Timestamp | null,
  }
} | {
  "type": "transfer.requested",
  "payload": {
    transferId: TransferId,
    subject: TransferSubject,
    fromId: AccountId,
    toId: AccountId,
    expiresAt: Timestamp,
  }
} | {
  "type": "transfer.accepted",
  "payload": {
    transferId: TransferId,
    subject: TransferSubject,
    fromId: AccountId,
    toId: AccountId,
    licenseKeys: Array<LicenseKey>,
    unassignedLicenseKeys: Array<LicenseKey>,
    removedShareAccountIds: Array<AccountId>,
  }
} | {
  "type": "transfer.cancelled",
  "payload": {
    transferId: TransferId,
  }
} | {
  "type": "settings.updated",
  "payload": {
    allowedOrigins: Array<string>,
  }
} | {
  "type": "webhook.created",
  "payload": {
    webhookId: string,
    url: string,
    events: Array<string> | null,
  }
} | {
  "type": "webhook.deleted",
  "payload": {
    webhookId: string,
  }
};

/**
 * The actor's relation to a contract.
 */
export type ContractRole = "owner" | "delegate";

/**
 * The actor's relation to a project.
 */
export type ProjectRole = "owner" | "recipient";

/**
 * Someone a project is shared with, as its owner sees them.
 */
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
  sharedAt: Timestamp,
  /**
   * When its access starts.
   */
  startsAt: Timestamp,
  /**
   * When its access ends; none: no end.
   */
  expiresAt: Timestamp | null,
  /**
   * Where its share stands now: an ended share stays in its owner's list as `expired`.
   */
  status: GrantStatus,
};

/**
 * A recipient's or a delegate's own window of access, as it sees it.
 */
export type AccessWindow = {
  /**
   * When the access starts.
   */
  startsAt: Timestamp,
  /**
   * When it ends; none: no end.
   */
  expiresAt: Timestamp | null,
  /**
   * Where it stands now (a list shows only what is `active`).
   */
  status: GrantStatus,
};

/**
 * A project in the caller's list.
 */
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
   * Who it is shared with, scheduled, active and expired; only the owner sees this.
   */
  sharedWith: Array<Recipient>,
  /**
   * The caller's own window of access, for a recipient; none for the owner.
   */
  access: AccessWindow | null,
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
  createdAt: Timestamp,
};

/**
 * A contract as the caller may see it: a delegate sees no billing.
 */
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
  ownerEmail: Email | null,
  /**
   * The caller's own window of access, for a delegate; none for the owner.
   */
  access: AccessWindow | null,
};

/**
 * A delegate as the contract's owner sees it.
 */
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
   * Where it stands now: scheduled, active, expired or revoked.
   */
  status: GrantStatus,
  /**
   * When it became a delegate.
   */
  addedAt: Timestamp,
  /**
   * When it was revoked.
   */
  revokedAt: Timestamp | null,
  /**
   * When its access starts.
   */
  startsAt: Timestamp,
  /**
   * When its access ends; none: no end.
   */
  expiresAt: Timestamp | null,
};

/**
 * An invitation as the contract's owner sees it (never its token).
 */
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
  resentAt: Timestamp | null,
  /**
   * When the access it offers starts, if later than its acceptance.
   */
  accessStartsAt: Timestamp | null,
  /**
   * When the access it offers ends; none: no end.
   */
  accessExpiresAt: Timestamp | null,
};

/**
 * A contract's delegates and invitations.
 */
export type DelegatesView = {
  /**
   * Delegates, active and revoked.
   */
  delegates: Array<DelegateView>,
  /**
   * Invitations, newest first.
   */
  invitations: Array<InvitationView>,
};

/**
 * A transfer as its parties see it.
 */
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
  expiresAt: Timestamp,
};

/** Every reason code: why an action is allowed or denied. */
export type ReasonCode =
  | "owner"
  | "contract_delegate"
  | "share_recipient"
  | "company_admin"
  | "license_reseller"
  | "project_owner"
  | "self"
  | "account_manager"
  | "billing_account"
  | "not_found"
  | "unknown_actor"
  | "delegate_action_forbidden"
  | "contract_not_subscription"
  | "nothing_to_revoke"
  | "share_recipient_forbidden"
  | "share_recipient_sees_own_licenses"
  | "end_user_cannot_modify"
  | "not_license_owner"
  | "not_license_reseller"
  | "license_in_use"
  | "license_already_assigned"
  | "license_expired"
  | "transfer_pending"
  | "server_active"
  | "panels_active"
  | "partner_only"
  | "not_order_owner";

/** Every action name: `<resource>.<verb>`. */
export type ActionName =
  | "contract.view"
  | "contract.billing.view"
  | "contract.billing.manage"
  | "contract.cancel"
  | "contract.upgrade"
  | "contract.modify"
  | "contract.provision"
  | "contract.tickets.create"
  | "contract.tickets.view"
  | "contract.delegates.manage"
  | "contract.delegates.revoke"
  | "project.view"
  | "project.rename"
  | "project.delete"
  | "project.share"
  | "project.transfer"
  | "project.licenses.assign"
  | "project.licenses.view_all"
  | "project.modify"
  | "project.users.invite"
  | "license.view"
  | "license.assign"
  | "license.transfer"
  | "license.mark_paid"
  | "order.view"
  | "order.transfer"
  | "account.view";

/** Every code of a command error that is not a deny reason (a denial carries its `ReasonCode`). */
export type CommandErrorCode =
  | "invalid_input"
  | "invalid_email"
  | "invalid_name"
  | "invalid_text"
  | "invalid_quantity"
  | "invalid_provisioning_action"
  | "invalid_window"
  | "invalid_record"
  | "unknown_actor"
  | "account_not_found"
  | "product_not_found"
  | "license_not_found"
  | "order_not_found"
  | "project_not_found"
  | "share_not_found"
  | "contract_not_found"
  | "delegate_not_found"
  | "invitation_not_found"
  | "transfer_not_found"
  | "customer_not_found"
  | "recipient_not_found"
  | "invitee_not_found"
  | "cannot_share_with_self"
  | "cannot_invite_self"
  | "cannot_transfer_to_self"
  | "contract_not_subscription"
  | "license_expired"
  | "license_not_on_project"
  | "unpaid_limit_reached"
  | "primary_license_required"
  | "recipient_kind_not_allowed"
  | "owner_not_found"
  | "already_shared"
  | "already_delegate"
  | "invitation_pending"
  | "invitation_already_used"
  | "invitation_not_pending"
  | "license_already_assigned"
  | "license_in_use"
  | "server_active"
  | "panels_active"
  | "email_in_use"
  | "transfer_pending"
  | "grant_expired"
  | "transfer_already_accepted"
  | "invitation_expired"
  | "invitation_cancelled"
  | "invitation_window_ended"
  | "transfer_expired"
  | "transfer_cancelled"
  | "invitation_wrong_account"
  | "not_transfer_recipient"
  | "not_transfer_requester"
  | "reseller_only"
  | "unknown_event_type"
  | "invalid_webhook_events"
  | "fresh_values_exhausted";
