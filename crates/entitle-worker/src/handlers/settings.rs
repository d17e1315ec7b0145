//! The store's settings: the origins its pages run on, for CORS (`crate::cors`).

use super::Call;
use crate::cors::origin_problem;
use crate::errors::Transport;
use crate::http::{ApiError, Reply};
use crate::store::settings::Settings as Stored;
use crate::views::{MAX_ORIGINS, Settings};
use entitle_rules::ids::StoreId;

/// `GET /v1/settings`
pub async fn get(call: &mut Call, store: &StoreId) -> Result<Reply<Settings>, ApiError> {
    let allowed_origins = Stored::new(call.db(store)?).allowed_origins(store).await?;
    Ok(Reply::new(Settings { allowed_origins }))
}

/// `PUT /v1/settings`: replaces the store's settings whole; nothing is written when one
/// origin is refused.
pub async fn put(
    call: &mut Call,
    store: &StoreId,
    b: Settings,
) -> Result<Reply<Settings>, ApiError> {
    if b.allowed_origins.len() > MAX_ORIGINS {
        return Err(ApiError::transport(
            Transport::TooManyOrigins,
            format!(
                "a store lists at most {MAX_ORIGINS} origins, not {}",
                b.allowed_origins.len()
            ),
        ));
    }
    for (index, origin) in b.allowed_origins.iter().enumerate() {
        let duplicate = b.allowed_origins.iter().take(index).any(|o| o == origin);
        let problem = origin_problem(origin)
            .or_else(|| duplicate.then(|| format!("`{origin}` is listed twice")));
        if let Some(problem) = problem {
            return Err(ApiError::transport(
                Transport::InvalidOrigin,
                format!("allowedOrigins[{index}]: {problem}"),
            ));
        }
    }
    Stored::new(call.db(store)?)
        .replace_allowed_origins(store, &b.allowed_origins, call.now)
        .await?;
    Ok(Reply::new(b))
}
