"""Fuzz every form the web UI shows: no input a browser can send gives a 500.

The crawler logs in as an officer, a senior approver and an issuer user over the demo data,
follows the site's own links and collects every POST form it finds. Then it submits each form
once per field and hostile value, with the other fields left as the page filled them. Hostile
values include a NUL, 100,000 characters, numbers out of any range, impossible dates, text
that is not a number, and a `next` that is not a path.

Found so far: a NUL in a raw POST value reached a query, and a `next` such as "0" was looked up
as a view name. Each was a 500.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User

pytestmark = pytest.mark.django_db

HOSTILE = ["\x00", "x" * 100_000, "-1", "0", "99999999999999999999999999", "1e400", "2026-13-45", "é☃𝄞", "[]"]
USERS = ["olivia", "sam", "nimbus"]  # officer, senior approver, issuer user
NOT_CRAWLED = re.compile(r"^/(admin|api)/|logout|\.(pdf|png|csv)$|/pdf/?$|download")
MAX_PAGES = 250


class FormsAndLinks(HTMLParser):
    """The links of a page and its POST forms, each field with the value the page gives it."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        elif tag == "form":
            self._form = None
            if (attributes.get("method") or "get").lower() == "post":
                self._form = {"action": attributes.get("action") or "", "fields": {}}
                self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea", "select"):
            name, kind = attributes.get("name"), attributes.get("type", tag)
            if not name or name == "csrfmiddlewaretoken" or kind == "file":
                return
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                self._form["fields"].setdefault(name, "")
            else:
                self._form["fields"][name] = attributes.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def crawl(client: Client) -> dict[tuple[str, tuple[str, ...]], dict[str, str]]:
    """Every distinct POST form reachable from the home page: (action, field names) -> fields."""
    seen: set[str] = set()
    queue = ["/"]
    forms: dict[tuple[str, tuple[str, ...]], dict[str, str]] = {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen or NOT_CRAWLED.search(path):
            continue
        seen.add(path)
        response = client.get(path, follow=True)
        path = response.request["PATH_INFO"]
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        page = FormsAndLinks()
        page.feed(response.content.decode())
        for href in page.links:
            url = urlparse(urljoin(path, href))
            if url.netloc in ("", "testserver") and url.path not in seen:
                queue.append(url.path)
        for form in page.forms:
            action = urljoin(path, form["action"]) if form["action"] else path
            forms.setdefault((action, tuple(sorted(form["fields"]))), form["fields"])
    return forms


@pytest.mark.parametrize("username", USERS)
def test_no_form_answers_500_to_hostile_input(username):
    call_command("seed_demo", verbosity=0)
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=username))
    forms = crawl(client)
    assert forms, "the crawler found no form: the test would prove nothing"

    failures = []
    for (action, _), fields in forms.items():
        for name in fields:
            for value in HOSTILE:
                response = client.post(action, {**fields, name: value})
                if response.status_code >= 500:
                    failures.append(f"{action} {name}={value[:20]!r}: {response.status_code}")
    assert not failures, "\n".join(failures)
