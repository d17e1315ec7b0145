//! What a route's declaration is made of, below the handlers that serve it and the table
//! (`routes`) that names them: the path parameters and how a path matches a pattern, the queries
//! a route may take with the errors their parsing answers, and how an answer type describes
//! itself to the OpenAPI document.

use crate::errors::Transport;
use crate::http::{Markdown, NoContent};
use schemars::{JsonSchema, Schema, SchemaGenerator};

/// The most items one page of a list holds.
pub const MAX_PAGE: usize = 1_000;

/// The number of items a page holds when the request names none.
pub const DEFAULT_PAGE: usize = 100;

/// The most resources one scoped snapshot may name.
pub const MAX_SCOPED: usize = 50;

/// The path parameters of a matched route, in order.
pub type Params = Vec<String>;

/// Whether `path` fits `pattern`; its parameters if so, percent-decoded (clients write an id's
/// `:` and `@` as `%3A` and `%40`). A segment that is not UTF-8 once decoded is kept as sent,
/// and its handler refuses it as an invalid id.
pub fn matches(pattern: &str, path: &str) -> Option<Params> {
    let mut params = Vec::new();
    let mut want = pattern.split('/');
    let mut got = path.split('/');
    loop {
        match (want.next(), got.next()) {
            (None, None) => return Some(params),
            (Some(w), Some(g)) if w.starts_with('{') && !g.is_empty() => params.push(
                percent_encoding::percent_decode_str(g)
                    .decode_utf8()
                    .map_or_else(|_| g.to_owned(), |decoded| decoded.into_owned()),
            ),
            (Some(w), Some(g)) if w == g => {}
            _ => return None,
        }
    }
}

/// A schema for the document, made on demand.
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// The answer type of a route, as the document describes it.
pub trait Answered {
    /// The media type and schema, or `None` for an empty answer.
    fn answered() -> Option<(&'static str, SchemaFn)>;
}

impl<T: JsonSchema> Answered for T {
    fn answered() -> Option<(&'static str, SchemaFn)> {
        Some(("application/json", |g| g.subschema_for::<T>()))
    }
}

impl Answered for NoContent {
    fn answered() -> Option<(&'static str, SchemaFn)> {
        None
    }
}

impl Answered for Markdown {
    fn answered() -> Option<(&'static str, SchemaFn)> {
        Some((
            "text/markdown",
            |_| schemars::json_schema!({ "type": "string" }),
        ))
    }
}

/// A query a route takes: the errors its parsing may answer.
pub trait Query: JsonSchema {
    /// The errors.
    const ERRORS: &'static [Transport];
}

impl Query for PageQuery {
    const ERRORS: &'static [Transport] = &[
        Transport::InvalidLimit,
        Transport::InvalidCursor,
        Transport::InvalidQuery,
    ];
}

impl Query for EventQuery {
    const ERRORS: &'static [Transport] = &[
        Transport::InvalidLimit,
        Transport::InvalidCursor,
        Transport::InvalidQuery,
    ];
}

impl Query for AccessQuery {
    const ERRORS: &'static [Transport] = &[
        Transport::InvalidQuery,
        Transport::InvalidResource,
        Transport::TooManyResources,
    ];
}

/// The query of a paged list.
#[derive(JsonSchema)]
#[allow(dead_code, reason = "documents the query that `handlers::page` reads")]
pub struct PageQuery {
    /// How many items, from 1 to 1000; 100 when absent.
    #[schemars(range(min = 1, max = MAX_PAGE))]
    limit: Option<u32>,
    /// The `nextCursor` of the previous page.
    after: Option<String>,
}

/// The query of the event feed.
#[derive(JsonSchema)]
#[allow(dead_code, reason = "documents the query that `records::events` reads")]
pub struct EventQuery {
    /// How many events, from 1 to 1000; 100 when absent.
    #[schemars(range(min = 1, max = MAX_PAGE))]
    limit: Option<u32>,
    /// The `cursor` of the last event already read; the feed starts after it (empty or 0: from
    /// the start).
    #[schemars(regex(pattern = r"^[0-9]*$"))]
    after: Option<String>,
}

/// The query of a scoped access snapshot.
#[derive(JsonSchema)]
#[allow(
    dead_code,
    reason = "documents the query that `records::me_access` reads"
)]
pub struct AccessQuery {
    /// Up to 50 resources, each `<type>:<id>` (such as `project:p-1`): the snapshot holds what
    /// decides every action on them. Without any, the snapshot covers the whole account (at
    /// most 2,000 records).
    #[schemars(
        length(max = MAX_SCOPED),
        inner(regex(
            pattern = concat!(
                "^(contract|project|license|order|account):[",
                entitle_rules::id_chars!(),
                "]{1,128}$"
            )
        ))
    )]
    resource: Option<Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn a_pattern_matches_paths_of_its_shape_with_their_parameters_in_order() {
        assert_eq!(matches("/v1/projects", "/v1/projects"), Some(vec![]));
        assert_eq!(
            matches(
                "/v1/projects/{id}/shares/{account}",
                "/v1/projects/p-1/shares/a-2"
            ),
            Some(vec!["p-1".to_owned(), "a-2".to_owned()])
        );
    }

    #[test]
    fn a_parameter_is_percent_decoded_and_kept_as_sent_when_not_utf8() {
        assert_eq!(
            matches("/v1/licenses/{key}", "/v1/licenses/a%3Ab%40c"),
            Some(vec!["a:b@c".to_owned()])
        );
        assert_eq!(
            matches("/v1/licenses/{key}", "/v1/licenses/%FF"),
            Some(vec!["%FF".to_owned()])
        );
    }

    #[test]
    fn a_path_of_another_shape_does_not_match() {
        for path in [
            "/v1/projects/",
            "/v1/projects/p-1/",
            "/v1/projects/p-1/shares",
            "/v1/projects//shares/a",
            "/v1/project/p-1/shares/a",
            "v1/projects/p-1/shares/a",
        ] {
            assert_eq!(
                matches("/v1/projects/{id}/shares/{account}", path),
                None,
                "{path}"
            );
        }
    }
}
