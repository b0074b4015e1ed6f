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

from django.db import migrations

from products import code_repair

ACTOR = "system:migration products.0004_upper_case_codes"
RATIONALE = "ISO codes stored in lower case are upper-cased (rule runs and screening compare them exactly)."
# A character that an upper-case code does not contain.
OFF_SHAPE = r"[^A-Z]"


def _heal(apps, rows, repairs):
    return code_repair.heal_rows(apps, rows, repairs, actor_label=ACTOR, rationale=RATIONALE)


def forwards(apps, schema_editor):
    Issuer = apps.get_model("products", "Issuer")
    Venue = apps.get_model("products", "Venue")
    ComputeProduct = apps.get_model("products", "ComputeProduct")
    _heal(apps, Issuer.objects.filter(country__regex=OFF_SHAPE).order_by("pk"), {"country": code_repair.country})
    _heal(apps, Venue.objects.filter(country__regex=OFF_SHAPE).order_by("pk"), {"country": code_repair.country})
    # Products are few, and their codes sit in JSON lists: each is looked at in Python.
    _heal(
        apps,
        ComputeProduct.objects.order_by("pk"),
        {
            "jurisdictions": code_repair.jurisdictions,
            "delivery_regions": code_repair.countries,
            "delivery_sites": code_repair.sites,
            "settlement_currency": code_repair.currency,
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0003_drafts_and_documents"),
        ("audit", "0002_append_only_trigger"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
