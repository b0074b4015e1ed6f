"""`{% product_disclosures product user %}`: the disclosures card of the product and application pages.

An inclusion tag rather than a change of products/views.py, so the products app does not depend
on this one: its templates load the tag and the card renders whatever this app knows.
"""

from django import template

from compliance.disclosures.selectors import product_disclosure_overview
from products.selectors import user_acts_for_issuer

register = template.Library()


@register.inclusion_tag("disclosure_ui/_product_disclosures.html", takes_context=True)
def product_disclosures(context, product, user):
    request = context.get("request")
    is_member = user.is_issuer_user and user_acts_for_issuer(user, product.issuer)
    return {
        "product": product,
        "rows": product_disclosure_overview(product),
        "can_render": user.is_officer or is_member,
        "can_publish": user.is_officer and not is_member,
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path() if request else "",
    }
