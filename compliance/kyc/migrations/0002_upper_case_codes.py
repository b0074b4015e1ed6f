"""Upper-case the ISO codes of parties and investors that were stored in lower case.

Before the validators checked case (pycountry's look-up ignores it), the API stored a party's
country or an investor's residence as typed, e.g. "fr". The screening snapshot refuses such a
residence, so every rebuild failed and exchanges kept the last good snapshot. This migration
rewrites each such code to its upper-case form (lists also lose the repeats that upper-casing
creates), records one audit event per changed row, and bumps the snapshot version so running
processes rebuild. Codes that are not ISO codes in any case are left as they are.

Reversing it is a no-op: the lower-case spelling is not worth restoring (the audit events keep it).
"""

from django.db import migrations
from django.db.models import F, Q, TextField
from django.db.models.functions import Cast

from products import code_repair

ACTOR = "system:migration kyc.0002_upper_case_codes"
RATIONALE = "ISO codes stored in lower case are upper-cased (the screening snapshot compares them exactly)."
# A character that an upper-case code, or a JSON list of them, does not contain.
OFF_SHAPE = r"[^A-Z]"
LIST_OFF_SHAPE = r'[^A-Z", \[\]]'


def _heal(apps, rows, repairs):
    return code_repair.heal_rows(apps, rows, repairs, actor_label=ACTOR, rationale=RATIONALE)


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
        {
            "residence_country": code_repair.country,
            "country": code_repair.country,
            "nationalities": code_repair.countries,
            "tax_residences": code_repair.countries,
        },
    )
    changed += _heal(
        apps, investors.order_by("pk"), {"residence_jurisdiction": code_repair.country, "order_limit_currency": code_repair.currency}
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
