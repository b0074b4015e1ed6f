"""Layout details of the shared templates: the main navigation and the delivery notifications."""

import re

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from delivery.models import Notification
from tests.factories import ProductFactory


def main_nav(html: str) -> str:
    match = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S)
    assert match, "no main navigation on the page"
    return match.group(1)


@pytest.mark.parametrize("who", ["officer", "senior", "auditor", "issuer_user"])
def test_the_main_navigation_links_the_disclosures_for_every_role_that_may_list_them(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    disclosures = reverse("disclosures:document_list")
    assert client.get(disclosures).status_code == 200
    nav = main_nav(client.get(reverse("products:product_list")).content.decode())
    assert f'href="{disclosures}"' in nav


def test_an_unread_notification_names_its_product_once_and_is_not_styled_as_a_diff(client, issuer, issuer_user):
    product = ProductFactory(issuer=issuer)
    Notification.objects.create(
        issuer=issuer,
        product=product,
        message=f"{product.symbol}: major delivery incident opened — Availability below SLA.",
    )
    client.force_login(issuer_user)
    html = client.get(reverse("delivery:notifications")).content.decode()
    section = re.search(r'<section class="card">(.*?)</section>', html, re.S).group(1)
    assert strip_tags(section).count(product.symbol) == 1
    assert f'href="{reverse("products:product_detail", args=[product.symbol])}#delivery"' in section
    # .new is the audit diff's "added" style (green, bold); an unread notification is marked otherwise.
    assert 'class="new"' not in section
    assert 'class="unread"' in section
