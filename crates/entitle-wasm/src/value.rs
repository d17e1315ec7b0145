//! JSON values as JavaScript's own `JSON.parse` reads them, for the check-only build.
//!
//! A storefront's browser already holds a JSON parser; linking serde_json's as well cost the
//! page about 6 KB of gzip. Here the text the package's JavaScript layer wrote (always
//! `JSON.stringify`'s output) goes back through `JSON.parse`, and the resulting JavaScript
//! value is copied into a [`serde_json::Value`], which `entitle_rules::decode` then reads as it
//! reads serde_json's parse of the same text. The differences with serde_json's parser are
//! where no such text can reach it: duplicate keys (`JSON.stringify` never writes them) and
//! integers beyond 2^53, which JavaScript numbers do not hold exactly (no field takes one).
//! `tests/support/run-wasm.mjs` holds the check-only build to the full build (which parses
//! with serde_json) on every question of every scenario.

use serde_json::{Map, Number, Value};
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
}

/// Parses JSON text with JavaScript's parser.
pub(crate) fn parse(text: &str) -> Result<Value, Unreadable> {
    let parsed = json_parse(text).map_err(|_| Unreadable::NotJson)?;
    copy(&parsed, MAX_DEPTH).ok_or(Unreadable::TooDeep)
}

/// A value `JSON.parse` returned (a string, boolean, number, null, array or plain object), if
/// it nests less than `depth` deep.
fn copy(value: &JsValue, depth: u32) -> Option<Value> {
    let inner = || depth.checked_sub(1).filter(|d| *d > 0);
    Some(if let Some(text) = value.as_string() {
        Value::String(text)
    } else if let Some(flag) = value.as_bool() {
        Value::Bool(flag)
    } else if let Some(number) = value.as_f64() {
        self::number(number)
    } else if is_array(value) {
        let depth = inner()?;
        Value::Array(
            values(value)
                .iter()
                .map(|v| copy(v, depth))
                .collect::<Option<_>>()?,
        )
    } else if value.is_object() {
        let depth = inner()?;
        let names = keys(value)
            .into_iter()
            .map(|name| name.as_string().unwrap_or_default());
        let fields = values(value)
            .iter()
            .map(|v| copy(v, depth))
            .collect::<Option<Vec<_>>>()?;
        Value::Object(names.zip(fields).collect::<Map<String, Value>>())
    } else {
        Value::Null
    })
}

/// A number as serde_json reads its literal: integers as integers, anything else as a float.
fn number(number: f64) -> Value {
    // `JSON.stringify` writes an integral number below 1e21 as an integer literal.
    let integral = number.fract() == 0.0;
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "integral and within the target type's range, checked just before"
    )]
    if integral && (0.0..18_446_744_073_709_551_616.0).contains(&number) {
        Value::from(number as u64)
    } else if integral && (-9_223_372_036_854_775_808.0..0.0).contains(&number) {
        Value::from(number as i64)
    } else {
        Number::from_f64(number).map_or(Value::Null, Value::Number)
    }
}

#[cfg(test)]
mod tests {
    use super::number;
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
            assert_eq!(number(value), parsed, "{literal}");
            assert_eq!(number(value).as_u64(), parsed.as_u64(), "{literal}");
        }
    }
}
