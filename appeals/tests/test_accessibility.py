"""axe-core (through axe-playwright-python) on every customer page at 375 px and the main desk pages
at 1440 px, in Debian's chromium: no serious or critical violation anywhere."""

import io

import pytest
from django.core.management import call_command

from accounts.models import Freeze
from accounts.tests.factories import AgentFactory
from appeals.models import Appeal
from appeals.tests.conftest import login
from appeals.tests.factories import file_appeal
from appeals.workflow import review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}


def violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{page.url}: {item['id']} ({item['impact']}) ×{len(item['nodes'])}: "
            f"{item['nodes'][0]['target']}" for item in results.response["violations"] if item["impact"] in BLOCKING]


def test_customer_pages_have_no_serious_axe_violations(browser_page, live_server):
    call_command("seed_demo", stdout=io.StringIO())
    freeze = Freeze.objects.filter(account__customer__username="demo", status=Freeze.Status.ACTIVE,
                                   appeals__isnull=True).exclude(refund=None).first()
    asked = file_appeal(freeze)
    agent = AgentFactory()
    review.appeal_claim(appeal_id=asked.pk, actor=agent)
    review.appeal_request_info(appeal_id=asked.pk, actor=agent, message="请补充退货物流截图")
    other = Freeze.objects.filter(account__customer__username="demo", status=Freeze.Status.ACTIVE,
                                  appeals__isnull=True).first()
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    found = violations(page)
    login(page, live_server, "demo")
    urls = ["/credit/", f"/credit/freezes/{freeze.pk}/", "/appeals/", f"/appeals/{asked.reference}/",
            f"/appeals/{asked.reference}/withdraw/", "/notifications/", "/help/"]
    if other:
        urls.append(f"/appeals/new/{other.pk}/")
    for path in urls:
        page.goto(f"{live_server.url}{path}")
        found += violations(page)
    if other:  # the form with its errors shown
        page.goto(f"{live_server.url}/appeals/new/{other.pk}/")
        page.click("button.button[type=submit]")
        page.wait_for_selector("[data-testid=error-summary]")
        found += violations(page)
    assert found == [], "\n".join(found)
    assert Appeal.objects.filter(customer__username="demo").count() >= 1


def test_desk_pages_have_no_serious_axe_violations(browser_page, live_server, settings):
    settings.STAFF_OTP_REQUIRED = True
    call_command("seed_demo", stdout=io.StringIO())
    code = io.StringIO()
    call_command("totp_code", "supervisor", stdout=code)
    page = browser_page
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/admin/login/")
    found = violations(page)
    page.fill("#id_username", "supervisor")
    page.fill("#id_password", "demo1234")
    page.fill("#id_otp_token", code.getvalue().strip())
    page.click("input[type=submit]")
    appeal = Appeal.objects.order_by("pk").first()
    evidence = appeal.evidence.filter(status="ready").first()
    paths = ["/admin/", "/admin/appeals/appeal/", f"/admin/appeals/appeal/{appeal.pk}/change/",
             "/admin/appeals/escalation/", "/admin/appeals/appeal/dashboard/", "/admin/appeals/auditsample/",
             "/admin/accounts/creditaccount/"]
    if evidence:
        paths.append(f"/admin/appeals/appeal/evidence/{evidence.pk}/annotated/")
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        found += violations(page)
    assert found == [], "\n".join(found)
