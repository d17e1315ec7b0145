//! Model-based property tests: random command sequences run against the real rules and a
//! naive model; after every step the two must agree and the invariants must hold. One module
//! per state machine, over the runner and the checks they share (`support`).
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code fails loudly"
)]

mod delegates;
mod sharing;
mod support;
mod transfers;
