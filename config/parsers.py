"""The API's JSON parser."""

import io

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from config.api_errors import LengthRequired, PayloadTooLarge


def declared_length(meta) -> int:
    """The request's Content-Length (0 when absent). A chunked body is a 411: without a length,
    Django reads the body as empty, and a valid request would be refused as having none."""
    if "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower():
        raise LengthRequired()
    declared = meta.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit():
        raise ParseError("Bad Content-Length.")
    return int(declared)


def read_within(stream, *, declared_length: int, limit: int) -> bytes:
    """A request body of at most ``limit`` bytes, else a 413: refused on its declared
    Content-Length before any byte is read, or after reading one byte past the limit (a client
    may understate its length)."""
    if declared_length > limit:
        raise PayloadTooLarge(f"The body may be at most {limit} bytes.")
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise PayloadTooLarge(f"The body may be at most {limit} bytes.")
    return body


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with two limits DRF does not set.

    * A body over ``ATTEST_API_MAX_BODY_BYTES`` is a 413, refused on its Content-Length or after
      reading one byte past the limit. DRF reads the stream itself, so Django's
      DATA_UPLOAD_MAX_MEMORY_SIZE never applies, and any size would be read into memory.
    * A body nested deeper than the interpreter's recursion limit (``[[[[...`` a few thousand
      levels) is a 400 like any other malformed JSON. The json module raises RecursionError for
      it, which DRF's parser does not catch, so it was a 500.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        length = declared_length(request.META) if request is not None else 0
        body = read_within(stream, declared_length=length, limit=settings.ATTEST_API_MAX_BODY_BYTES)
        try:
            return super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
