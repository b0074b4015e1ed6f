"""Reads for sanctions: the current lists as a matcher, and what a user may see.

The matcher is built from the database (the current version of every source) and cached per
process, keyed by the set of current version ids: when an import switches a source's current
version, the next screen in any process sees a new key and rebuilds lazily.
"""

import threading
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from compliance.kyc.models import PartyRelation
from compliance.sanctions.lists import Address, ListEntry, ListName
from compliance.sanctions.matching import DEFAULT_THRESHOLD, Matcher
from compliance.sanctions.models import ListedEntry, ListSource, ListVersion, ScreeningHit


@dataclass(frozen=True)
class ScreeningIndex:
    version_ids: tuple[int, ...]
    matcher: Matcher
    # (source, ref) -> (ListedEntry id, content hash) of the current versions
    entries: dict[tuple[str, str], tuple[int, str]]


_lock = threading.Lock()
_index: ScreeningIndex | None = None


def screening_threshold() -> float:
    value = getattr(settings, "ATTEST_SANCTIONS_THRESHOLD", None)
    return DEFAULT_THRESHOLD if value is None else float(value)


def current_version_ids() -> tuple[int, ...]:
    return tuple(sorted(ListSource.objects.exclude(current=None).values_list("current_id", flat=True)))


def list_entry_from_row(row: dict) -> ListEntry:
    """Rebuild the parser's ListEntry from a stored row (a ``values()`` dict)."""
    raw = row["raw"] or {}
    return ListEntry(
        source=row["source"],
        ref=row["ref"],
        kind=row["kind"],
        primary_name=row["primary_name"],
        names=tuple(ListName(name=n, alias_type=t) for n, t in row["names"]),
        birth_dates=tuple(row["birth_dates"]),
        nationalities=tuple(row["nationalities"]),
        countries=tuple(row["countries"]),
        programs=tuple(row["programs"]),
        addresses=tuple(Address(**a) for a in raw.get("addresses", ())),
        remarks=raw.get("remarks", ""),
        listed_on=raw.get("listed_on", ""),
    )


_ROW_FIELDS = (
    "id",
    "source",
    "ref",
    "kind",
    "primary_name",
    "names",
    "birth_dates",
    "nationalities",
    "countries",
    "programs",
    "raw",
    "content_hash",
)


def screening_index() -> ScreeningIndex:
    """The matcher over the current lists, rebuilt only when a current version changed."""
    global _index
    ids = current_version_ids()
    index = _index
    if index is not None and index.version_ids == ids:
        return index
    with _lock:
        if _index is not None and _index.version_ids == ids:
            return _index
        rows = list(ListedEntry.objects.filter(version_id__in=ids).order_by("id").values(*_ROW_FIELDS))
        entries = [list_entry_from_row(r) for r in rows]
        _index = ScreeningIndex(
            version_ids=ids,
            matcher=Matcher.build(entries),
            entries={(r["source"], r["ref"]): (r["id"], r["content_hash"]) for r in rows},
        )
        return _index


def reset_screening_index() -> None:
    """Forget the cached matcher (tests that swap databases under a live process)."""
    global _index
    with _lock:
        _index = None


def versions_visible_to(user) -> QuerySet[ListVersion]:
    if not (user.is_authenticated and user.sees_all_issuers):
        return ListVersion.objects.none()
    return ListVersion.objects.select_related("source")


def hits_visible_to(user) -> QuerySet[ScreeningHit]:
    """Screening internals are for staff only; issuers see no hit, not even on their own party."""
    if not (user.is_authenticated and user.sees_all_issuers):
        return ScreeningHit.objects.none()
    return ScreeningHit.objects.select_related("party", "entry", "decided_by")


def party_hits(party) -> QuerySet[ScreeningHit]:
    return party.hits.select_related("entry", "decided_by").order_by("state", "-score")


# How a party stands to an issuer whose sanctions standing its hits decide.
ISSUER_ITSELF = "issuer"
OWNER_OR_DIRECTOR = "owner_or_director"


def issuers_answering_for(party) -> dict[int, str]:
    """{issuer id: ISSUER_ITSELF or OWNER_OR_DIRECTOR} for every issuer that a sanctions match on
    `party` stops: the issuer whose KYB party it is, and each issuer whose KYB party declares it
    as a beneficial owner or director. The latter is the relation the KYB approval gate reads
    (`PartyRelation`, entity -> related, as in compliance.kyc.selectors.related_sanctions_state),
    seen from the related party's side: direct relations only, as the gate and a KYB case count."""
    issuers = {
        issuer_id: OWNER_OR_DIRECTOR
        for issuer_id in PartyRelation.objects.filter(related_id=party.pk, entity__issuer__isnull=False)
        .values_list("entity__issuer_id", flat=True)
        .distinct()
        .order_by()
    }
    if party.issuer_id is not None:
        issuers[party.issuer_id] = ISSUER_ITSELF
    return dict(sorted(issuers.items()))
