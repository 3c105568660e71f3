"""kycard's check for schemathesis: a refusal of data the schema calls valid is explained.

The OpenAPI document lists, per operation and status (`x-kycard-refusals`), what the server
may refuse although a request fits its schema: field rules no JSON Schema can say (ages on
today's date, check letters, postal codes by country, letters of any script), what the stored
customer decides on a PATCH, an upload judged by its content, and cursors no page handed out.
Any other 400, 415 or 422 for positive data fails the run.
"""

import schemathesis

JUDGED = {400, 415, 422}


def _sent_paths(value, prefix=""):
    """Dotted paths of every value a JSON body sends."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _sent_paths(inner, f"{prefix}{key}.")
    if prefix:
        yield prefix[:-1]


def _explained(refusal, case, error):
    if "codes" in refusal:
        return error.get("code") in refusal["codes"]
    if "mentions" in refusal:
        return any(word in error.get("message", "") for word in refusal["mentions"])
    fields = refusal.get("fields", {})
    sent = set(_sent_paths(case.body)) if isinstance(case.body, dict) else set()
    problems = []
    for field in error.get("fields") or []:
        path, code = field.get("path", ""), field.get("code", "")
        allowed = fields.get(path, [])
        if code in allowed or (refusal.get("unsent") and path not in sent):
            continue
        problems.append(f"{path}: {code}")
    if problems:
        raise AssertionError("Refused for rules the schema describes: " + ", ".join(problems))
    return True


@schemathesis.check
def refusals_are_explained(ctx, response, case):
    """A 400, 415 or 422 for schema-valid data must be one `x-kycard-refusals` names."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code not in JUDGED:
        return None
    refusals = (case.operation.definition.raw or {}).get("x-kycard-refusals") or {}
    refusal = refusals.get(str(response.status_code))
    try:
        error = response.json().get("error", {})
    except ValueError:
        error = {}
    if refusal is None or not _explained(refusal, case, error):
        raise AssertionError(
            f"Valid data refused with {response.status_code} {error.get('code')}: {error.get('message')}"
        )
    return None
