"""drf-spectacular post-processing: make the schema say what the API really accepts."""

NON_BLANK = r"\S"


def require_non_blank_strings(result, generator, request, public):
    """DRF trims whitespace and then refuses blank strings, so a required string must contain a
    non-whitespace character. Saying so lets clients (and the fuzzer) know a whitespace-only
    value is invalid rather than a valid value the server rejects."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request"):
            continue
        for prop in component.get("properties", {}).values():
            items = [prop, prop.get("items", {})]
            for schema in items:
                if schema.get("type") == "string" and schema.get("minLength", 0) >= 1 and "pattern" not in schema:
                    if "enum" not in schema and "format" not in schema:
                        schema["pattern"] = NON_BLANK
    return result
