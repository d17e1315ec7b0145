//! Access for a time: the window of a share or a delegation (`startsAt` to `expiresAt`), as an
//! owner gives it and as time runs through it.
//!
//! The decision is a pure function of the records and `now`: before its start a grant gives
//! nothing; from its end it is as removed as an unshare or a revocation, cascade included (a
//! recipient's licenses carry the end of its window as their assignment's `until`, so a license
//! answers for itself). Nothing waits for a clock: the sweep ([`crate::sweep`]) only records
//! what the end implies and sends the reminders, and [`valid_until`] tells a holder of a
//! snapshot when its answers next change.

use crate::error::{CommandError, ErrorCode};
use crate::model::GrantStatus;
use crate::state::State;
use crate::time::Timestamp;

/// How far ahead a window may reach, in days (as far as Microsoft's delegated admin
/// relationships do).
pub const MAX_DAYS_AHEAD: i64 = 730;

/// Days before the end of a window at which the first reminder goes out.
pub const FIRST_REMINDER_DAYS: i64 = 7;

/// Days before the end of a window at which the last reminder goes out.
pub const LAST_REMINDER_DAYS: i64 = 1;

fn invalid(detail: impl Into<String>) -> CommandError {
    CommandError::new(ErrorCode::InvalidWindow, detail)
}

/// The error for a change of a grant whose window has ended.
pub(crate) fn grant_expired(what: &str) -> CommandError {
    CommandError::new(
        ErrorCode::GrantExpired,
        format!("{what} has ended: it can no longer change; share or invite again"),
    )
}

/// An instant of a window given to a command (`field` names it): RFC 3339 in UTC (`Z`).
pub(crate) fn instant(text: &str, field: &str) -> Result<Timestamp, CommandError> {
    let utc = text.ends_with('Z') || text.ends_with('z');
    match Timestamp::parse(text) {
        Ok(at) if utc => Ok(at),
        _ => Err(invalid(format!(
            "`{field}` is `{}`, not an RFC 3339 time in UTC such as `2026-11-21T09:30:00.000Z`",
            text.chars().take(64).collect::<String>()
        ))),
    }
}

/// Checks a window whose access starts at `start` and ends at `end` (none: no end), set at
/// `now`: the end later than the start and than now, neither more than [`MAX_DAYS_AHEAD`]
/// days ahead.
pub(crate) fn check(
    start: Timestamp,
    end: Option<Timestamp>,
    now: Timestamp,
) -> Result<(), CommandError> {
    let horizon = now.plus_days(MAX_DAYS_AHEAD);
    if start > horizon {
        return Err(invalid(format!(
            "`startsAt` is more than {MAX_DAYS_AHEAD} days ahead"
        )));
    }
    let Some(end) = end else {
        return Ok(());
    };
    if end <= now {
        Err(invalid("`expiresAt` is not in the future"))
    } else if end <= start {
        Err(invalid("`expiresAt` is not later than `startsAt`"))
    } else if end > horizon {
        Err(invalid(format!(
            "`expiresAt` is more than {MAX_DAYS_AHEAD} days ahead"
        )))
    } else {
        Ok(())
    }
}

/// A window given to a command that creates a grant (`startsAt`, `expiresAt`, each optional),
/// checked at `now`: the start to store (none when it is not later than now: at once) and the
/// end.
pub(crate) fn given(
    starts_at: Option<&str>,
    expires_at: Option<&str>,
    now: Timestamp,
) -> Result<(Option<Timestamp>, Option<Timestamp>), CommandError> {
    let start = starts_at.map(|s| instant(s, "startsAt")).transpose()?;
    let end = expires_at.map(|s| instant(s, "expiresAt")).transpose()?;
    let start = start.filter(|s| *s > now);
    check(start.unwrap_or(now), end, now)?;
    Ok((start, end))
}

/// Serde for a window's field that a command may leave out (`None`: keep it), set to `null`
/// (`Some(None)`: clear it) or give (`Some(Some(_))`).
pub mod edit {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes `null` for a cleared field (a field kept is skipped by the caller's attribute).
    pub fn serialize<S: Serializer>(
        value: &Option<Option<String>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value
            .as_ref()
            .and_then(Option::as_ref)
            .serialize(serializer)
    }

    /// Reads a present field, `null` included (an absent one is the caller's default, `None`).
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(deserializer).map(Some)
    }
}

/// The window a change of window asks for (`starts_at`, `expires_at`: `None` keeps a field,
/// `Some(None)` clears it), checked at `now` against the grant's window as stored (`stored`:
/// its start and end) and its status: the start to store and the end. A start moves only while
/// the access has not started; a start brought to now or earlier is stored as now.
pub(crate) fn changed(
    stored: (Option<Timestamp>, Option<Timestamp>),
    base: Timestamp,
    status: GrantStatus,
    edit: (Option<Option<&str>>, Option<Option<&str>>),
    now: Timestamp,
) -> Result<(Option<Timestamp>, Option<Timestamp>), CommandError> {
    let start = match edit.0 {
        None => stored.0,
        Some(value) => {
            let wanted = value.map(|t| instant(t, "startsAt")).transpose()?;
            match (status, wanted) {
                (GrantStatus::Scheduled, Some(at)) if at > now => Some(at),
                (GrantStatus::Scheduled, _) => Some(now),
                (_, Some(at)) if at > now => {
                    return Err(invalid(
                        "the access has started: only `expiresAt` can change",
                    ));
                }
                _ => stored.0,
            }
        }
    };
    let end = match edit.1 {
        None => stored.1,
        Some(value) => value.map(|t| instant(t, "expiresAt")).transpose()?,
    };
    check(start.map_or(base, |s| s.max(base)), end, now)?;
    Ok((start, end))
}

/// When the sweep first has something to do for a window ending at `end`, set at `now`: 7
/// days before the end, 1 day before it, or at the end, whichever is the first not yet past (a
/// window of three days gets only the 1-day reminder). None for a window with no end.
pub fn first_notice(end: Option<Timestamp>, now: Timestamp) -> Option<Timestamp> {
    let end = end?;
    [FIRST_REMINDER_DAYS, LAST_REMINDER_DAYS, 0]
        .map(|days| end.plus_days(-days))
        .into_iter()
        .find(|at| now < *at)
        .or(Some(end))
}

/// What the sweep does at `now` for a window ending at `end` whose next notice is due at `due`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Nothing yet.
    Wait,
    /// Send the `*.expiring` reminder, then wait until `next`.
    Remind {
        /// When the sweep next has something to do: the last reminder, or the end.
        next: Timestamp,
    },
    /// Record the end: the `*.expired` event and what the end implies.
    End,
}

/// The sweep's step at `now` (a sweep that ran late sends only the latest reminder due, and at
/// the end no reminder at all).
pub fn step(end: Option<Timestamp>, due: Option<Timestamp>, now: Timestamp) -> Step {
    let (Some(end), Some(due)) = (end, due) else {
        return Step::Wait;
    };
    let last = end.plus_days(-LAST_REMINDER_DAYS);
    if now < due {
        Step::Wait
    } else if now >= end {
        Step::End
    } else if now >= last {
        Step::Remind { next: end }
    } else {
        Step::Remind { next: last }
    }
}

/// When the answers on `state` next change after `at`: the earliest start or end of a window
/// in it later than `at` (shares, delegations, and the assignments that end with their
/// shares); none when no window starts or ends after `at`. A holder of a snapshot taken at
/// `at` fetches it again, or re-renders, then.
pub fn valid_until(state: &State, at: Timestamp) -> Option<Timestamp> {
    let mut next: Option<Timestamp> = None;
    let mut consider = |t: Option<Timestamp>| {
        if let Some(t) = t.filter(|t| *t > at && next.is_none_or(|n| *t < n)) {
            next = Some(t);
        }
    };
    for share in &state.shares {
        consider(Some(share.start()));
        consider(share.expires_at);
    }
    for delegate in &state.delegates {
        if delegate.status == crate::model::DelegateStatus::Active {
            consider(Some(delegate.start()));
            consider(delegate.expires_at);
        }
    }
    for license in &state.licenses {
        consider(license.assignment.as_ref().and_then(|a| a.until));
    }
    next
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    fn t(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    const NOW: &str = "2026-01-05T09:00:00Z";

    fn check_given(start: Option<&str>, end: Option<&str>, expected: Result<(), &str>) {
        match (given(start, end, t(NOW)), expected) {
            (Ok(_), Ok(())) => {}
            (Err(e), Err(message)) => {
                assert_eq!(e.code, ErrorCode::InvalidWindow);
                assert!(
                    e.detail.contains(message),
                    "{start:?} {end:?}: {}",
                    e.detail
                );
            }
            (got, want) => panic!("{start:?} {end:?}: got {got:?}, expected {want:?}"),
        }
    }

    #[test]
    fn windows_are_checked_against_now_and_each_other() {
        check_given(None, None, Ok(()));
        check_given(None, Some("2026-01-05T09:00:00.001Z"), Ok(()));
        check_given(
            Some("2026-02-01T00:00:00Z"),
            Some("2026-03-01T00:00:00Z"),
            Ok(()),
        );
        // A start in the past is at once.
        check_given(
            Some("2025-01-01T00:00:00Z"),
            Some("2026-03-01T00:00:00Z"),
            Ok(()),
        );
        check_given(None, Some(NOW), Err("not in the future"));
        check_given(None, Some("2025-12-31T00:00:00Z"), Err("not in the future"));
        check_given(
            Some("2026-03-01T00:00:00Z"),
            Some("2026-03-01T00:00:00Z"),
            Err("not later than `startsAt`"),
        );
        check_given(None, Some("2028-01-05T09:00:00Z"), Ok(()));
        check_given(None, Some("2028-01-05T09:00:00.001Z"), Err("730 days"));
        check_given(Some("2028-02-01T00:00:00Z"), None, Err("730 days"));
        check_given(None, Some("2026-03-01T00:00:00+01:00"), Err("in UTC"));
        check_given(None, Some("2026-03-01"), Err("in UTC"));
        check_given(Some("tomorrow"), None, Err("`startsAt` is `tomorrow`"));
    }

    #[test]
    fn reminders_whose_moment_passed_are_not_sent() {
        let now = t(NOW);
        let end = |days| now.plus_days(days);
        assert_eq!(first_notice(None, now), None);
        assert_eq!(first_notice(Some(end(30)), now), Some(end(23)));
        assert_eq!(first_notice(Some(end(3)), now), Some(end(2)));
        assert_eq!(first_notice(Some(end(1)), now), Some(end(1)));
    }

    #[test]
    fn the_sweep_sends_each_reminder_once_and_only_the_latest_when_late() {
        let end = t("2026-02-01T00:00:00Z");
        let week = Some(end.plus_days(-7));
        let day = Some(end.plus_days(-1));
        assert_eq!(step(Some(end), week, end.plus_days(-8)), Step::Wait);
        assert_eq!(
            step(Some(end), week, end.plus_days(-7)),
            Step::Remind {
                next: end.plus_days(-1)
            }
        );
        assert_eq!(
            step(Some(end), week, end.plus_days(-1)),
            Step::Remind { next: end }
        );
        assert_eq!(step(Some(end), day, end.plus_days(-2)), Step::Wait);
        assert_eq!(step(Some(end), Some(end), end.plus_days(-1)), Step::Wait);
        assert_eq!(step(Some(end), week, end), Step::End);
        assert_eq!(step(Some(end), None, end), Step::Wait);
        assert_eq!(step(None, week, end), Step::Wait);
    }
}
