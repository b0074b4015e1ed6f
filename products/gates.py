"""Conditions that other apps impose on approval, registered at start-up.

The rules app (blocking findings) and the KYC app (issuer KYB) each register a gate in their
AppConfig.ready(); `application_approve` refuses while any gate names a blocker. This keeps
products free of imports from the apps that judge it.
"""

from collections.abc import Callable

ApprovalGate = Callable[[object], list[str]]
_approval_gates: list[ApprovalGate] = []


def register_approval_gate(gate: ApprovalGate) -> ApprovalGate:
    if gate not in _approval_gates:
        _approval_gates.append(gate)
    return gate


def unregister_approval_gate(gate: ApprovalGate) -> None:
    if gate in _approval_gates:
        _approval_gates.remove(gate)


def approval_blockers(application) -> list[str]:
    """Every reason, from every gate, why this application may not be approved now."""
    return [reason for gate in _approval_gates for reason in gate(application)]
