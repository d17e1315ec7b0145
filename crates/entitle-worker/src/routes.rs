//! Every route the worker serves. The dispatcher matches requests against this table only,
//! and a test checks it against the OpenAPI document in both directions.

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    /// Anyone: no credentials.
    Public,
    /// The store, with its store key.
    Store,
    /// A customer, with a session token.
    Session,
    /// The local demo sign-in, only where the configuration turns it on.
    Demo,
}

/// One route: method, path pattern (`{name}` matches one segment), and who may call it.
pub struct Route {
    /// The HTTP method.
    pub method: &'static str,
    /// The path pattern.
    pub pattern: &'static str,
    /// Who may call it.
    pub caller: Caller,
}

const fn route(method: &'static str, pattern: &'static str, caller: Caller) -> Route {
    Route {
        method,
        pattern,
        caller,
    }
}

use Caller::{Demo, Public, Session, Store};

/// The route table.
pub const ROUTES: &[Route] = &[
    route("GET", "/v1/openapi.json", Public),
    route("POST", "/v1/sessions", Store),
    route("POST", "/v1/demo/sessions", Demo),
    route("GET", "/v1/demo/mailbox", Demo),
    route("GET", "/v1/events", Store),
    route("GET", "/v1/settings", Store),
    route("PUT", "/v1/settings", Store),
    route("PUT", "/v1/accounts/{accountId}", Store),
    route("PUT", "/v1/products/{productId}", Store),
    route("PUT", "/v1/licenses/{licenseKey}", Store),
    route("PUT", "/v1/orders/{orderId}", Store),
    route("PUT", "/v1/contracts/{contractId}", Store),
    route("POST", "/v1/imports", Store),
    route("PATCH", "/v1/projects/{projectId}/runtime", Store),
    route("POST", "/v1/authorize", Session),
    route("GET", "/v1/me/access", Session),
    route("GET", "/v1/contracts", Session),
    route("GET", "/v1/contracts/{contractId}", Session),
    route("POST", "/v1/contracts/{contractId}/delegates", Session),
    route("GET", "/v1/contracts/{contractId}/delegates", Session),
    route(
        "DELETE",
        "/v1/contracts/{contractId}/delegates/{accountId}",
        Session,
    ),
    route(
        "DELETE",
        "/v1/contracts/{contractId}/invitations/{invitationId}",
        Session,
    ),
    route(
        "POST",
        "/v1/contracts/{contractId}/invitations/{invitationId}/resend",
        Session,
    ),
    route("POST", "/v1/invitations/accept", Session),
    route("POST", "/v1/invitations/{token}/accept", Session),
    route("POST", "/v1/contracts/{contractId}/provisioning", Session),
    route("POST", "/v1/contracts/{contractId}/tickets", Session),
    route("GET", "/v1/contracts/{contractId}/tickets", Session),
    route("POST", "/v1/projects", Session),
    route("GET", "/v1/projects", Session),
    route("POST", "/v1/projects/{projectId}/shares", Session),
    route(
        "DELETE",
        "/v1/projects/{projectId}/shares/{accountId}",
        Session,
    ),
    route("POST", "/v1/projects/{projectId}/licenses", Session),
    route("GET", "/v1/projects/{projectId}/licenses", Session),
    route(
        "DELETE",
        "/v1/projects/{projectId}/licenses/{licenseKey}",
        Session,
    ),
    route("POST", "/v1/projects/{projectId}/transfer", Session),
    route("POST", "/v1/orders/{orderId}/transfer", Session),
    route("POST", "/v1/customers", Session),
    route("GET", "/v1/customers", Session),
    route("POST", "/v1/licenses", Session),
    route("GET", "/v1/licenses", Session),
    route("PATCH", "/v1/licenses/{licenseKey}", Session),
    route("POST", "/v1/licenses/{licenseKey}/transfer", Session),
    route("GET", "/v1/transfers", Session),
    route("POST", "/v1/transfers/{transferId}/accept", Session),
    route("POST", "/v1/transfers/{transferId}/cancel", Session),
];

/// The path parameters of a matched route, in order.
pub type Params = Vec<String>;

/// Whether `path` fits `pattern`; its parameters if so.
pub fn matches(pattern: &str, path: &str) -> Option<Params> {
    let mut params = Vec::new();
    let mut want = pattern.split('/');
    let mut got = path.split('/');
    loop {
        match (want.next(), got.next()) {
            (None, None) => return Some(params),
            (Some(w), Some(g)) if w.starts_with('{') && !g.is_empty() => params.push(g.to_owned()),
            (Some(w), Some(g)) if w == g => {}
            _ => return None,
        }
    }
}
