"""Schemathesis hooks for entitle (tests/schemathesis.test.mjs loads them through schemathesis.toml).

One check, `schema_valid_values_accepted`: a request that the document calls valid must not be
refused for the shape of one of its values. The built-in `positive_data_acceptance` check is told
(schemathesis.toml) that 410 and 422 may answer a valid request: in this API 422 is the rules
refusing a well-formed command in the current state (inviting yourself, the unpaid limit, a
recipient of the wrong kind), which no schema can express. A 422 whose code says a *value* was
malformed (an empty name, a bad address) is different: the document should have refused that
value itself, so it fails here, as a 400 fails the built-in check.
"""

import schemathesis

# Codes that say a value of the request is malformed: the document must exclude such values
# (minLength, maxLength, pattern, format, minimum, maximum), so a schema-valid request never
# gets them.
VALUE_CODES = {
    "invalid_email",
    "invalid_name",
    "invalid_text",
    "invalid_quantity",
    "invalid_provisioning_action",
    "invalid_input",
    "invalid_body",
    "invalid_id",
    "invalid_limit",
    "invalid_cursor",
    "invalid_query",
    "invalid_resource",
    "invalid_origin",
    "malformed_json",
}


@schemathesis.check
def schema_valid_values_accepted(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    if response.status_code not in (400, 404, 422):
        return None
    try:
        code = response.json().get("code")
    except Exception:  # noqa: BLE001 - a body that is not JSON is another check's business
        return None
    if code in VALUE_CODES:
        raise AssertionError(
            f"a request valid by the document was refused with {response.status_code} `{code}`: "
            "the document should exclude that value (or the worker accept it)"
        )
    return None
