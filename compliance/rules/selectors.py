"""Reads of the rules app: runs and findings a user may see, the application attributes the
packs need, and the distribution constraints other apps compile."""

from django.db.models import Prefetch, Q, QuerySet

from compliance.rules.models import (
    Finding,
    JurisdictionResult,
    Rule,
    RulePack,
    RuleRun,
    RunStatus,
)
from products.models import ApplicationVersion, ProductApplication, Venue
from products.selectors import applications_visible_to

# EEA states, where MiFID II and MiCA venue types apply.
EEA = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split())

# (Venue.venue_type, country group) -> venue type of the rules vocabulary
# (compliance/rules/README.md, "Venue types"). Country groups: "US", "EEA", "GB", "CH", "SG", "HK".
_VENUE_TYPES = {
    ("dcm", "US"): "dcm",
    ("sef", "US"): "sef",
    ("ats", "US"): "ats",
    ("regulated_market", "US"): "nse",
    ("recognised_exchange", "US"): "nse",
    ("regulated_market", "EEA"): "eu_rm",
    ("recognised_exchange", "EEA"): "eu_rm",
    ("mtf", "EEA"): "eu_mtf",
    ("otf", "EEA"): "eu_otf",
    ("regulated_market", "GB"): "uk_rie",
    ("recognised_exchange", "GB"): "uk_rie",
    ("mtf", "GB"): "uk_mtf",
    ("otf", "GB"): "uk_otf",
    ("regulated_market", "CH"): "ch_exchange",
    ("recognised_exchange", "CH"): "ch_exchange",
    ("mtf", "CH"): "ch_mtf",
    ("otf", "CH"): "ch_otf",
    ("regulated_market", "SG"): "sg_ae",
    ("recognised_exchange", "SG"): "sg_ae",
    ("mtf", "SG"): "sg_rmo",
    ("ats", "SG"): "sg_rmo",
    ("regulated_market", "HK"): "hk_exchange",
    ("recognised_exchange", "HK"): "hk_exchange",
    ("mtf", "HK"): "hk_ats",
    ("ats", "HK"): "hk_ats",
}


def venue_type_for(venue_type: str, country: str) -> str | None:
    """The rules' regulatory venue type for a registered venue, or None when none fits.

    The venue registry (products.Venue) records a generic type and the venue's country; the
    rules need the regulatory type in that country: an EEA "regulated_market" is a MiFID II
    regulated market (`eu_rm`), a UK one a recognised investment exchange (`uk_rie`), a US
    "dcm" a designated contract market. A type with no counterpart in that country (e.g. an
    OTF in the US) maps to None and is left out rather than guessed.
    """
    group = "EEA" if country in EEA else country
    return _VENUE_TYPES.get((venue_type, group))


def venue_types_for(mics: list[str]) -> list[str]:
    """The venue types of the requested venues; `["otc"]` when no venue is requested."""
    if not mics:
        return ["otc"]
    venues = Venue.objects.filter(mic__in=mics).values_list("venue_type", "country")
    return sorted({t for t in (venue_type_for(vt, c) for vt, c in venues) if t})


def application_attributes(application: ProductApplication, version: ApplicationVersion) -> dict:
    """The `application.*` attributes of the rules vocabulary, except `jurisdiction`, which
    each jurisdiction's part of a run sets."""
    return {
        "version": version.number,
        "submitted_on": version.submitted_at.date().isoformat(),
        "venue_types": venue_types_for(version.terms.get("requested_venues") or []),
    }


def _packs_effective_on(day):
    """The pack versions whose period holds `day` (periods are half-open)."""
    return RulePack.objects.filter(effective_from__lte=day).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=day)
    )


def pack_in_force(jurisdiction: str, day) -> RulePack | None:
    """The pack of a jurisdiction effective on `day`."""
    return _packs_effective_on(day).filter(jurisdiction=jurisdiction).order_by("-effective_from").first()


def pack_versions_in_force(day) -> dict[str, str]:
    """Jurisdiction -> version of the pack in force on `day`, for every jurisdiction that has one."""
    rows = _packs_effective_on(day).order_by("jurisdiction", "-effective_from").values_list("jurisdiction", "version")
    versions: dict[str, str] = {}
    for jurisdiction, version in rows:
        versions.setdefault(jurisdiction, version)
    return versions


def run_uses_packs_in_force(run: RuleRun, versions_in_force: dict[str, str]) -> bool:
    """Whether each jurisdiction of the run was checked under the pack version (or the absence
    of a pack) that `versions_in_force` (see pack_versions_in_force) names."""
    return all(run.pack_versions.get(j) == versions_in_force.get(j) for j in run.jurisdictions)


def last_run_using(pack: RulePack) -> RuleRun | None:
    """The run with the latest `as_of` that checked a jurisdiction under this pack version."""
    return RuleRun.objects.filter(results__pack=pack).order_by("-as_of", "-id").first()


def packs_by_jurisdiction() -> dict[str, list[RulePack]]:
    packs: dict[str, list[RulePack]] = {}
    for pack in RulePack.objects.order_by("jurisdiction", "-effective_from"):
        packs.setdefault(pack.jurisdiction, []).append(pack)
    return packs


def runs_visible_to(user) -> QuerySet[RuleRun]:
    return RuleRun.objects.filter(application__in=applications_visible_to(user)).select_related("application")


def latest_run(application: ProductApplication) -> RuleRun | None:
    """The newest run of the application's current version, running or not."""
    return application.rule_runs.filter(version_number=application.version).order_by("-started_at", "-id").first()


def latest_completed_run(application: ProductApplication) -> RuleRun | None:
    return (
        application.rule_runs.filter(version_number=application.version, status=RunStatus.COMPLETED)
        .order_by("-finished_at", "-id")
        .first()
    )


def blocking_findings(run: RuleRun) -> list[Finding]:
    return [f for f in run.findings.select_related("rule") if f.is_blocking]


def run_findings(run: RuleRun) -> QuerySet[Finding]:
    return run.findings.select_related("rule", "rule__pack", "overridden_by")


def run_with_details(run_id: int, user) -> RuleRun:
    return (
        runs_visible_to(user)
        .prefetch_related(
            Prefetch("findings", queryset=Finding.objects.select_related("rule", "overridden_by")),
            Prefetch("results", queryset=JurisdictionResult.objects.select_related("pack")),
        )
        .get(pk=run_id)
    )


def constraints_of(result: JurisdictionResult) -> dict:
    return {
        "allowed_investor_categories": result.allowed_investor_categories,
        "appropriateness_required": result.appropriateness_required,
        "acknowledgement_required": result.acknowledgement_required,
        "jurisdiction_blocked": result.jurisdiction_blocked,
        "disclosure_sections": list(result.disclosure_sections),
        "required_artifacts": list(result.required_artifacts),
        "pack_version": result.pack.version if result.pack_id else None,
        "run_id": result.run_id,
    }


def distribution_constraints_for(application: ProductApplication) -> dict[str, dict]:
    """Per jurisdiction of offer, what the fired rules of the latest completed run of the
    application's current version impose on distribution. Empty when no run completed.

    Each value has the keys:
    - `allowed_investor_categories`: list[str] of retail, professional, eligible_counterparty,
      accredited, eligible_contract_participant; or None when no fired rule restricts it
      (an empty list allows nobody);
    - `appropriateness_required`, `acknowledgement_required`: bool;
    - `jurisdiction_blocked`: bool, set by a fired `block` rule or when no pack was in force,
      unless a senior approver overrode that finding;
    - `disclosure_sections`: list[str], the mandatory disclosure sections, in rule order;
    - `required_artifacts`: list[str], the artifacts of fired `require:<artifact>` rules;
    - `pack_version`: str or None (no pack in force); `run_id`: int.
    """
    run = latest_completed_run(application)
    if run is None:
        return {}
    return {r.jurisdiction: constraints_of(r) for r in run.results.select_related("pack")}


def findings_by_jurisdiction(run: RuleRun) -> list[dict]:
    """The run's findings for the officer view: per jurisdiction, grouped by outcome."""
    results = {r.jurisdiction: r for r in run.results.select_related("pack")}
    groups: dict[str, dict[str, list[Finding]]] = {j: {} for j in results}
    for finding in run_findings(run):
        if finding.is_blocking:
            key = "blocking"
        elif not finding.fired:
            key = "not_fired"
        elif finding.is_overridden:
            key = "overridden"
        else:
            key = finding.outcome
        groups.setdefault(finding.jurisdiction, {}).setdefault(key, []).append(finding)
    order = [
        ("blocking", "Blocking"),
        ("overridden", "Overridden by a senior approver"),
        ("require", "Requirements"),
        ("warn", "Warnings"),
        ("not_fired", "Rules that did not fire"),
    ]
    return [
        {
            "jurisdiction": jurisdiction,
            "result": results.get(jurisdiction),
            "groups": [
                (key, label, groups[jurisdiction][key]) for key, label in order if groups[jurisdiction].get(key)
            ],
        }
        for jurisdiction in sorted(groups)
    ]


def pack_rules(pack: RulePack) -> QuerySet[Rule]:
    return pack.rules.order_by("position")
