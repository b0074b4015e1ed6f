"""Upper-casing ISO codes stored in the wrong case, for the data migrations that heal rows
written before the validators checked case (products 0004, kyc 0002).

Each repair returns the code in its upper-case form when it is an ISO code in some case, and
the value unchanged otherwise; lists also lose the repeats that upper-casing creates
(["US", "us"] becomes ["US"]). ``heal_rows`` saves each changed row with one audit event.
"""

from collections.abc import Callable, Iterable

import pycountry

from compliance.audit.services import audit_record_in_migration
from products.validators import REGIONAL_JURISDICTIONS


def country(code):
    if isinstance(code, str) and len(code) == 2:
        found = pycountry.countries.get(alpha_2=code)
        if found is not None:
            return found.alpha_2
    return code


def currency(code):
    if isinstance(code, str) and len(code) == 3:
        found = pycountry.currencies.get(alpha_3=code)
        if found is not None:
            return found.alpha_3
    return code


def jurisdiction(code):
    if isinstance(code, str) and code.isascii() and code.upper() in REGIONAL_JURISDICTIONS:
        return code.upper()
    return country(code)


def code_list(repair_one: Callable) -> Callable:
    """The repair of a JSON list of codes, each repaired by ``repair_one``."""

    def repair(values):
        if not isinstance(values, list):
            return values
        healed = [repair_one(v) for v in values]
        if all(isinstance(v, str) for v in healed):
            healed = list(dict.fromkeys(healed))
        return healed

    return repair


countries = code_list(country)
jurisdictions = code_list(jurisdiction)


def sites(values):
    if not isinstance(values, list):
        return values
    return [
        {**site, "country": country(site["country"])} if isinstance(site, dict) and "country" in site else site
        for site in values
    ]


def heal_rows(apps, rows: Iterable, repairs: dict[str, Callable], *, actor_label: str, rationale: str) -> int:
    """Apply ``repairs`` (field -> repair) to each row; save and audit the rows that change."""
    changed = 0
    for row in rows:
        before, after = {}, {}
        for field, repair in repairs.items():
            old = getattr(row, field)
            new = repair(old)
            if new != old:
                before[field], after[field] = old, new
                setattr(row, field, new)
        if after:
            row.save(update_fields=[*after, *(["updated_at"] if hasattr(row, "updated_at") else [])])
            audit_record_in_migration(
                apps,
                actor_label=actor_label,
                action=f"{row._meta.model_name}.codes_upper_cased",
                obj=row,
                before=before,
                after=after,
                rationale=rationale,
            )
            changed += 1
    return changed
