"""Schemathesis hooks for entitle (tests/schemathesis.test.mjs loads them through schemathesis.toml).

One check, `schema_valid_values_accepted`, in place of the built-in `positive_data_acceptance`'s
verdict on 400 and 422 (schemathesis.toml lets those through it): a request that the document
calls valid must not be refused for the shape of one of its values. In this API a 422 is mostly
the rules refusing a well-formed command in the current state (inviting yourself, the unpaid
limit, a recipient of the wrong kind), which no schema can express; a 422 whose code says a
*value* was malformed (an empty name, a bad address), a 404 `invalid_id`, or a 400 (the request
does not fit the document) means the document should have refused that value itself. The one
400 a valid request may get is a documented `invalid_cursor` (a cursor the list did not issue).
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


# Codes of the rules about a text's content that JSON Schema cannot state exactly: names and
# texts are read trimmed and refuse Unicode control and format characters, addresses must look
# like addresses, origins must be canonical. The document describes each rule in the field's
# description and lists the code among the operation's 422 answers; such a refusal is accepted
# only where the operation documents that code.
CONTENT_CODES = {
    "invalid_email",
    "invalid_name",
    "invalid_text",
    "invalid_provisioning_action",
    "invalid_origin",
}

# The same for a webhook's URL: the worker parses it as a URL and requires `https` (outside the
# local setup), which `format: uri` does not state; the refusal is a documented 400.
CONTENT_CODES_400 = {"invalid_webhook_url", "https_required"}


def documented(case, status, code):
    """Whether the operation's document lists `code` among its answers with `status`."""
    response = case.operation.definition.raw.get("responses", {}).get(str(status), {})
    schema = response.get("content", {}).get("application/problem+json", {}).get("schema", {})
    for part in schema.get("allOf", []):
        if code in part.get("properties", {}).get("code", {}).get("enum", []):
            return True
    return False


# A 400 that the document gives for a value it cannot rule out: a list's `after` that is no
# cursor the list issued (any string is a well-formed cursor; only the list knows its own).
DOCUMENTED_400 = {"invalid_cursor"}


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
    refused = (
        (
            response.status_code == 400
            and code not in DOCUMENTED_400
            and not (code in CONTENT_CODES_400 and documented(case, 400, code))
        )
        or (
            response.status_code == 422
            and code in VALUE_CODES
            and not (code in CONTENT_CODES and documented(case, 422, code))
        )
        or (response.status_code == 404 and code == "invalid_id")
    )
    if refused:
        # One exception class per status and code, so a baseline entry (schemathesis keys custom
        # failures by the exception's class) accepts that refusal only, not every refusal.
        kind = type(f"Refused{response.status_code}_{code}", (AssertionError,), {})
        raise kind(
            f"a request valid by the document was refused with {response.status_code} `{code}`: "
            "the document should exclude that value (or the worker accept it)"
        )
    return None
