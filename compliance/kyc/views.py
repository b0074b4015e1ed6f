"""KYC web views for staff: parties, the case page (documents, hits, decisions)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from compliance.kyc import documents, selectors, services
from compliance.kyc.forms import InvestorRegistrationForm, RelatedPersonForm
from compliance.kyc.models import CaseState, DocumentType, PartyKind
from compliance.sanctions.selectors import party_hits
from config.errors import DomainError
from config.forms import add_service_errors
from config.navigation import redirect_back
from products.file_signatures import FileType


def _staff(request):
    if not request.user.sees_all_issuers:
        raise Http404("KYC records are for compliance staff.")


def _officer(request):
    # Forms that write: auditors read KYC records but are not offered (or shown) these.
    if not request.user.is_officer:
        raise Http404("Only compliance officers register parties.")


def _error_text(exc) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return str(exc)


@login_required
def party_list(request):
    _staff(request)
    parties = selectors.parties_visible_to(request.user).select_related("investor").order_by("name")
    state = request.GET.get("sanctions")
    if state:
        parties = parties.filter(sanctions_state=state)
    return render(request, "kyc/party_list.html", {"parties": parties[:500], "sanctions": state})


@login_required
def party_detail(request, pk):
    _staff(request)
    party = get_object_or_404(selectors.parties_visible_to(request.user), pk=pk)
    investor = getattr(party, "investor", None)
    return render(
        request,
        "kyc/party_detail.html",
        {
            "party": party,
            "relations": party.relations.select_related("related"),
            "cases": party.cases.all(),
            "hits": party_hits(party),
            "investor": investor,
            "trading": selectors.investor_trading_record(investor) if investor is not None else None,
        },
    )


@login_required
@require_POST
def case_open(request, pk):
    _staff(request)
    party = get_object_or_404(selectors.parties_visible_to(request.user), pk=pk)
    try:
        case = services.case_open(actor=request.user, party=party)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("kyc:party_detail", pk=party.pk)
    messages.success(request, f"Case #{case.pk} opened; the automatic checks are queued.")
    return redirect("kyc:case_detail", pk=case.pk)


# Fields the services name differently from the registration form.
_INVESTOR_FIELD_FOR = {"residence_jurisdiction": "residence_country"}


@login_required
def investor_register(request):
    _officer(request)
    form = InvestorRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            investor = services.investor_register(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, renamed=_INVESTOR_FIELD_FOR)
        except DomainError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(
                request,
                f"Investor {investor.reference} registered and queued for screening; "
                "open a KYC case to vet them before they can trade.",
            )
            return redirect("kyc:party_detail", pk=investor.party_id)
    return render(request, "kyc/investor_register.html", {"form": form})


@login_required
def party_add_person(request, pk):
    _officer(request)
    entity = get_object_or_404(selectors.parties_visible_to(request.user), pk=pk, kind=PartyKind.ENTITY)
    form = RelatedPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            relation = services.party_add_person(actor=request.user, entity=entity, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except DomainError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(
                request,
                f"{relation.related.name} added as {relation.get_role_display().split(' (')[0].lower()} and queued "
                "for screening; run the checks of an open case again to include them.",
            )
            return redirect("kyc:party_detail", pk=entity.pk)
    return render(request, "kyc/party_add_person.html", {"entity": entity, "form": form})


@login_required
@require_POST
def issuer_kyb_open(request, issuer_pk):
    _staff(request)
    from products.models import Issuer

    issuer = get_object_or_404(Issuer, pk=issuer_pk)
    try:
        case = services.issuer_kyb_open(actor=request.user, issuer=issuer)
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
        return redirect_back(request, reverse("kyc:party_list"))
    messages.success(request, f"KYB case #{case.pk} opened for {issuer.legal_name}; the automatic checks are queued.")
    return redirect("kyc:case_detail", pk=case.pk)


@login_required
def case_detail(request, pk):
    _staff(request)
    case = get_object_or_404(selectors.cases_visible_to(request.user), pk=pk)
    party = case.party
    related = [r.related for r in party.relations.select_related("related")]
    return render(
        request,
        "kyc/case_detail.html",
        {
            "case": case,
            "party": party,
            "documents": case.documents.select_related("uploaded_by"),
            "decisions": case.decisions.select_related("officer"),
            "hits": [h for p in [party, *related] for h in party_hits(p)],
            "blockers": services.approval_blockers(case) if case.state == CaseState.AWAITING_REVIEW else [],
            "can_decide": request.user.is_officer and case.state == CaseState.AWAITING_REVIEW,
            "can_upload": request.user.is_officer and case.state in services.IN_PROGRESS,
            "doc_types": DocumentType.choices,
            "file_types": FileType.choices,
            "max_bytes": documents.max_bytes(),
        },
    )


@login_required
@require_POST
def case_action(request, pk, action):
    _staff(request)
    case = get_object_or_404(selectors.cases_visible_to(request.user), pk=pk)
    try:
        if action in ("approve", "reject"):
            case = services.case_decide(
                case=case, actor=request.user, decision=action, rationale=request.POST.get("rationale", "")
            )
            if case.state == CaseState.APPROVED:
                done = f"Case #{case.pk} approved; review due {case.expires_on:%Y-%m-%d}."
            elif case.state == CaseState.REJECTED:
                done = f"Case #{case.pk} rejected."
            else:
                done = f"Your approval of case #{case.pk} is recorded; a second officer must approve."
        elif action == "rerun_checks":
            services.case_rerun_checks(case=case, actor=request.user)
            done = f"The checks of case #{case.pk} are queued again."
        elif action == "upload":
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError({"file": ["Choose a file."]})
            if upload.size > documents.max_bytes():
                raise ValidationError({"file": [f"The file is larger than {documents.max_bytes()} bytes."]})
            services.document_add(
                actor=request.user,
                case=case,
                doc_type=request.POST.get("doc_type", ""),
                file_type=request.POST.get("file_type", ""),
                data=upload.read(),
                name=upload.name,
            )
            done = f"{upload.name} attached to case #{case.pk}."
        else:
            raise Http404("Unknown action.")
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, done)
    return redirect("kyc:case_detail", pk=case.pk)
