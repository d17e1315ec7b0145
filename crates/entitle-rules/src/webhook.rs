//! Webhook subscriptions: which events of the store's feed an endpoint receives, and when a
//! delivery that failed is tried again. The worker does the HTTP; these are its decisions.

use crate::error::{CommandError, ErrorCode};
use crate::time::Timestamp;
use std::collections::BTreeSet;

/// Every event type of the feed, the types a subscription may list: the rules' one declaration.
pub const EVENT_TYPES: &[&str] = crate::EventPayload::TYPES;

/// The most webhook endpoints one store may register.
pub const MAX_WEBHOOKS: usize = 10;

/// Retries go on until this long after the first attempt (three days), then stop.
pub const RETRY_HORIZON_MS: i64 = 3 * 24 * 3_600_000;

/// The longest wait between two attempts, in seconds (six hours).
pub const MAX_RETRY_DELAY_SECONDS: u32 = 6 * 3_600;

/// How long the delivery log keeps an attempt, in days: far past the last retry of any
/// delivery, so an event still being retried never loses the count of its attempts.
pub const LOG_RETENTION_DAYS: i64 = 30;

/// The attempts of the delivery log made before this moment are pruned, at `now`.
pub fn log_cutoff(now: Timestamp) -> Timestamp {
    now.plus_days(-LOG_RETENTION_DAYS)
}

/// Why a list of event types cannot be a subscription.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SubscriptionError {
    /// A name that is no event type of the feed.
    #[error("events[{index}]: `{name}` is not an event type of the feed")]
    UnknownEventType {
        /// Its place in the list.
        index: usize,
        /// The name given.
        name: String,
    },
    /// An empty list, which would receive nothing.
    #[error("`events` lists no event type; leave it out to receive every event")]
    Empty,
    /// A type listed twice.
    #[error("events[{index}]: `{name}` is listed twice")]
    Duplicate {
        /// Its second place in the list.
        index: usize,
        /// The name given.
        name: String,
    },
}

impl SubscriptionError {
    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::UnknownEventType { .. } => ErrorCode::UnknownEventType,
            Self::Empty | Self::Duplicate { .. } => ErrorCode::InvalidWebhookEvents,
        }
    }
}

impl From<SubscriptionError> for CommandError {
    fn from(error: SubscriptionError) -> Self {
        CommandError::new(error.code(), error.to_string())
    }
}

/// The event types an endpoint receives: every one, or those it listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    only: Option<BTreeSet<&'static str>>,
}

impl Subscription {
    /// Every event of the feed.
    pub fn all() -> Self {
        Self { only: None }
    }

    /// The subscription `events` asks for: every event when absent, else the listed types,
    /// each a known type, listed once.
    pub fn new(events: Option<&[String]>) -> Result<Self, SubscriptionError> {
        let Some(events) = events else {
            return Ok(Self::all());
        };
        if events.is_empty() {
            return Err(SubscriptionError::Empty);
        }
        let mut only = BTreeSet::new();
        for (index, name) in events.iter().enumerate() {
            let known = EVENT_TYPES
                .iter()
                .find(|t| **t == name.as_str())
                .ok_or_else(|| SubscriptionError::UnknownEventType {
                    index,
                    name: name.clone(),
                })?;
            if !only.insert(*known) {
                return Err(SubscriptionError::Duplicate {
                    index,
                    name: name.clone(),
                });
            }
        }
        Ok(Self { only: Some(only) })
    }

    /// Whether an event of type `event_type` goes to the endpoint.
    pub fn receives(&self, event_type: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.contains(event_type))
    }

    /// The listed types in name order, or `None` for every event.
    pub fn events(&self) -> Option<Vec<&'static str>> {
        self.only
            .as_ref()
            .map(|only| only.iter().copied().collect())
    }
}

/// How long to wait before attempt `attempt + 1` after attempt `attempt` (counted from 1)
/// failed `elapsed_ms` after the first attempt, in seconds: `base_seconds` doubled per
/// attempt, at most [`MAX_RETRY_DELAY_SECONDS`]. `None` once [`RETRY_HORIZON_MS`] has passed:
/// the delivery is given up, after at least three days of attempts.
pub fn retry_delay(attempt: u32, elapsed_ms: i64, base_seconds: u32) -> Option<u32> {
    if elapsed_ms >= RETRY_HORIZON_MS {
        return None;
    }
    let doubling = 2u32.saturating_pow(attempt.saturating_sub(1));
    Some(
        base_seconds
            .max(1)
            .saturating_mul(doubling)
            .min(MAX_RETRY_DELAY_SECONDS),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn no_list_receives_every_event() {
        let all = Subscription::new(None).unwrap();
        assert!(EVENT_TYPES.iter().all(|t| all.receives(t)));
        assert_eq!(all.events(), None);
    }

    #[test]
    fn a_list_receives_only_its_types() {
        let some =
            Subscription::new(Some(&names(&["project.shared", "delegate.invited"]))).unwrap();
        assert!(some.receives("delegate.invited"));
        assert!(some.receives("project.shared"));
        assert!(!some.receives("project.created"));
        assert_eq!(
            some.events(),
            Some(vec!["delegate.invited", "project.shared"])
        );
    }

    #[test]
    fn unknown_empty_and_repeated_types_are_refused() {
        let check = |list: &[&str], code: &str| {
            assert_eq!(
                Subscription::new(Some(&names(list)))
                    .unwrap_err()
                    .code()
                    .code(),
                code,
                "{list:?}"
            );
        };
        check(&[], "invalid_webhook_events");
        check(&["project.shared", "project.share"], "unknown_event_type");
        check(&["PROJECT.SHARED"], "unknown_event_type");
        check(
            &["project.shared", "project.shared"],
            "invalid_webhook_events",
        );
    }

    #[test]
    fn retries_double_up_to_six_hours_for_three_days() {
        assert_eq!(retry_delay(1, 0, 30), Some(30));
        assert_eq!(retry_delay(2, 30_000, 30), Some(60));
        assert_eq!(retry_delay(5, 0, 30), Some(480));
        assert_eq!(retry_delay(30, 0, 30), Some(MAX_RETRY_DELAY_SECONDS));
        assert_eq!(retry_delay(1, 0, 0), Some(1));
        assert_eq!(retry_delay(9, RETRY_HORIZON_MS - 1, 30), Some(7_680));
        assert_eq!(retry_delay(9, RETRY_HORIZON_MS, 30), None);
        // Following the schedule, the last attempt comes after three days and the attempts
        // fit in the queue's four days of retention and its retry budget.
        let (mut elapsed, mut attempt) = (0i64, 1u32);
        while let Some(delay) = retry_delay(attempt, elapsed, 30) {
            elapsed += i64::from(delay) * 1000;
            attempt += 1;
        }
        assert!(elapsed >= RETRY_HORIZON_MS);
        assert!(elapsed < RETRY_HORIZON_MS + i64::from(MAX_RETRY_DELAY_SECONDS) * 1000);
        assert!(attempt <= 40, "{attempt} attempts");
        // The log outlives every retry: the last attempt comes before the horizon plus one
        // delay, well within the retention.
        let last = RETRY_HORIZON_MS + i64::from(MAX_RETRY_DELAY_SECONDS) * 1000;
        assert!(last < LOG_RETENTION_DAYS * crate::time::DAY_MS / 4);
    }

    #[test]
    fn the_delivery_log_keeps_thirty_days() {
        let now = Timestamp::parse("2026-11-24T05:00:00.000Z").unwrap();
        assert_eq!(log_cutoff(now).to_string(), "2026-10-25T05:00:00.000Z");
    }
}
