"""A crawler over the desk in Simplified Chinese: every page an agent or a supervisor opens shows
words, never raw codes, Python's None or untranslated English labels."""

import io
import re
from html.parser import HTMLParser

import pytest
from django.contrib.admin import site
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from accounts.models import User
from appeals.models import Appeal, State
from appeals.transitions import Transition

pytestmark = pytest.mark.django_db

# Words that must never reach a zh-Hans desk page: codes of transitions and checks, None, English
# admin leftovers.
FORBIDDEN = [
    *(code for code in Transition.values if "_" in code or code in {"submit", "claim", "approve", "reject"}),
    "None", "OTP Token", "Apply", "refunded", "order ≤ return ≤ refund", "evidence matched the record",
]
WORD = re.compile(r"(?<![\w-])(" + "|".join(re.escape(word) for word in FORBIDDEN) + r")(?![\w-])")


class VisibleText(HTMLParser):
    """The text a person reads: text nodes (not scripts or styles) and title/alt/placeholder/value of buttons."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        attrs = dict(attrs)
        for name in ("title", "alt", "placeholder", "aria-label"):
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def raw_words(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return [f"{match.group(1)!r} in {part[:80]!r}" for part in parser.parts for match in WORD.finditer(part)]


def desk_pages():
    pages = ["admin:index", "admin:appeals_dashboard"]
    for model in site._registry:
        meta = model._meta
        pages.append(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append((f"admin:{meta.app_label}_{meta.model_name}_change", first.pk))
    pages += [("admin:appeals_appeal_change", pk) for pk in Appeal.objects.values_list("pk", flat=True)]
    open_ones = Appeal.objects.filter(state__in=[State.IN_REVIEW, State.ESCALATED]).values_list("pk", flat=True)
    forms = (Transition.REJECT, Transition.REJECT_ESCALATED, Transition.REQUEST_INFO, Transition.ESCALATE)
    pages += [("admin:appeals_appeal_transition", pk, name) for pk in open_ones for name in forms]
    return pages


def test_zh_hans_desk_pages_show_no_raw_codes_or_none(client, settings):
    settings.STAFF_OTP_REQUIRED = False
    call_command("seed_demo", stdout=io.StringIO())
    # What the worker's cross-check stores (the demo's screenshots are not read here): codes as values.
    Appeal.objects.filter(pk=Appeal.objects.order_by("pk").values("pk")[:1]).update(evidence_checks=[
        {"code": "refund_status", "status": "match", "expected": "refunded", "read": "refunded"},
        {"code": "date_order", "status": "match", "expected": "order ≤ return ≤ refund",
         "read": "2026-11-25 / 2026-11-30 / 2026-11-30"}])
    client.cookies["django_language"] = "zh-hans"
    settings.STAFF_OTP_REQUIRED = True
    login_page = client.get(reverse("admin:login")).content.decode()
    found, opened, forms_shown = [f"/admin/login/: {word}" for word in raw_words(login_page)], 0, 0
    settings.STAFF_OTP_REQUIRED = False
    client.force_login(User.objects.get(username="supervisor"))
    for page in desk_pages():
        name, *args = page if isinstance(page, tuple) else (page,)
        try:
            url = reverse(name, args=args)
        except NoReverseMatch:
            continue
        response = client.get(url, follow=True)  # a form not available in this state: back to the appeal
        if response.status_code != 200:
            continue
        opened += 1
        forms_shown += "/transition/" in response.request["PATH_INFO"]
        found += [f"{url}: {word}" for word in raw_words(response.content.decode())]
    assert opened >= 18 and forms_shown >= 1
    assert found == [], "\n".join(sorted(set(found)))
