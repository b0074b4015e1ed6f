"""The rules app's approval gate (registered in RulesConfig.ready)."""

from compliance.rules import selectors
from compliance.rules.models import RunStatus


def rules_approval_gate(application) -> list[str]:
    """Blocking findings of the latest run of the current version, and runs still in flight.

    An application with no run at all (filed before this app existed, or moved to review by a
    seed or test without checks) has nothing to judge here; the checks are the products
    workflow's to require.
    """
    run = selectors.latest_run(application)
    if run is None:
        return []
    if run.status == RunStatus.RUNNING:
        return [f"Rule checks (run #{run.pk}) are still running; approve when they have finished."]
    return [
        f"{f.rule_code} ({f.jurisdiction}): {f.rule.title if f.rule else 'no rule pack in force'}"
        f" — {f.get_outcome_display().lower()}; a senior approver may override it with a rationale"
        for f in selectors.blocking_findings(run)
    ]
