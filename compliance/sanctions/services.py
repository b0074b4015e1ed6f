"""Writes for sanctions: list imports, screening parties, and officers' decisions on hits."""

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from compliance.audit.services import audit_record
from compliance.kyc.models import Party, PartyKind, SanctionsState
from compliance.sanctions.lists import ListEntry, ParseResult, parse_eu, parse_ofac, parse_uk, parse_un
from compliance.sanctions.models import (
    HitState,
    ListedEntry,
    ListSource,
    ListVersion,
    ScreeningHit,
    SourceCode,
)
from compliance.sanctions.selectors import (
    ISSUER_ITSELF,
    OWNER_OR_DIRECTOR,
    issuers_answering_for,
    screening_index,
    screening_threshold,
)
from config.errors import IllegalTransition, NotPermitted
from config.text import required_text
from products.models import ApplicationState
from products.selectors import application_listing_ids
from products.services import application_suspend_automatically, lock_applications

BULK_BATCH = 2000


# --- list imports ----------------------------------------------------------------------------


def parse_list(*, source: str, path) -> ParseResult:
    """Parse one publication. For OFAC, ``path`` is sdn.csv; alt.csv and add.csv beside it are read too."""
    path = Path(path)
    if source == SourceCode.OFAC_SDN:
        alt, add = path.with_name("alt.csv"), path.with_name("add.csv")
        return parse_ofac(path, alt if alt.exists() else None, add if add.exists() else None)
    parsers = {SourceCode.UN: parse_un, SourceCode.EU: parse_eu, SourceCode.UK: parse_uk}
    if source not in parsers:
        raise ValidationError({"source": [f"Unknown list source {source!r}."]})
    return parsers[source](path)


# File names of each publication as the issuing authority names them.
LIST_FILES = {
    SourceCode.OFAC_SDN: "sdn.csv",
    SourceCode.UN: "UN_consolidated.xml",
    SourceCode.EU: "eu_fsf_export.xml",
    SourceCode.UK: "ConList.csv",
}


def list_files_in(folder) -> dict[str, Path]:
    """The publications present in a folder, by source."""
    folder = Path(folder)
    return {source: folder / name for source, name in LIST_FILES.items() if (folder / name).is_file()}


def entry_content(entry: ListEntry) -> dict:
    """The stored fields of an entry; their hash decides whether the entry 'changed'."""
    return {
        "kind": entry.kind,
        "primary_name": entry.primary_name,
        "names": [[n.name, n.alias_type] for n in entry.names],
        "birth_dates": list(entry.birth_dates),
        "nationalities": list(entry.nationalities),
        "countries": list(entry.countries),
        "programs": list(entry.programs),
        "raw": {
            "addresses": [asdict(a) for a in entry.addresses],
            "remarks": entry.remarks,
            "listed_on": entry.listed_on,
        },
    }


def content_hash(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class ImportOutcome:
    version: ListVersion
    created: bool


def list_import(*, source: str, path, actor) -> ImportOutcome:
    """Parse outside any transaction (it is the slow part), then store atomically."""
    return list_version_create(source=source, result=parse_list(source=source, path=path), actor=actor)


@transaction.atomic
def list_version_create(*, source: str, result: ParseResult, actor) -> ImportOutcome:
    """Store a parsed list as a new version and make it current, in one transaction.

    Importing the checksum that is already current is a no-op. Readers keep seeing the
    previous version until this transaction commits (the switch is the last write).
    """
    if source not in SourceCode.values:
        raise ValidationError({"source": [f"Unknown list source {source!r}."]})
    ListSource.objects.get_or_create(code=source)
    src = ListSource.objects.select_for_update(of=("self",)).select_related("current").get(code=source)
    report = result.report
    current = src.current
    if current is not None and current.checksum == report.checksum:
        return ImportOutcome(version=current, created=False)

    previous_hashes = dict(current.entries.values_list("ref", "content_hash")) if current else {}
    rows, hashes = [], {}
    for entry in result.entries:
        content = entry_content(entry)
        digest = content_hash(content)
        hashes[entry.ref] = digest
        rows.append(ListedEntry(source=source, ref=entry.ref, content_hash=digest, **content))
    added = sorted(set(hashes) - set(previous_hashes))
    removed = sorted(set(previous_hashes) - set(hashes))
    changed = sorted(ref for ref in set(hashes) & set(previous_hashes) if hashes[ref] != previous_hashes[ref])

    number = (src.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ListVersion.objects.create(
        source=src,
        number=number,
        checksum=report.checksum,
        checksums=dict(report.checksums),
        counts=dict(report.counts),
        malformed=[{"file": m.file, "line": m.line, "reason": m.reason} for m in report.malformed],
        previous=current,
        added=added,
        removed=removed,
        changed=changed,
        imported_by=actor.get_username() if hasattr(actor, "get_username") else str(actor),
    )
    for row in rows:
        row.version = version
    ListedEntry.objects.bulk_create(rows, batch_size=BULK_BATCH)
    src.current = version
    src.save(update_fields=["current"])
    audit_record(
        actor=actor,
        action="sanctions_list.import",
        obj=version,
        before={"version": current.number if current else None},
        after={
            "source": source,
            "version": number,
            "checksum": report.checksum,
            "entries": len(rows),
            "added": len(added),
            "removed": len(removed),
            "changed": len(changed),
            "malformed": len(report.malformed),
        },
    )
    transaction.on_commit(_queue_rescreen)
    return ImportOutcome(version=version, created=True)


def _queue_rescreen():
    from compliance.sanctions.tasks import sanctions_rescreen_all

    sanctions_rescreen_all.delay()


# --- screening -------------------------------------------------------------------------------


def _screen_names(party: Party, index) -> dict[tuple[str, str], tuple[str, object]]:
    """Best hit per listed entry over the party's name and aliases: (source, ref) -> (name, Hit)."""
    kind = PartyKind.PERSON if party.kind == PartyKind.PERSON else PartyKind.ENTITY
    birth_date = party.birth_date.isoformat() if party.birth_date else None
    country = (party.nationalities[0] if party.nationalities else party.jurisdiction) or None
    threshold = screening_threshold()
    best: dict[tuple[str, str], tuple[str, object]] = {}
    for name in dict.fromkeys([party.name, *party.aliases]):
        for hit in index.matcher.screen(name, kind, birth_date, country, threshold):
            key = (hit.source, hit.ref)
            if key not in best or hit.score > best[key][1].score:
                best[key] = (name, hit)
    return best


def sanctions_state_of(party: Party) -> str:
    states = set(party.hits.values_list("state", flat=True))
    if HitState.CONFIRMED in states:
        return SanctionsState.CONFIRMED
    if HitState.OPEN in states:
        return SanctionsState.OPEN_HIT
    return SanctionsState.CLEAR


def _refresh_party_state(party: Party, *, screened_at=None) -> None:
    party.sanctions_state = sanctions_state_of(party)
    fields = ["sanctions_state", "updated_at"]
    if screened_at is not None:
        party.last_screened_at = screened_at
        fields.append("last_screened_at")
    party.save(update_fields=fields)


@dataclass(frozen=True)
class ScreenOutcome:
    party_id: int
    new_hits: int
    open_hits: int
    sanctions_state: str


@transaction.atomic
def party_screen(*, party_id: int, actor="system:screening", index=None) -> ScreenOutcome:
    """Screen one party against the current lists and record new hits (idempotent).

    A hit already decided for the same entry content is not raised again; an entry whose
    content changed raises a new hit and supersedes any still-open hit on its old content.
    A party already confirmed against an entry is not re-raised for it.
    """
    party = Party.objects.select_for_update().get(pk=party_id)
    index = index or screening_index()
    now = timezone.now()
    found = _screen_names(party, index)
    existing = {(h.source, h.ref, h.entry_hash): h for h in party.hits.all()}
    confirmed = {(s, r) for (s, r, _), h in existing.items() if h.state == HitState.CONFIRMED}
    new_hits = 0
    for key, (screened_name, hit) in sorted(found.items()):
        if key in confirmed or key not in index.entries:
            continue
        entry_id, entry_hash = index.entries[key]
        known = existing.get((*key, entry_hash))
        if known is not None:
            known.last_seen_at = now
            fields = ["last_seen_at"]
            if known.state == HitState.OPEN:
                known.score, known.factors, known.matched_name = hit.score, dict(hit.factors), hit.matched_name
                fields += ["score", "factors", "matched_name"]
            known.save(update_fields=fields)
            continue
        created = ScreeningHit.objects.create(
            party=party,
            entry_id=entry_id,
            source=key[0],
            ref=key[1],
            entry_hash=entry_hash,
            screened_name=screened_name,
            matched_name=hit.matched_name,
            alias_type=hit.alias_type,
            score=hit.score,
            factors=dict(hit.factors),
            last_seen_at=now,
        )
        new_hits += 1
        audit_record(
            actor=actor,
            action="hit.create",
            obj=created,
            after={"party": party.pk, "source": key[0], "ref": key[1], "score": round(hit.score, 4)},
        )
        # An open hit on the entry's old content leaves the officers' queue for the new one.
        for stale in existing.values():
            if (stale.source, stale.ref) == key and stale.state == HitState.OPEN:
                stale.state = HitState.SUPERSEDED
                stale.save(update_fields=["state"])
                audit_record(
                    actor=actor,
                    action="hit.supersede",
                    obj=stale,
                    before={"state": HitState.OPEN},
                    after={"state": HitState.SUPERSEDED, "superseded_by": created.pk},
                )
    before = party.sanctions_state
    _refresh_party_state(party, screened_at=now)
    if party.sanctions_state != before:
        audit_record(
            actor=actor,
            action="party.sanctions_state",
            obj=party,
            before={"sanctions_state": before},
            after={"sanctions_state": party.sanctions_state},
        )
    return ScreenOutcome(
        party_id=party.pk,
        new_hits=new_hits,
        open_hits=party.hits.filter(state=HitState.OPEN).count(),
        sanctions_state=party.sanctions_state,
    )


def parties_screen(*, party_ids: list[int], actor="system:rescreen", index=None) -> dict:
    """Screen many parties (a re-screen chunk). Parties that match nothing and have no hit
    history only get their screening time stamped, in one UPDATE; the others go through
    ``party_screen`` with its row lock and audit trail."""
    index = index or screening_index()
    now = timezone.now()
    with_hits = set(ScreeningHit.objects.filter(party_id__in=party_ids).values_list("party_id", flat=True))
    clean, new_hits, screened = [], 0, 0
    for party in Party.objects.filter(pk__in=party_ids):
        screened += 1
        if party.pk in with_hits or _screen_names(party, index):
            new_hits += party_screen(party_id=party.pk, actor=actor, index=index).new_hits
        else:
            clean.append(party.pk)
    Party.objects.filter(pk__in=clean).update(last_screened_at=now)
    return {"parties": screened, "new_hits": new_hits}


def screen_queries(queries: list[dict]) -> list[list[dict]]:
    """Screen free-standing names (the screening API): hits per query, in query order."""
    index = screening_index()
    threshold = screening_threshold()
    results = []
    for query in queries:
        birth_date = query.get("birth_date")
        hits = index.matcher.screen(
            query["name"],
            query["kind"],
            birth_date.isoformat() if birth_date else None,
            query.get("country") or None,
            threshold,
        )
        results.append(
            [
                {
                    "source": hit.source,
                    "ref": hit.ref,
                    "name": hit.matched_name,
                    "score": round(float(hit.score), 4),
                    "factors": dict(hit.factors),
                }
                for hit in hits
            ]
        )
    return results


# --- officers' decisions -----------------------------------------------------------------------


def _decide(hit: ScreeningHit, *, actor, rationale: str, state: str, action: str) -> ScreeningHit:
    if not getattr(actor, "is_officer", False):
        raise NotPermitted("Only a compliance officer may decide a screening hit.")
    rationale = required_text(rationale, field="rationale", message="A rationale is required for this decision.")
    # The party first, then the hit: the order party_screen locks them in, so a decision taken
    # while the party is re-screened waits for it instead of deadlocking with it.
    party = Party.objects.select_for_update().get(pk=hit.party_id)
    hit = ScreeningHit.objects.select_for_update().select_related("party").get(pk=hit.pk)
    if hit.state != HitState.OPEN:
        raise IllegalTransition(f"Hit #{hit.pk} is {hit.get_state_display().lower()}, not open.")
    hit.state = state
    hit.rationale = rationale
    hit.decided_by = actor
    hit.decided_at = timezone.now()
    hit.save(update_fields=["state", "rationale", "decided_by", "decided_at"])
    before = party.sanctions_state
    _refresh_party_state(party)
    audit_record(
        actor=actor,
        action=action,
        obj=hit,
        before={"state": HitState.OPEN, "party_sanctions_state": before},
        after={"state": state, "party_sanctions_state": party.sanctions_state},
        rationale=rationale,
    )
    return hit


@transaction.atomic
def hit_clear(*, hit: ScreeningHit, actor, rationale: str) -> ScreeningHit:
    """A false positive: the party is not the listed subject."""
    return _decide(hit, actor=actor, rationale=rationale, state=HitState.CLEARED, action="hit.clear")


# What the issuer reads on its suspended listings and on its application's history (the
# listing's reason, the application's audit event, whose actor is "system:compliance"). Telling
# the issuer that it, or one of its owners or directors, matched a sanctions list would tip it
# off (compliance/kyc/README.md); the detail is recorded on the hit ("hit.suspend_listings"),
# which only compliance staff and auditors read.
SUSPENSION_NOTICE = "Suspended by compliance pending review."
SUSPENSION_SOURCE = "compliance"

_WHO_MATCHED = {
    ISSUER_ITSELF: "the issuer is a confirmed sanctions match",
    OWNER_OR_DIRECTOR: "a beneficial owner or director of the issuer is a confirmed sanctions match",
}


@transaction.atomic
def hit_confirm(*, hit: ScreeningHit, actor, rationale: str) -> ScreeningHit:
    """A true match: the party is blocked (sanctions state ``confirmed``).

    When the party is an issuer's KYB party, or a beneficial owner or director of one, that
    issuer's listed products are suspended at once: the approval gates also refuse listing and
    reinstating them from now on.
    """
    issuers = issuers_answering_for(hit.party)
    # The listed applications' rows before the audit chain (see products.services.lock_applications).
    listed = lock_applications(states=[ApplicationState.LISTED], issuer_ids=issuers)
    hit = _decide(hit, actor=actor, rationale=rationale, state=HitState.CONFIRMED, action="hit.confirm")
    _suspend_listings(hit, issuers, listed)
    return hit


def _suspend_listings(hit: ScreeningHit, issuers: dict[int, str], listed: list) -> None:
    """Suspend the listed applications of the issuers the confirmed hit stops (``issuers``, from
    ``issuers_answering_for``; ``listed``, their locked listed applications), with the neutral
    notice on the listings and the application, and the reason on the hit's own audit event."""
    suspended, reasons = [], []
    for issuer_id, standing in issuers.items():
        numbers = []
        for application in (a for a in listed if a.issuer_id == issuer_id):
            done = application_suspend_automatically(
                application=application, reason=SUSPENSION_NOTICE, source=SUSPENSION_SOURCE
            )
            if done is None:
                continue
            numbers.append(f"#{application.pk}")
            suspended.append(
                {
                    "issuer": issuer_id,
                    "standing": standing,
                    "application": application.pk,
                    "listings": application_listing_ids(application),
                }
            )
        if numbers:
            reasons.append(
                f"Issuer #{issuer_id}: {_WHO_MATCHED[standing]}; suspended application {', '.join(numbers)}."
            )
    if suspended:
        audit_record(
            actor="system:sanctions",
            action="hit.suspend_listings",
            obj=hit,
            after={"party": hit.party_id, "suspended": suspended, "notice": SUSPENSION_NOTICE},
            rationale=f"Hit #{hit.pk} confirmed. " + " ".join(reasons),
        )
