"""Helpers for the Django-side rules tests (plain functions: tests/rules also holds pure-Python
tests that run without Django, so no conftest here)."""

from pathlib import Path

from compliance.rules.pack import PACKS_DIR
from products import services
from tests.factories import IssuerFactory, UserFactory, VenueFactory, product_terms

US_PACK = (PACKS_DIR / "us-2026.1.yaml").read_text(encoding="utf-8")

# Terms that fire the US (and GB) block on a delivery shortfall with no remedy.
NO_REMEDY = dict(remedy_credit_pct=0, remedy_make_whole=False, remedy_substitution=False)


def submitted_application(*, issuer=None, symbol="H100-RULES", **overrides):
    """An application submitted through the services, checks not yet started."""
    issuer = issuer or IssuerFactory()
    user = UserFactory(role="issuer", issuer=issuer)
    VenueFactory()
    product = services.product_create(actor=user, issuer=issuer, **product_terms(symbol=symbol, **overrides))
    application = services.application_create(actor=user, product=product)
    services.application_submit(application=application, actor=user, run_checks=False)
    application.refresh_from_db()
    return application


def write_pack(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def us_pack_variant(*, version: str, effective_from: str, effective_to: str | None = None, edit=None) -> str:
    """The shipped US pack with another version and period, and optionally an edit applied."""
    text = US_PACK.replace('version: "2026.1"', f'version: "{version}"', 1)
    text = text.replace("effective_from: 2026-01-01", f"effective_from: {effective_from}", 1)
    if effective_to:
        text = text.replace(
            f"effective_from: {effective_from}", f"effective_from: {effective_from}\neffective_to: {effective_to}", 1
        )
    if edit:
        old, new = edit
        assert old in text, old
        text = text.replace(old, new, 1)
    return text
