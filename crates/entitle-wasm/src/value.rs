//! JSON values as JavaScript's own `JSON.parse` reads them, for the check-only build.
//!
//! A storefront's browser already holds a JSON parser; linking serde_json's as well cost the
//! page about 5 KB of gzip. Here the text the package's JavaScript layer wrote (always
//! `JSON.stringify`'s output) goes back through `JSON.parse`, and the resulting JavaScript
//! value is copied into a [`Json`] tree, which `entitle_rules::decode` then reads as it reads
//! serde_json's parse of the same text. What serde_json refuses is refused here too:
//! nesting past 127 levels, and strings holding a lone surrogate (which wasm-bindgen's copy of a
//! string would otherwise turn into U+FFFD). The differences left are where no such text can
//! reach it: duplicate keys (`JSON.stringify` never writes them) and integers beyond 2^53,
//! which JavaScript numbers do not hold exactly (no field takes one). Two tests hold the
//! check-only build to the full build (which parses with serde_json): `tests/npm.test.mjs` on
//! odd values in every field, `tests/support/run-wasm.mjs` on every decision and list view of
//! every scenario.

use entitle_rules::decode::Json;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn json_parse(text: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = Array, js_name = isArray)]
    fn is_array(value: &JsValue) -> bool;
    #[wasm_bindgen(js_namespace = Object, js_name = keys)]
    fn keys(value: &JsValue) -> Vec<JsValue>;
    #[wasm_bindgen(js_namespace = Object, js_name = values)]
    fn values(value: &JsValue) -> Vec<JsValue>;
    #[wasm_bindgen(js_name = encodeURIComponent, catch)]
    fn encode_uri_component(text: &JsValue) -> Result<JsValue, JsValue>;
}

/// serde_json's limit, kept here too: arrays and objects nest at most 127 deep. Without it, a
/// deeply nested value would exhaust the stack in the middle of the module (serde_json refuses
/// it for the same reason); no state comes near it.
const MAX_DEPTH: u32 = 128;

/// Why JSON text cannot be read.
pub(crate) enum Unreadable {
    /// The text is not JSON (the package's JavaScript layer never passes such text).
    NotJson,
    /// Arrays and objects nest deeper than serde_json reads.
    TooDeep,
    /// A string holds a lone surrogate: it is not Unicode text.
    LoneSurrogate,
}

/// Parses JSON text with JavaScript's parser.
pub(crate) fn parse(text: &str) -> Result<Json, Unreadable> {
    let parsed = json_parse(text).map_err(|_| Unreadable::NotJson)?;
    copy(&parsed, MAX_DEPTH)
}

/// A value `JSON.parse` returned (a string, boolean, number, null, array or plain object), if
/// it nests less than `depth` deep.
fn copy(value: &JsValue, depth: u32) -> Result<Json, Unreadable> {
    let inner = || (depth.checked_sub(1).filter(|d| *d > 0)).ok_or(Unreadable::TooDeep);
    Ok(if let Some(text) = text(value)? {
        Json::String(text)
    } else if let Some(flag) = value.as_bool() {
        Json::Bool(flag)
    } else if let Some(number) = value.as_f64() {
        self::number(number)
    } else if is_array(value) {
        let depth = inner()?;
        let items = values(value);
        // Plain loops: collecting into a `Result` links an adapter per loop.
        let mut copied = Vec::with_capacity(items.len());
        for item in &items {
            copied.push(copy(item, depth)?);
        }
        Json::Array(copied)
    } else if value.is_object() {
        let depth = inner()?;
        let (names, values) = (keys(value), values(value));
        let mut fields = Vec::with_capacity(values.len());
        for (name, field) in names.iter().zip(&values) {
            let name = text(name)?.unwrap_or_default();
            fields.push((name, copy(field, depth)?));
        }
        Json::Object(fields)
    } else {
        Json::Null
    })
}

/// A JavaScript string as Rust text (`None` for any other value). A lone surrogate is refused,
/// as serde_json refuses the `\ud800` escape `JSON.stringify` writes for it; wasm-bindgen's copy
/// would replace it with U+FFFD, so only text holding U+FFFD is looked at twice.
fn text(value: &JsValue) -> Result<Option<String>, Unreadable> {
    match value.as_string() {
        Some(text) if has_replacement(&text) && encode_uri_component(value).is_err() => {
            Err(Unreadable::LoneSurrogate)
        }
        text => Ok(text),
    }
}

/// Whether text holds U+FFFD (bytes EF BF BD), compared bytewise: a `char` pattern links more.
fn has_replacement(text: &str) -> bool {
    text.as_bytes().windows(3).any(|w| w == [0xEF, 0xBF, 0xBD])
}

/// A number as serde_json reads the literal `JSON.stringify` writes for it: `Some` for the
/// non-negative integers (an integral number below 1e21 is written as an integer literal, and
/// serde_json reads those up to 2^64 as unsigned), `None` for any other.
fn number(number: f64) -> Json {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "integral and within u64's range, checked just before"
    )]
    let count = (number.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(&number))
        .then_some(number as u64);
    Json::Number(count)
}

#[cfg(test)]
mod tests {
    use super::number;
    use entitle_rules::decode::Json;
    use serde_json::Value;

    #[test]
    fn numbers_read_as_serde_json_reads_what_json_stringify_writes() {
        // (the number, the literal JSON.stringify writes for it)
        let cases = [
            (0.0, "0"),
            (-0.0, "0"),
            (7.0, "7"),
            (-7.0, "-7"),
            (1.5, "1.5"),
            (-0.25, "-0.25"),
            (9_007_199_254_740_992.0, "9007199254740992"),
            (1e21, "1e+21"),
            (-1e21, "-1e+21"),
        ];
        for (value, literal) in cases {
            let parsed: Value = serde_json::from_str(literal).expect(literal);
            assert_eq!(number(value), Json::from(parsed), "{literal}");
        }
    }
}
