"""Upper-case the ISO codes of issuers, products and venues that were stored in lower case.

Before the validators checked case (pycountry's look-up ignores it), the API stored product
terms as typed: jurisdictions ["us"], delivery regions and site countries, the settlement
currency "usd", an issuer's country. Rule runs, the per-jurisdiction constraints and the
screening snapshot compare codes exactly, so "us" was a jurisdiction no rule pack or investor
matched. This migration rewrites each such code to its upper-case form (lists also lose the
repeats that upper-casing creates: ["US", "us"] becomes ["US"]) and records one audit event per
changed row. MICs were always checked in upper case, so requested venues need nothing. Codes
that are not ISO codes in any case are left as they are. Frozen records (the terms of submitted
application versions, rule runs, audit events) are history and are not rewritten.

Reversing it is a no-op: the lower-case spelling is not worth restoring (the audit events keep it).
"""

import pycountry
from django.db import connection, migrations
from django.utils import timezone

from compliance.audit.chain import GENESIS_HASH, event_hash, json_safe

ACTOR = "system:migration products.0004_upper_case_codes"
RATIONALE = "ISO codes stored in lower case are upper-cased (rule runs and screening compare them exactly)."
# A character that an upper-case code does not contain.
OFF_SHAPE = r"[^A-Z]"
REGIONAL_JURISDICTIONS = ("EU",)


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


def _jurisdiction(code):
    if isinstance(code, str) and code.isascii() and code.upper() in REGIONAL_JURISDICTIONS:
        return code.upper()
    return _country(code)


def _jurisdictions(values):
    if not isinstance(values, list):
        return values
    healed = [_jurisdiction(v) for v in values]
    if all(isinstance(v, str) for v in healed):
        healed = list(dict.fromkeys(healed))
    return healed


def _sites(sites):
    if not isinstance(sites, list):
        return sites
    return [
        {**site, "country": _country(site["country"])} if isinstance(site, dict) and "country" in site else site
        for site in sites
    ]


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
    Issuer = apps.get_model("products", "Issuer")
    Venue = apps.get_model("products", "Venue")
    ComputeProduct = apps.get_model("products", "ComputeProduct")
    _heal(apps, Issuer.objects.filter(country__regex=OFF_SHAPE).order_by("pk"), {"country": _country})
    _heal(apps, Venue.objects.filter(country__regex=OFF_SHAPE).order_by("pk"), {"country": _country})
    # Products are few, and their codes sit in JSON lists: each is looked at in Python.
    _heal(
        apps,
        ComputeProduct.objects.order_by("pk"),
        {
            "jurisdictions": _jurisdictions,
            "delivery_regions": _countries,
            "delivery_sites": _sites,
            "settlement_currency": _currency,
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0003_drafts_and_documents"),
        ("audit", "0002_append_only_trigger"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
