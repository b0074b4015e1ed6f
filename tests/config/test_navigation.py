"""redirect_back: a form returns the browser to its `next` only when that is a path on this site."""

import pytest
from django.test import RequestFactory

from config.navigation import redirect_back


@pytest.mark.parametrize(
    ("next_value", "location"),
    [
        ("/products/H100/?tab=terms", "/products/H100/?tab=terms"),
        ("https://evil.example/", "/fallback/"),
        ("//evil.example/", "/fallback/"),
        ("/\\evil.example/", "/fallback/"),
        ("0", "/fallback/"),  # redirect() would look "0" up as a view name: a 500
        ("products:product_list", "/fallback/"),
        ("", "/fallback/"),
    ],
)
def test_only_a_local_path_is_followed(next_value, location):
    request = RequestFactory().post("/x/", {"next": next_value})

    assert redirect_back(request, "/fallback/")["Location"] == location


def test_next_may_come_from_the_query_string():
    request = RequestFactory().post("/x/?next=/listings/")

    assert redirect_back(request, "/fallback/")["Location"] == "/listings/"
