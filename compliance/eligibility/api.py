"""The exchanges' screening API.

``POST /api/v1/screenings`` (one order), ``POST /api/v1/screenings/batch`` (up to
``ELIGIBILITY_MAX_BATCH`` orders) and ``GET /api/v1/screenings/{decision_id}``.

The POST views are DRF views (authentication, error shape, OpenAPI) that skip DRF's parsers and
serializers: the body is read once, validated with msgspec (validation.py) and the answer is
encoded with msgspec, which keeps a 10,000-order batch well inside its latency budget.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import time
import zlib
from datetime import UTC, datetime

import msgspec
import numpy as np
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpResponse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from knox.auth import TokenAuthentication
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.views import APIView

from compliance.eligibility import decision_log, holder
from compliance.eligibility.engine import MESSAGES, SIDE_BUY, SIDE_SELL, reasons_from_mask
from compliance.eligibility.selectors import KeyIdentity, api_key_identity, decision_visible
from compliance.eligibility.services import KEY_PREFIX, PREFIX_LENGTH, hash_key
from compliance.eligibility.validation import (
    MAX_ORDER_QUANTITY,
    PRICE_PATTERN,
    ScreeningOrder,
    decode_batch,
    decode_order,
    decode_valid_batch,
    field_errors,
)
from config import api_fields
from config.api_errors import PayloadTooLarge
from config.cache import CACHE_UNAVAILABLE
from config.parsers import declared_length, read_within
from config.text import NON_BLANK_PATTERN as NON_BLANK
from products.api import ErrorSerializer

log = logging.getLogger(__name__)

# --- authentication --------------------------------------------------------------------------


class ApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Api-Key <key>``: an exchange's per-venue key (see services.py)."""

    keyword = "Api-Key"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, key = header.partition(" ")
        if scheme != self.keyword:
            return None  # not ours: let the next authentication class look
        key = key.strip()
        if not key.startswith(KEY_PREFIX) or len(key) < PREFIX_LENGTH + 16 or len(key) > 256:
            raise exceptions.AuthenticationFailed("Invalid API key.")
        identity = api_key_identity(key[:PREFIX_LENGTH], hash_key(key))
        if identity is None:
            raise exceptions.AuthenticationFailed("Invalid API key.")
        if not identity.active:
            raise exceptions.AuthenticationFailed("This API key has been revoked.")
        return AnonymousUser(), identity

    def authenticate_header(self, request):
        return f'{self.keyword} realm="screening"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "compliance.eligibility.api.ApiKeyAuthentication"
    name = "venueApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "An exchange's key for its venue: `Authorization: Api-Key <key>`.",
        }


class HasVenueApiKey(BasePermission):
    message = "Screening takes an exchange's API key (Authorization: Api-Key <key>)."

    def has_permission(self, request, view):
        return isinstance(request.auth, KeyIdentity)


class HasVenueApiKeyOrStaff(BasePermission):
    message = "Only the venue's API key or Attest staff may read screening decisions."

    def has_permission(self, request, view):
        if isinstance(request.auth, KeyIdentity):
            return True
        user = request.user
        return bool(user and user.is_authenticated and getattr(user, "sees_all_issuers", False))


# --- errors ----------------------------------------------------------------------------------


class IdempotencyKeyInProgress(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "A request with this Idempotency-Key is still being answered; retry shortly."
    default_code = "idempotency_key_in_progress"

    def __init__(self):
        super().__init__()
        self.wait = 1  # DRF's handler turns it into Retry-After


class DecisionNotLoggedYet(exceptions.NotFound):
    default_detail = "No such decision yet: one made moments ago may not be logged yet; retry after Retry-After."

    def __init__(self, wait: int):
        super().__init__()
        self.wait = wait  # DRF's handler turns it into Retry-After


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was used with a different request body."
    default_code = "idempotency_key_reused"


def _invalid(errors: dict) -> exceptions.ValidationError:
    return exceptions.ValidationError(errors)


# --- rate limit ------------------------------------------------------------------------------


def _check_rate(identity: KeyIdentity) -> None:
    """A fixed window per key in the cache (shared across processes with Redis)."""
    limit = settings.ELIGIBILITY_RATE_LIMIT
    if not limit:
        return
    window = settings.ELIGIBILITY_RATE_WINDOW_SECONDS
    now = time.time()
    slot = int(now // window)
    key = f"eligibility:rate:{identity.prefix}:{slot}"
    # incr first: one round trip for every request of a window but its first.
    try:
        try:
            count = cache.incr(key)
        except ValueError:  # the window's first request (or a racing thread's)
            count = 1 if cache.add(key, 1, window + 1) else cache.incr(key)
    except CACHE_UNAVAILABLE:
        # Without the cache no count is shared; screening goes on unthrottled rather than
        # stopping every exchange's order flow with it.
        log.warning("rate limit not applied: the cache is unavailable")
        return
    if count > limit:
        wait = max(1, int((slot + 1) * window - now + 0.999))
        raise exceptions.Throttled(wait=wait, detail=f"Rate limit of {limit} requests per {window} s exceeded.")


# --- encoding --------------------------------------------------------------------------------

_encoder = msgspec.json.Encoder()
_reason_lists: dict[int, list[dict[str, str]]] = {}


def reason_list(mask: int) -> list[dict[str, str]]:
    reasons = _reason_lists.get(mask)
    if reasons is None:
        reasons = _reason_lists[mask] = [
            {"code": code.value, "message": MESSAGES[code]} for code in reasons_from_mask(mask)
        ]
    return reasons


def batch_results_json(
    results: list,
    orders: list[ScreeningOrder],
    positions: list[int],
    masks: list[int],
    stem: str,
    snapshot_version: int,
    evaluated_at: str,
) -> bytes:
    """``{"results": [...]}`` for a batch, byte for byte what msgspec makes of the result dicts.

    ``results`` holds the error entries of invalid orders (None elsewhere); the decision of the
    i-th valid order (``orders[i]``, at ``positions[i]``) has id ``f"{stem}-{i}"``. Everything
    after the client order id depends on the mask alone, so it is encoded once per distinct
    mask and each decision costs one string encoding and a join instead of a dict.
    """
    encode = _encoder.encode
    tails: dict[int, bytes] = {}
    for mask in set(masks):
        tail = encode(
            {
                "eligible": not mask,
                "reasons": reason_list(mask),
                "snapshot_version": snapshot_version,
                "evaluated_at": evaluated_at,
            }
        )
        tails[mask] = b"," + tail[1:]
    head = b'{"decision_id":' + encode(stem)[:-1] + b"-"
    parts: list = list(results)
    for i, (order, mask, position) in enumerate(zip(orders, masks, positions, strict=True)):
        parts[position] = b'%b%d","client_order_id":%b%b' % (head, i, encode(order.client_order_id), tails[mask])
    for position, part in enumerate(parts):
        if part.__class__ is not bytes:
            parts[position] = encode(part)
    return b'{"results":[' + b",".join(parts) + b"]}"


def _json(payload, status_code: int = 200, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(_encoder.encode(payload), content_type="application/json", status=status_code)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# --- request reading and idempotency -----------------------------------------------------------


def _read_body(request) -> bytes:
    """The raw body, refusing one over ELIGIBILITY_MAX_BODY_BYTES with a 413 before reading it."""
    limit = settings.ELIGIBILITY_MAX_BODY_BYTES
    django_request = request._request
    length = declared_length(django_request.META)
    # Read the stream ourselves: HttpRequest.body would apply DATA_UPLOAD_MAX_MEMORY_SIZE
    # (2.5 MB), smaller than a full batch may legitimately be.
    stream = io.BytesIO(django_request._body) if hasattr(django_request, "_body") else django_request
    return read_within(stream, declared_length=length, limit=limit)


_IN_PROGRESS = 0  # the status stored while the first request is being answered
_RESERVATION_SECONDS = 30  # far longer than any screening takes


class _Idempotency:
    """``Idempotency-Key``: the first answer, stored per API key and endpoint for
    ELIGIBILITY_IDEMPOTENCY_SECONDS.

    The key is reserved before the order is screened, so of two retries that race only one is
    screened and logged: the other gets a 409 to retry on. A request that fails (a 4xx, an
    error) releases the reservation. Answers are stored zlib-compressed: a 10,000-order batch
    is ~2.9 MB of JSON, which compresses about tenfold (the reasons repeat).
    """

    def __init__(self, request, identity: KeyIdentity, body: bytes, endpoint: str):
        self.key = None
        value = request.META.get("HTTP_IDEMPOTENCY_KEY")
        if value is None:
            return
        if not value or len(value) > 255:
            raise _invalid({"Idempotency-Key": ["Give 1 to 255 characters."]})
        digest = hashlib.sha256(value.encode()).hexdigest()
        self.key = f"eligibility:idem2:{identity.prefix}:{endpoint}:{digest}"
        self.body_hash = hashlib.sha256(body).hexdigest()

    def reserve(self) -> HttpResponse | None:
        """The stored answer to replay, or None once this request holds the key."""
        if self.key is None:
            return None
        for _ in range(2):  # the entry may expire between add() and get(): then once more
            # A reservation expires on its own, so a process that dies holding one frees the key.
            if cache.add(self.key, (self.body_hash, _IN_PROGRESS, b""), _RESERVATION_SECONDS):
                return None
            stored = cache.get(self.key)
            if stored is not None:
                return self._replay(stored)
        raise IdempotencyKeyInProgress()

    def _replay(self, stored) -> HttpResponse:
        body_hash, status_code, content = stored
        if body_hash != self.body_hash:
            raise IdempotencyKeyReused()
        if status_code == _IN_PROGRESS:
            raise IdempotencyKeyInProgress()
        response = HttpResponse(zlib.decompress(content), content_type="application/json", status=status_code)
        response["Idempotent-Replayed"] = "true"
        return response

    def store(self, response: HttpResponse) -> HttpResponse:
        if self.key is not None:
            stored = (self.body_hash, response.status_code, zlib.compress(response.content, 1))
            cache.set(self.key, stored, settings.ELIGIBILITY_IDEMPOTENCY_SECONDS)
        return response

    def release(self) -> None:
        if self.key is not None:
            cache.delete(self.key)


def _now() -> tuple[int, int, datetime, str]:
    """(epoch seconds for the engine, epoch ms for ids, datetime for the log, ISO-8601 string)."""
    ns = time.time_ns()
    at = datetime.fromtimestamp(ns / 1e9, tz=UTC)
    return ns // 1_000_000_000, ns // 1_000_000, at, at.isoformat().replace("+00:00", "Z")


# --- OpenAPI ---------------------------------------------------------------------------------

ORDER_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["client_order_id", "investor", "product", "side", "quantity", "price"],
    "properties": {
        "client_order_id": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": NON_BLANK},
        "investor": {
            "type": "string",
            "minLength": 1,
            "maxLength": 64,
            "pattern": NON_BLANK,
            "description": "The investor's reference.",
        },
        "product": {"type": "string", "minLength": 1, "maxLength": 32, "pattern": NON_BLANK, "description": "Symbol."},
        "side": {"type": "string", "enum": ["buy", "sell"]},
        "quantity": {"type": "integer", "minimum": 1, "maximum": MAX_ORDER_QUANTITY, "description": "Contracts."},
        "price": {
            "type": "string",
            "pattern": PRICE_PATTERN,
            "maxLength": 41,
            "description": 'Price per GPU-hour as a decimal string, e.g. "2.50".',
        },
    },
}
BATCH_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["orders"],
    "properties": {
        "orders": {
            "type": "array",
            "maxItems": 10_000,
            # Any item is accepted: an order that fails validation gets its own error entry in
            # the results and the others are still screened (shape of a valid order: ORDER_SCHEMA).
            "items": {},
            "description": "Orders shaped like the body of POST /api/v1/screenings.",
        }
    },
}


class ReasonSerializer(serializers.Serializer):
    code = api_fields.CharField()
    message = api_fields.CharField()


class ScreeningDecisionSerializer(serializers.Serializer):
    decision_id = api_fields.CharField()
    client_order_id = api_fields.CharField()
    eligible = api_fields.BooleanField()
    reasons = ReasonSerializer(many=True)
    snapshot_version = api_fields.IntegerField()
    evaluated_at = serializers.DateTimeField()


class LoggedDecisionSerializer(ScreeningDecisionSerializer):
    venue = api_fields.CharField()
    investor = api_fields.CharField()
    product = api_fields.CharField()
    side = api_fields.CharField()
    quantity = api_fields.IntegerField()
    price = api_fields.CharField()


DECISION_RESULT_SCHEMA = {"$ref": "#/components/schemas/ScreeningDecision"}
BATCH_RESPONSE_SCHEMA = {
    "type": "object",
    "required": ["results"],
    "properties": {
        "results": {
            "type": "array",
            "items": {
                "oneOf": [
                    DECISION_RESULT_SCHEMA,
                    {
                        "type": "object",
                        "required": ["client_order_id", "errors"],
                        "properties": {
                            "client_order_id": {"type": "string", "nullable": True},
                            "errors": {
                                "type": "object",
                                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                    },
                ]
            },
        }
    },
}

IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="A retry with the same key and body returns the first answer (422 for another body).",
)
SCREEN_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Malformed JSON or invalid order, with field-level messages."),
    401: OpenApiResponse(ErrorSerializer, description="No valid API key."),
    403: OpenApiResponse(ErrorSerializer, description="Not authenticated with an exchange's API key."),
    411: OpenApiResponse(ErrorSerializer, description="A chunked body: send a Content-Length."),
    413: OpenApiResponse(ErrorSerializer, description="Body or batch too large."),
    409: OpenApiResponse(
        ErrorSerializer, description="A request with this Idempotency-Key is still being answered; see Retry-After."
    ),
    422: OpenApiResponse(ErrorSerializer, description="Idempotency-Key reused with a different body."),
    429: OpenApiResponse(ErrorSerializer, description="Rate limit exceeded; see Retry-After."),
    503: OpenApiResponse(
        ErrorSerializer, description="The cache an Idempotency-Key is checked in is unavailable; see Retry-After."
    ),
}


# --- views -----------------------------------------------------------------------------------


class _ScreeningBase(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasVenueApiKey]
    parser_classes: list = []  # the body is read raw and validated with msgspec
    endpoint = ""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _check_rate(request.auth)

    def post(self, request):
        identity: KeyIdentity = request.auth
        body = _read_body(request)
        idempotency = _Idempotency(request, identity, body, self.endpoint)
        replayed = idempotency.reserve()
        if replayed is not None:
            return replayed
        try:
            response = self.screen(identity, body)
        except BaseException:
            idempotency.release()  # nothing was answered: a retry may try again
            raise
        return idempotency.store(response)


class ScreeningView(_ScreeningBase):
    endpoint = "single"

    @extend_schema(
        operation_id="screenings_create",
        summary="Screen one order",
        request={"application/json": ORDER_SCHEMA},
        parameters=[IDEMPOTENCY],
        responses={200: ScreeningDecisionSerializer, **SCREEN_ERRORS},
    )
    def post(self, request):
        return super().post(request)

    def screen(self, identity: KeyIdentity, body: bytes) -> HttpResponse:
        if not body:
            raise _invalid({"non_field_errors": ["Send a JSON body."]})
        order, errors, _ = decode_order(body)
        if errors is not None:
            raise _invalid(errors)
        snapshot = holder.current()
        now_s, now_ms, at, at_iso = _now()
        decision = snapshot.evaluate(
            (
                order.client_order_id,
                order.investor,
                order.product,
                identity.venue,
                order.side,
                order.quantity,
                order.price,
            ),
            now_s,
        )
        decision_id = decision_log.new_decision_id(now_ms)
        mask = decision.mask
        decision_log.append(
            [
                decision_log.row(
                    decision_id=decision_id,
                    evaluated_at=at,
                    venue=identity.venue,
                    api_key_id=identity.id,
                    order=order,
                    mask=mask,
                    snapshot_version=decision.snapshot_version,
                )
            ]
        )
        return _json(
            {
                "decision_id": decision_id,
                "client_order_id": order.client_order_id,
                "eligible": not mask,
                "reasons": reason_list(mask),
                "snapshot_version": decision.snapshot_version,
                "evaluated_at": at_iso,
            }
        )


class ScreeningBatchView(_ScreeningBase):
    endpoint = "batch"

    @extend_schema(
        operation_id="screenings_batch",
        summary="Screen a batch of orders",
        description=(
            "Up to 10,000 orders; `results` are in order. An order that fails validation gets "
            "`{client_order_id, errors}` instead of a decision, and the others are screened."
        ),
        request={"application/json": BATCH_SCHEMA},
        parameters=[IDEMPOTENCY],
        responses={200: BATCH_RESPONSE_SCHEMA, **SCREEN_ERRORS},
    )
    def post(self, request):
        return super().post(request)

    def screen(self, identity: KeyIdentity, body: bytes) -> HttpResponse:
        if not body:
            raise _invalid({"non_field_errors": ["Send a JSON body."]})
        limit = settings.ELIGIBILITY_MAX_BATCH
        valid: list[ScreeningOrder] | None = decode_valid_batch(body)
        if valid is not None:  # every order valid: decoded in one pass
            if len(valid) > limit:
                raise PayloadTooLarge(f"A batch holds at most {limit} orders; this one has {len(valid)}.")
            results: list = [None] * len(valid)
            positions: list[int] = list(range(len(valid)))
        else:
            valid, positions, results = self._decode_each(body, limit)

        if valid:
            snapshot = holder.current()
            now_s, now_ms, at, at_iso = _now()
            count = len(valid)
            decisions = snapshot.evaluate_columns(
                investor=snapshot.investor_indices([o.investor for o in valid]),
                product=snapshot.product_indices([o.product for o in valid]),
                venue=np.full(count, snapshot.venue_index.get(identity.venue, -1), np.intp),
                side=np.fromiter((SIDE_BUY if o.side == "buy" else SIDE_SELL for o in valid), np.int8, count),
                quantity=np.fromiter((o.quantity for o in valid), np.int64, count),
                price=np.fromiter((float(o.price) for o in valid), np.float64, count),
                now=now_s,
            )
            version = decisions.snapshot_version
            stem = decision_log.new_decision_id(now_ms)
            masks = decisions.masks.tolist()
            content = batch_results_json(results, valid, positions, masks, stem, version, at_iso)
            # Queued only once the answer is built: a large batch wakes the log's writer thread at
            # once, and its COPY text would otherwise contend for the GIL with this response.
            decision_log.append_batch(
                decision_log.BatchRows(
                    stem=stem,
                    evaluated_at=at,
                    venue=identity.venue,
                    api_key_id=identity.id,
                    snapshot_version=version,
                    orders=valid,
                    masks=masks,
                )
            )
        else:
            content = _encoder.encode({"results": results})
        return HttpResponse(content, content_type="application/json")

    @staticmethod
    def _decode_each(body: bytes, limit: int) -> tuple[list[ScreeningOrder], list[int], list]:
        """Decode order by order: (valid orders, their positions, results with the error entries)."""
        try:
            batch = decode_batch(body)
        except msgspec.DecodeError as exc:  # malformed JSON or the wrong shape
            raise _invalid(field_errors(exc))
        if len(batch.orders) > limit:
            raise PayloadTooLarge(f"A batch holds at most {limit} orders; this one has {len(batch.orders)}.")
        results: list = [None] * len(batch.orders)
        valid: list[ScreeningOrder] = []
        positions: list[int] = []
        for position, raw in enumerate(batch.orders):
            order, errors, client_order_id = decode_order(raw)
            if errors is None:
                valid.append(order)
                positions.append(position)
            else:
                results[position] = {"client_order_id": client_order_id, "errors": errors}
        return valid, positions, results


class ScreeningDecisionView(APIView):
    authentication_classes = [ApiKeyAuthentication, SessionAuthentication, TokenAuthentication]
    permission_classes = [HasVenueApiKeyOrStaff]

    @extend_schema(
        operation_id="screenings_retrieve",
        summary="A logged screening decision",
        responses={
            200: LoggedDecisionSerializer,
            **{code: SCREEN_ERRORS[code] for code in (401, 403, 429)},
            404: OpenApiResponse(
                ErrorSerializer,
                description=(
                    "No such decision for this venue. For an id made in the last flush interval, "
                    "Retry-After says when it will have been logged."
                ),
            ),
        },
    )
    def get(self, request, decision_id: str):
        venue = request.auth.venue if isinstance(request.auth, KeyIdentity) else None
        if isinstance(request.auth, KeyIdentity):
            _check_rate(request.auth)
        decision = self._find(decision_id, venue)
        if decision is None:
            raise exceptions.NotFound()
        return _json(
            {
                "decision_id": decision.decision_id,
                "client_order_id": decision.client_order_id,
                "eligible": decision.eligible,
                "reasons": reason_list(decision.reason_mask),
                "snapshot_version": decision.snapshot_version,
                "evaluated_at": decision.evaluated_at.isoformat().replace("+00:00", "Z"),
                "venue": decision.venue,
                "investor": decision.investor,
                "product": decision.product,
                "side": decision.side,
                "quantity": decision.quantity,
                "price": decision.price,
            }
        )

    @staticmethod
    def _find(decision_id: str, venue: str | None):
        if len(decision_id) > 40:
            return None
        decision = decision_visible(decision_id, venue=venue)
        if decision is not None:
            return decision
        # Not logged yet? It may sit in this process's buffer: write it now and look again.
        try:
            flushed = decision_log.flush()
        except Exception:
            log.exception("flushing the decision log for a read failed")
            flushed = 0
        if flushed:
            decision = decision_visible(decision_id, venue=venue)
            if decision is not None:
                return decision
        # Or in another process's buffer, written within its flush interval. Waiting for it
        # here would hold a worker for any recent-looking id anyone makes up: tell the client
        # when to ask again instead.
        made = decision_log.created_ms(decision_id)
        window_ms = 2 * settings.ELIGIBILITY_DECISION_LOG_FLUSH_MS + 1000
        now_ms = time.time() * 1000
        if made is not None and now_ms - window_ms < made <= now_ms + 1000:
            raise DecisionNotLoggedYet(wait=max(1, math.ceil((min(made, now_ms) + window_ms - now_ms) / 1000)))
        return None
