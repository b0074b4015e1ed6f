"""Render a disclosure preview from the command line, without writing to the database."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from compliance.disclosures import rendering, services
from products.models import ComputeProduct


class Command(BaseCommand):
    help = "Render the next version of a product's risk disclosure to a PDF file (a preview: nothing is stored)."

    def add_arguments(self, parser):
        parser.add_argument("symbol", help="Product symbol, e.g. H100-FWD-26Q4")
        parser.add_argument("--jurisdiction", required=True, help="One of the product's jurisdictions, e.g. US")
        parser.add_argument("--language", default="en")
        parser.add_argument("--out", required=True, type=Path, help="Where to write the PDF")
        parser.add_argument("--html", type=Path, help="Also write the HTML preview here")

    def handle(self, *args, symbol, jurisdiction, language, out, html=None, **options):
        product = ComputeProduct.objects.select_related("issuer").filter(symbol=symbol).first()
        if product is None:
            raise CommandError(f"no product with symbol {symbol!r}")
        try:
            result = services.disclosure_preview(product=product, jurisdiction=jurisdiction, language=language)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        except rendering.DisclosureError as error:
            # One line, not a traceback: a missing Pango, a KID over three pages, a blocked market.
            raise CommandError(str(error)) from None
        out.write_bytes(result.pdf)
        if html:
            html.write_text(result.html, encoding="utf-8")
        self.stdout.write(
            f"{out}: {result.page_count} page(s), sha256 {result.sha256}, template {result.template_version}"
        )
