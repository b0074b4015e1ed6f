"""Web views for disclosures: list, document page, HTML preview, PDF download, render/publish/
acknowledge buttons, and the public verification page. Thin: authorize via selectors, call a
service, render."""

import hashlib
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from compliance.disclosures import selectors, services
from compliance.disclosures.api import pdf_response
from compliance.disclosures.forms import AcknowledgementForm
from compliance.disclosures.models import DocumentStatus
from config.errors import DomainError
from config.navigation import redirect_back
from products.selectors import products_visible_to

# A disclosure PDF is well under a megabyte; anything far larger is not one of ours.
VERIFY_MAX_BYTES = 5 * 1024 * 1024
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


def _show_error(request, exc: Exception) -> None:
    if isinstance(exc, DomainError):
        messages.error(request, exc.message)
    elif isinstance(exc, ValidationError):
        messages.error(request, " ".join(exc.messages))


@login_required
def document_list(request):
    documents = selectors.documents_visible_to(request.user).order_by("-rendered_at", "-id")
    filters = {key: request.GET.get(key, "").strip() for key in ("product", "jurisdiction", "status")}
    if filters["product"]:
        documents = documents.filter(product__symbol__iexact=filters["product"])
    if filters["jurisdiction"]:
        documents = documents.filter(jurisdiction=filters["jurisdiction"].upper())
    if filters["status"] in DocumentStatus.values:
        documents = documents.filter(status=filters["status"])
    page = Paginator(documents, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "disclosure_ui/document_list.html",
        {"page": page, "filters": filters, "statuses": DocumentStatus.choices},
    )


@login_required
def document_detail(request, pk):
    document = get_object_or_404(selectors.documents_visible_to(request.user), pk=pk)
    return render(
        request,
        "disclosure_ui/document_detail.html",
        {
            "document": document,
            "acknowledgements": selectors.acknowledgements_of(document)[:100],
            "can_publish": document.is_draft and request.user.is_officer,
            "can_acknowledge": document.is_published and (request.user.is_officer or request.user.is_issuer_user),
        },
    )


_SCREEN_ONLY_STYLE = "<style>@media screen { .running-footer td.right { display: none; } }</style>"


@login_required
@xframe_options_sameorigin
def document_html(request, pk):
    document = get_object_or_404(selectors.documents_visible_to(request.user), pk=pk)
    html = selectors.document_content(document.pk).html
    # Page counters exist only in print; on screen they read "Page 0 of 0". Documents rendered
    # before their template hid the counter keep that stored HTML, so the preview hides it (the
    # record itself, and the PDF's hash, are untouched).
    html = html.replace("</head>", f"{_SCREEN_ONLY_STYLE}</head>", 1)
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    # The preview is shown in a frame of the document page: no scripts, nothing fetched.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return response


@login_required
def document_pdf(request, pk):
    document = get_object_or_404(selectors.documents_visible_to(request.user), pk=pk)
    return pdf_response(selectors.document_content(document.pk))


@login_required
@require_POST
def rendering_request(request, symbol):
    product = get_object_or_404(products_visible_to(request.user), symbol=symbol)
    try:
        rendering = services.disclosure_rendering_request(
            product=product,
            jurisdiction=request.POST.get("jurisdiction", ""),
            language=request.POST.get("language", "en"),
            actor=request.user,
        )
    except (DomainError, ValidationError) as exc:
        _show_error(request, exc)
    else:
        messages.success(
            request,
            f"Rendering of the {rendering.jurisdiction} disclosure of {product.symbol} queued; "
            "reload the page in a moment to see the preview.",
        )
    return redirect_back(request, reverse("products:product_detail", args=[product.symbol]))


@login_required
@require_POST
def document_publish(request, pk):
    document = get_object_or_404(selectors.documents_visible_to(request.user), pk=pk)
    try:
        document = services.disclosure_publish(document=document, actor=request.user)
    except (DomainError, ValidationError) as exc:
        _show_error(request, exc)
    else:
        messages.success(request, f"Published version {document.version} ({document.sha256[:12]}…).")
    return redirect_back(request, reverse("disclosures:document_detail", args=[pk]))


@login_required
@require_POST
def document_acknowledge(request, pk):
    from compliance.kyc.models import Investor

    document = get_object_or_404(selectors.documents_visible_to(request.user), pk=pk)
    form = AcknowledgementForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{form.fields['investor'].label}: {' '.join(form.errors['investor'])}")
        return redirect("disclosures:document_detail", pk=pk)
    reference = form.cleaned_data["investor"]
    investor = Investor.objects.filter(reference=reference).first()
    if investor is None:
        messages.error(request, f"No investor has the reference {reference!r}.")
        return redirect("disclosures:document_detail", pk=pk)
    try:
        _ack, created = services.disclosure_acknowledge(
            document=document, investor=investor, channel="web", actor=request.user
        )
    except (DomainError, ValidationError) as exc:
        _show_error(request, exc)
    else:
        messages.success(
            request,
            f"{investor.reference} acknowledged version {document.version}."
            if created
            else f"{investor.reference} had already acknowledged version {document.version}.",
        )
    return redirect("disclosures:document_detail", pk=pk)


# --- public verification -------------------------------------------------------------------------


class HashedUpload(UploadedFile):
    """What the verification upload leaves behind: its hash and size, never its bytes."""

    def __init__(self, *, name, content_type, size, sha256, too_large):
        super().__init__(file=None, name=name, content_type=content_type, size=size)
        self.sha256 = sha256
        self.too_large = too_large


class Sha256UploadHandler(FileUploadHandler):
    """Hash the uploaded file chunk by chunk in memory; nothing is written to disk or kept."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.digest = hashlib.sha256()
        self.size = 0
        self.too_large = False

    def receive_data_chunk(self, raw_data, start):
        self.size += len(raw_data)
        if self.size > VERIFY_MAX_BYTES:
            self.too_large = True
        elif not self.too_large:
            self.digest.update(raw_data)
        return None

    def file_complete(self, file_size):
        return HashedUpload(
            name=self.file_name or "upload.pdf",
            content_type=self.content_type,
            size=self.size,
            sha256=self.digest.hexdigest(),
            too_large=self.too_large,
        )


@csrf_exempt  # CSRF is checked by _verify, after the upload handlers are in place
@require_http_methods(["GET", "POST"])
def verify(request):
    # Upload handlers must be set before anything reads request.POST, which CsrfViewMiddleware
    # would do; hence csrf_exempt here and csrf_protect on the inner view (Django's documented way).
    request.upload_handlers = [Sha256UploadHandler(request)]
    return _verify(request)


@csrf_protect
def _verify(request):
    context = {"max_mb": VERIFY_MAX_BYTES // (1024 * 1024), "checked": False}
    status = 200
    if request.method == "POST":
        if int(request.META.get("CONTENT_LENGTH") or 0) > VERIFY_MAX_BYTES + 64 * 1024:
            context["error"] = f"The file is larger than {context['max_mb']} MB; no Attest disclosure is that large."
            return render(request, "disclosure_ui/verify.html", context, status=413)
        upload = request.FILES.get("pdf")
        pasted = request.POST.get("sha256", "").strip().lower()
        if upload is not None and upload.size:
            if upload.too_large:
                context["error"] = f"The file is larger than {context['max_mb']} MB."
                return render(request, "disclosure_ui/verify.html", context, status=413)
            sha256 = upload.sha256
            context["source"] = f"the uploaded file {upload.name} ({upload.size:,} bytes)"
        elif pasted:
            sha256 = pasted
            context["source"] = "the SHA-256 you entered"
        else:
            context["error"] = "Choose a PDF file or paste a SHA-256."
            return render(request, "disclosure_ui/verify.html", context, status=400)
        if not SHA256_RE.match(sha256):
            context["error"] = "A SHA-256 is 64 hexadecimal characters."
            context["sha256"] = pasted
            return render(request, "disclosure_ui/verify.html", context, status=400)
        context.update(checked=True, sha256=sha256, document=selectors.document_by_sha256(sha256))
        if context["document"] is None:
            status = 404
    return render(request, "disclosure_ui/verify.html", context, status=status)
