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
    return json.loads(canonical_json(value))


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
