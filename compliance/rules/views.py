"""Web views of the rules app: the pack browser and the override button. Thin."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from compliance.rules import selectors, services
from compliance.rules.models import Finding, RulePack
from compliance.rules.pack import diff_packs
from config.errors import DomainError


@login_required
def pack_list(request):
    return render(request, "rules/pack_list.html", {"packs": selectors.packs_by_jurisdiction()})


@login_required
def pack_detail(request, pk):
    pack = get_object_or_404(RulePack, pk=pk)
    versions = list(RulePack.objects.filter(jurisdiction=pack.jurisdiction).order_by("-effective_from"))
    return render(
        request,
        "rules/pack_detail.html",
        {"pack": pack, "rules": selectors.pack_rules(pack), "versions": versions},
    )


@login_required
def pack_diff(request, jurisdiction):
    versions = list(RulePack.objects.filter(jurisdiction=jurisdiction).order_by("-effective_from"))
    if not versions:
        raise Http404("No pack for this jurisdiction.")
    by_version = {p.version: p for p in versions}
    new = by_version.get(request.GET.get("new", ""), versions[0])
    old = by_version.get(request.GET.get("old", ""), versions[1] if len(versions) > 1 else versions[0])
    diff = diff_packs(services.compiled_pack(old), services.compiled_pack(new))
    old_rules = {r.rule_id: r for r in old.rules.all()}
    new_rules = {r.rule_id: r for r in new.rules.all()}
    changed = [
        {"rule_id": c.rule_id, "fields": c.fields, "old": old_rules[c.rule_id], "new": new_rules[c.rule_id]}
        for c in diff.changed
    ]
    return render(
        request,
        "rules/pack_diff.html",
        {
            "jurisdiction": jurisdiction,
            "versions": versions,
            "old": old,
            "new": new,
            "diff": diff,
            "added": [new_rules[r] for r in diff.added],
            "removed": [old_rules[r] for r in diff.removed],
            "changed": changed,
        },
    )


@login_required
@require_POST
def finding_override(request, pk):
    finding = get_object_or_404(
        Finding.objects.filter(run__in=selectors.runs_visible_to(request.user)).select_related("run"), pk=pk
    )
    try:
        services.finding_override(finding=finding, actor=request.user, rationale=request.POST.get("rationale", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{finding.rule_code} overridden; the rationale is on the audit trail.")
    return redirect(reverse("products:application_detail", args=[finding.run.application_id]) + "#rule-findings")
