//! What a handler gets: the request, the worker's bindings, the path parameters, the request's
//! time and id, its idempotency key, its meter of D1 use, and its context for work after the
//! answer. Below the handlers and the live socket route, which both take it.

use crate::http::ApiError;
use crate::idempotency::Key;
use crate::route::Params;
use crate::store::Store;
use crate::store::db::{Db, Meter};
use entitle_rules::ids::StoreId;
use entitle_rules::{ErrorCode, Timestamp};
use worker::{Env, Request};

/// Everything a handler gets.
pub struct Call {
    /// The request.
    pub req: Request,
    /// The worker's bindings.
    pub env: Env,
    /// The path parameters, in pattern order.
    pub params: Params,
    /// The request's time.
    pub now: Timestamp,
    /// The route's success status.
    pub status: u16,
    /// The request's id (`Request-Id`), repeated in problem bodies.
    pub request_id: String,
    /// The request's idempotency key, scoped to its caller, if it sent one on a POST.
    pub idempotency: Option<Key>,
    /// What the request asked of D1 so far (`Server-Timing`, D1's limits).
    pub meter: Meter,
    /// The request's context, for work that runs after the answer (`wait_until`).
    pub background: worker::Context,
}

impl Call {
    /// The path parameter at `index`.
    pub fn param(&self, index: usize) -> Result<&str, ApiError> {
        self.params
            .get(index)
            .map(String::as_str)
            .ok_or_else(|| ApiError::internal("route parameter missing"))
    }

    /// The path parameter at `index` as an id; an invalid id is as unknown as a missing one.
    pub fn id<T: TryFrom<String>>(
        &self,
        index: usize,
        code: ErrorCode,
        what: &str,
    ) -> Result<T, ApiError> {
        let value = self.param(index)?;
        T::try_from(value.to_owned()).map_err(|_| {
            ApiError::rules(
                code,
                format!("{what} `{value}` does not exist or is not visible to you"),
            )
        })
    }

    /// The database `store` lives on (`STORE_DATABASES`; `DB` unless named), metered by this
    /// request. A request only ever reaches the database of its caller's store.
    pub fn db(&self, store: &StoreId) -> Result<Db, ApiError> {
        Db::of_store(&self.env, &self.meter, store)
    }

    /// The store's records, on its database.
    pub fn store(&self, store: &StoreId) -> Result<Store, ApiError> {
        Ok(Store::new(self.db(store)?, store.clone()))
    }
}
