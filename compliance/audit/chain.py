"""The hash of one audit event: SHA-256 over the previous hash and the event's canonical JSON."""

import hashlib
import json

GENESIS_HASH = "0" * 64


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def json_safe(value):
    """Round-trip through JSON so what we hash is exactly what the JSONField stores and returns."""
    if value is None:
        return None
    return _as_stored(json.loads(canonical_json(value)))


# From 1e16 on, Python writes a float with an exponent ("1e+16"), while PostgreSQL's jsonb keeps
# numbers as numeric and gives them back as integers ("10000000000000000"); it has no negative
# zero either. Such values are stored as jsonb will return them, or the event's recomputed hash
# would differ from the one written and the chain would read as broken.
_EXPONENT_FROM = 1e16


def _as_stored(value):
    if isinstance(value, float):
        if value == 0:
            return 0.0
        if abs(value) >= _EXPONENT_FROM:
            return int(value)
        return value
    if isinstance(value, dict):
        return {key: _as_stored(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_stored(item) for item in value]
    return value


def event_hash(
    *,
    prev_hash: str,
    created_at,
    actor_label,
    action,
    object_type,
    object_id,
    before,
    after,
    rationale,
    request_id,
) -> str:
    payload = canonical_json(
        {
            "created_at": created_at.isoformat(),
            "actor": actor_label,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "before": before,
            "after": after,
            "rationale": rationale,
            "request_id": request_id,
        }
    )
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()
