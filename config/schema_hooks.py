"""drf-spectacular post-processing: make the schema say what the API really accepts."""

from config.text import NON_BLANK_PATTERN as NON_BLANK


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


def _document_response(result, status: str, description: str, *, only_with_body: bool = False):
    """Add an Error response for ``status`` to every operation (or every one that takes a body)
    that does not document one of its own."""
    response = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not only_with_body or "requestBody" in operation:
                operation.get("responses", {}).setdefault(status, response)
    return result


def document_malformed_requests(result, generator, request, public):
    """Any request may be refused as malformed before a view sees it (a NUL character in the URL,
    see config/middleware.py), so every operation documents the 400 error body, not only those
    whose input a serializer validates."""
    return _document_response(result, "400", "Malformed request (for example a NUL character in the URL).")


def document_oversize_bodies(result, generator, request, public):
    """Every operation that takes a JSON body refuses one over ATTEST_API_MAX_BODY_BYTES with a 413
    and a chunked one (no Content-Length) with a 411 (config/parsers.py); operations that document
    those of their own keep them."""
    _document_response(result, "411", "A chunked body: send it with a Content-Length.", only_with_body=True)
    return _document_response(result, "413", "The request body is too large.", only_with_body=True)
