"""Upper-case the ISO codes of parties and investors that were stored in lower case.

Before the validators checked case (pycountry's look-up ignores it), the API stored a party's
country or an investor's residence as typed, e.g. "fr". The screening snapshot refuses such a
residence, so every rebuild failed and exchanges kept the last good snapshot. This migration
rewrites each such code to its upper-case form (lists also lose the repeats that upper-casing
creates), records one audit event per changed row, and bumps the snapshot version so running
processes rebuild. Codes that are not ISO codes in any case are left as they are.

Reversing it is a no-op: the lower-case spelling is not worth restoring (the audit events keep it).
"""

import pycountry
from django.db import connection, migrations
from django.db.models import F, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from compliance.audit.chain import GENESIS_HASH, event_hash, json_safe

ACTOR = "system:migration kyc.0002_upper_case_codes"
RATIONALE = "ISO codes stored in lower case are upper-cased (the screening snapshot compares them exactly)."
# A character that an upper-case code, or a JSON list of them, does not contain.
OFF_SHAPE = r"[^A-Z]"
LIST_OFF_SHAPE = r'[^A-Z", \[\]]'


def _country(code):
    if isinstance(code, str) and len(code) == 2:
        found = pycountry.countries.get(alpha_2=code)
        if found is not None:
            return found.alpha_2
    return code


def _currency(code):
    if isinstance(code, str) and len(code) == 3:
        found = pycountry.currencies.get(alpha_3=code)
        if found is not None:
            return found.alpha_3
    return code


def _countries(values):
    if not isinstance(values, list):
        return values
    healed = [_country(v) for v in values]
    if all(isinstance(v, str) for v in healed):
        healed = list(dict.fromkeys(healed))
    return healed


def _audit(apps, row, before, after):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the chain's lock (compliance.audit.services)
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [7_246_921_301])
    fields = {
        "created_at": timezone.now(),
        "actor_label": ACTOR,
        "action": f"{row._meta.model_name}.codes_upper_cased",
        "object_type": row._meta.label_lower,
        "object_id": str(row.pk),
        "before": json_safe(before),
        "after": json_safe(after),
        "rationale": RATIONALE,
        "request_id": "",
    }
    prev_hash = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS_HASH
    AuditEvent.objects.create(prev_hash=prev_hash, hash=event_hash(prev_hash=prev_hash, **fields), **fields)


def _heal(apps, rows, healers):
    changed = 0
    for row in rows:
        before, after = {}, {}
        for field, heal in healers.items():
            old = getattr(row, field)
            new = heal(old)
            if new != old:
                before[field], after[field] = old, new
                setattr(row, field, new)
        if after:
            row.save(update_fields=[*after, *(["updated_at"] if hasattr(row, "updated_at") else [])])
            _audit(apps, row, before, after)
            changed += 1
    return changed


def forwards(apps, schema_editor):
    Party = apps.get_model("kyc", "Party")
    Investor = apps.get_model("kyc", "Investor")
    parties = Party.objects.annotate(
        nationalities_text=Cast("nationalities", TextField()),
        tax_residences_text=Cast("tax_residences", TextField()),
    ).filter(
        Q(residence_country__regex=OFF_SHAPE)
        | Q(country__regex=OFF_SHAPE)
        | Q(nationalities_text__regex=LIST_OFF_SHAPE)
        | Q(tax_residences_text__regex=LIST_OFF_SHAPE)
    )
    investors = Investor.objects.filter(
        Q(residence_jurisdiction__regex=OFF_SHAPE) | Q(order_limit_currency__regex=OFF_SHAPE)
    )
    changed = _heal(
        apps,
        parties.order_by("pk"),
        {"residence_country": _country, "country": _country, "nationalities": _countries, "tax_residences": _countries},
    )
    changed += _heal(
        apps, investors.order_by("pk"), {"residence_jurisdiction": _country, "order_limit_currency": _currency}
    )
    if changed:
        # Running processes rebuild their screening snapshot (the version is cached for seconds).
        apps.get_model("eligibility", "SnapshotVersion").objects.filter(pk=1).update(value=F("value") + 1)


class Migration(migrations.Migration):
    dependencies = [
        ("kyc", "0001_initial"),
        ("audit", "0002_append_only_trigger"),
        ("eligibility", "0002_version_row_and_append_only"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
