"""Security properties of the whole desk: login lockout, daily abuse limits, response headers and
templates, production settings, phone masking, two-factor sign-in for staff, evidence retention
and the customer's history export. Messages are checked in English (the language cookie) unless
the Chinese default itself is the point."""

import json
import os
import re
import secrets
import subprocess
import sys
from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import demo, roles
from accounts.tests.factories import (
    AgentFactory,
    CustomerFactory,
    SupervisorFactory,
    make_account,
    make_order,
    make_refund,
)
from appeals import selectors, tasks
from appeals.models import Appeal, AppealEvent, Evidence, RejectReason, State
from appeals.tests.factories import file_appeal, image_bytes, refund_freeze
from appeals.tests.test_authorization_sweep import build_world, swept_patterns, url_for
from appeals.workflow import decide, review, submit

pytestmark = pytest.mark.django_db

TZ = ZoneInfo(settings.TIME_ZONE)
private_storage = Evidence._meta.get_field("image").storage  # the evidence files' (private) storage
PASSWORD = "pw-for-tests-123"  # accounts.tests.factories.UserFactory


def english(client):
    client.cookies["django_language"] = "en"
    return client


# --- login lockout (django-axes) ------------------------------------------------------------------

LOCKED_EN = "This account is locked for 15 minutes after too many wrong passwords."
LOCKED_ZH = "密码错误次数过多，该账户已锁定 15 分钟。"


def _login(client, username, password, url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password})


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client):
    assert settings.AXES_FAILURE_LIMIT == 5
    customer = CustomerFactory()
    for attempt in range(1, 5):
        response = _login(client, customer.username, "wrong-password")
        assert response.status_code == 200, attempt  # the form again, with its error
        assert not _logged_in(client)
    fifth = _login(client, customer.username, "wrong-password")
    assert fifth.status_code == settings.AXES_HTTP_RESPONSE_CODE == 429  # the fifth failure locks

    sixth = _login(client, customer.username, PASSWORD)
    assert sixth.status_code == 429
    assert LOCKED_ZH in sixth.content.decode()  # Chinese by default
    assert "尝试次数过多" in sixth.content.decode()
    assert not _logged_in(client)
    english_page = _login(english(client), customer.username, PASSWORD)
    assert english_page.status_code == 429 and LOCKED_EN in english_page.content.decode()
    assert not _logged_in(client)


def test_lockout_is_per_username_and_address(client):
    locked, neighbour = CustomerFactory(), CustomerFactory()
    for _ in range(5):
        _login(client, locked.username, "wrong-password")
    assert _login(client, locked.username, PASSWORD).status_code == 429
    response = _login(client, neighbour.username, PASSWORD)  # same address, another username
    assert response.status_code == 302 and _logged_in(client)
    client.logout()
    assert _login(client, locked.username, PASSWORD).status_code == 429  # still locked
    other_address = client.post(reverse("login"), {"username": locked.username, "password": PASSWORD},
                                REMOTE_ADDR="203.0.113.9")
    assert other_address.status_code == 302  # the lock is for the username from that address


def test_a_successful_login_resets_the_count(client):
    customer = CustomerFactory()
    for _ in range(4):
        assert _login(client, customer.username, "wrong-password").status_code == 200
    assert _login(client, customer.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):  # 8 failures in all, but never 5 in a row
        assert _login(client, customer.username, "wrong-password").status_code == 200
    assert _login(client, customer.username, PASSWORD).status_code == 302
    assert _logged_in(client)


def test_the_admin_login_is_locked_out_too(client):
    agent = AgentFactory()
    for _ in range(5):
        _login(client, agent.username, "wrong-password", reverse("admin:login"))
    response = _login(client, agent.username, PASSWORD, reverse("admin:login"))
    assert response.status_code == 429 and LOCKED_ZH in response.content.decode()
    assert not _logged_in(client)


# --- daily abuse limits ---------------------------------------------------------------------------


def _screenshots(count=3) -> dict:
    names = ["order_screenshot", "logistics_screenshot", "refund_receipt", "order_history", "platform_proof"]
    return {name: SimpleUploadedFile(f"{name}.png", image_bytes(), "image/png") for name in names[:count]}


def _file_through_the_form(client, freeze, screenshots=3):
    return client.post(reverse("appeal-create", args=[freeze.pk]), {
        "order_number": freeze.refund.order.number, "tracking_number": "SF1234567890123",
        "amount": str(freeze.amount), "description": "我的订单已退货,请协助解冻", **_screenshots(screenshots),
    })


def _freezes(customer, count):
    account = make_account(Decimal("50000.00"), customer=customer)
    return [make_refund(make_order(account, Decimal("100.00"))).freezes.get() for _ in range(count)]


def _incoming_files() -> list[str]:
    return private_storage.listdir("incoming")[1] if private_storage.exists("incoming") else []


def test_third_appeal_of_the_day_is_refused_and_the_next_day_accepted(client, settings):
    settings.APPEALS_PER_CUSTOMER_PER_DAY = 2
    settings.UPLOADS_PER_CUSTOMER_PER_DAY = 30
    customer = CustomerFactory()
    english(client).force_login(customer)
    day = datetime(2026, 12, 1, 10, 0, tzinfo=TZ)
    with time_machine.travel(day, tick=False):
        first, second, third = _freezes(customer, 3)
        assert _file_through_the_form(client, first).status_code == 302
        assert _file_through_the_form(client, second).status_code == 302
        files_before = _incoming_files()
        refused = _file_through_the_form(client, third)
    assert refused.status_code == 400
    assert "You can file at most 2 appeals a day. Please try again tomorrow." in refused.content.decode()
    assert not Appeal.objects.filter(freeze=third).exists()
    assert Evidence.objects.filter(appeal__customer=customer).count() == 6
    assert _incoming_files() == files_before  # the refused screenshots were not stored
    with time_machine.travel(day + timedelta(days=1), tick=False):
        assert _file_through_the_form(client, third).status_code == 302
    assert Appeal.objects.filter(customer=customer).count() == 3


def test_the_appeal_limit_counts_the_chinese_calendar_day_not_utc(client, settings):
    """23:50 and 00:10 in Shanghai are the same UTC day (15:50 and 16:10 UTC): different days here."""
    settings.APPEALS_PER_CUSTOMER_PER_DAY = 2
    settings.UPLOADS_PER_CUSTOMER_PER_DAY = 30
    customer = CustomerFactory()
    client.force_login(customer)
    late = datetime(2026, 12, 1, 23, 50, tzinfo=TZ)
    with time_machine.travel(late, tick=False):
        freezes = _freezes(customer, 4)
        assert _file_through_the_form(client, freezes[0]).status_code == 302
        assert _file_through_the_form(client, freezes[1]).status_code == 302
        assert _file_through_the_form(client, freezes[2]).status_code == 400
    with time_machine.travel(late + timedelta(minutes=20), tick=False):
        assert timezone.now().date() == late.astimezone(ZoneInfo("UTC")).date()
        assert _file_through_the_form(client, freezes[2]).status_code == 302
        assert _file_through_the_form(client, freezes[3]).status_code == 302


def test_daily_upload_limit_counts_appeals_and_replies_and_resets_the_next_day(client, settings):
    settings.APPEALS_PER_CUSTOMER_PER_DAY = 5
    settings.UPLOADS_PER_CUSTOMER_PER_DAY = 5
    customer, agent = CustomerFactory(), AgentFactory()
    english(client).force_login(customer)
    day = datetime(2026, 12, 2, 9, 30, tzinfo=TZ)
    with time_machine.travel(day, tick=False):
        first, second = _freezes(customer, 2)
        assert _file_through_the_form(client, first).status_code == 302  # 3 of 5
        refused = _file_through_the_form(client, second)  # 3 more: 6 > 5
        assert refused.status_code == 400
        assert "You can upload at most 5 screenshots a day. Please try again tomorrow." in refused.content.decode()
        assert not Appeal.objects.filter(freeze=second).exists()
        appeal = Appeal.objects.get(freeze=first)
        review.appeal_claim(appeal_id=appeal.pk, actor=agent)
        review.appeal_request_info(appeal_id=appeal.pk, actor=agent, message="请补充退货物流截图")
        reply = reverse("appeal-resubmit", args=[appeal.reference])
        three = [SimpleUploadedFile(f"r{i}.png", image_bytes(), "image/png") for i in range(3)]
        response = client.post(reply, {"message": "补充", "kind": Evidence.Kind.LOGISTICS, "other": three})
        assert response.status_code == 400
        assert "You can upload at most 5 screenshots a day." in response.content.decode()
        assert appeal.evidence.count() == 3 and Appeal.objects.get(pk=appeal.pk).state == State.INFO_REQUESTED
        two = [SimpleUploadedFile(f"r{i}.png", image_bytes(), "image/png") for i in range(2)]
        response = client.post(reply, {"message": "补充", "kind": Evidence.Kind.LOGISTICS, "other": two})
        assert response.status_code == 302 and appeal.evidence.count() == 5  # exactly at the limit
    with time_machine.travel(day + timedelta(days=1), tick=False):
        assert _file_through_the_form(client, second).status_code == 302
    assert Evidence.objects.filter(uploaded_by=customer).count() == 8


# --- response headers and templates --------------------------------------------------------------


def _csp(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_security_headers(response, where: str) -> None:
    assert "Content-Security-Policy" in response, where
    policy = _csp(response["Content-Security-Policy"])
    script_src = policy.get("script-src", policy.get("default-src"))
    assert script_src, (where, policy)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, (where, script_src)
    assert "*" not in script_src and "data:" not in script_src, (where, script_src)
    assert policy.get("frame-ancestors") == ["'none'"] and policy.get("object-src") == ["'none'"], where
    assert response.get("X-Frame-Options") == "DENY", where
    assert response.get("X-Content-Type-Options") == "nosniff", where


def _path(pattern, world) -> str:
    return url_for(pattern, world) if pattern.params else reverse(pattern.name)


def test_every_customer_page_sends_the_security_headers(client, django_capture_on_commit_callbacks):
    world = build_world(django_capture_on_commit_callbacks)
    for name in ("login", "help"):  # before logging in
        assert_security_headers(client.get(reverse(name)), name)
    client.force_login(world.owner)
    seen = 0
    for pattern in swept_patterns():
        if pattern.is_admin or not pattern.name:
            continue
        response = client.get(_path(pattern, world))
        assert_security_headers(response, pattern.label)
        if response.streaming:
            b"".join(response.streaming_content)
        seen += 1
    assert seen >= 10
    response = client.get(reverse("evidence-image", args=[world.appeal.reference, world.evidence.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    b"".join(response.streaming_content)


def test_the_admin_sends_the_security_headers(client, django_capture_on_commit_callbacks):
    world = build_world(django_capture_on_commit_callbacks)
    assert_security_headers(client.get(reverse("admin:login")), "admin:login")
    client.force_login(world.superuser)
    statuses = set()
    for pattern in swept_patterns():
        if not pattern.is_admin:
            continue
        response = client.get(_path(pattern, world))
        assert_security_headers(response, pattern.label)
        statuses.add(response.status_code)
    assert 200 in statuses


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)(?![^>]*type\s*=\s*[\"']application/(?:ld\+)?json)[^>]*>",
                           re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""\b(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def inline_script_problems(text: str) -> list[str]:
    rules = (INLINE_SCRIPT, EVENT_HANDLER, JAVASCRIPT_URL)
    return [match.group(0)[:60] for rule in rules for match in rule.finditer(text)]


def test_the_inline_script_rules_catch_what_csp_would_block():
    assert inline_script_problems("<script>alert(1)</script>")
    assert inline_script_problems('<SCRIPT type="text/javascript">x()</SCRIPT>')
    assert inline_script_problems('<button class="b" onclick="go()">')
    assert inline_script_problems('<a href="javascript:go()">')
    assert not inline_script_problems('<script src="/static/js/app.js"></script>')
    assert not inline_script_problems('<script id="d" type="application/json">{"a": 1}</script>')
    assert not inline_script_problems('<p>Put the online=yes flag</p> <input name="one">')


def test_no_template_has_an_inline_script():
    templates = sorted((settings.BASE_DIR / "templates").rglob("*.html"))
    assert len(templates) >= 10
    problems = {str(path.relative_to(settings.BASE_DIR)): found for path in templates
                if (found := inline_script_problems(path.read_text(encoding="utf-8")))}
    assert not problems, problems


def _production(code_or_args: list[str], **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production",
                   "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "appeals.example.com", **env}
    environment = {key: value for key, value in environment.items() if value is not None}
    return subprocess.run([sys.executable, *code_or_args], cwd=settings.BASE_DIR, env=environment,  # noqa: S603
                          capture_output=True, text=True, timeout=120)


def test_production_settings_pass_the_deploy_check():
    """In a subprocess: importing the production module here would change the test run's own
    settings (it edits the DATABASES, STORAGES and LOGGING dicts it shares with base)."""
    result = _production(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_are_strict():
    names = ["DEBUG", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT",
             "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "X_FRAME_OPTIONS",
             "SECURE_CONTENT_TYPE_NOSNIFF", "STAFF_OTP_REQUIRED", "AXES_FAILURE_LIMIT", "SECURE_PROXY_SSL_HEADER",
             "APPEALS_PER_CUSTOMER_PER_DAY", "UPLOADS_PER_CUSTOMER_PER_DAY", "EVIDENCE_RETENTION_DAYS"]
    code = ("import json, django; django.setup(); from django.conf import settings as s; "
            f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}} | "
            "{'script-src': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src']}))")
    result = _production(["-c", code])
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 180 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_SSL_REDIRECT"] and values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] and values["STAFF_OTP_REQUIRED"] is True
    assert values["AXES_FAILURE_LIMIT"] == 5
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert (values["APPEALS_PER_CUSTOMER_PER_DAY"], values["UPLOADS_PER_CUSTOMER_PER_DAY"]) == (5, 30)
    assert values["EVIDENCE_RETENTION_DAYS"] == 180
    assert values["script-src"] == ["'self'"]


def test_production_refuses_to_start_without_a_secret_key():
    result = _production(["manage.py", "check"], SECRET_KEY=None)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


# --- phone masking --------------------------------------------------------------------------------


def test_phone_is_masked_in_every_staff_list_and_full_only_on_the_appeal_page(client):
    """test_admin.py checks the agents' queue; this adds the supervisors' escalation queue, the
    queue's search results and the decision export."""
    customer = CustomerFactory(phone="13812345678")
    account = make_account(Decimal("20000.00"), customer=customer)
    waiting, escalated = (file_appeal(make_refund(make_order(account, Decimal("300.00"))).freezes.get())
                          for _ in range(2))
    agent, supervisor = AgentFactory(), SupervisorFactory()
    review.appeal_claim(appeal_id=escalated.pk, actor=agent)
    review.appeal_escalate(appeal_id=escalated.pk, actor=agent, note="needs a second look")
    masked, full = "138****5678", "13812345678"

    client.force_login(agent)
    queue = client.get(reverse("admin:appeals_appeal_changelist")).content.decode()
    assert masked in queue and full not in queue and waiting.reference in queue
    found = client.get(reverse("admin:appeals_appeal_changelist"), {"q": waiting.reference}).content.decode()
    assert masked in found and full not in found
    page = client.get(reverse("admin:appeals_appeal_change", args=[waiting.pk])).content.decode()
    assert full in page

    client.force_login(supervisor)
    escalations = client.get(reverse("admin:appeals_escalation_changelist")).content.decode()
    assert escalated.reference in escalations and masked in escalations and full not in escalations
    decide.appeal_reject(appeal_id=escalated.pk, actor=supervisor, reason=RejectReason.EVIDENCE_MISSING,
                           message="缺少截图")
    export = client.get(reverse("admin:appeals_decisions_csv"))
    text = b"".join(export.streaming_content).decode()
    assert escalated.reference in text and full not in text and masked not in text


# --- two-factor sign-in for staff -----------------------------------------------------------------

MOMENT = datetime(2026, 12, 3, 10, 0, 1, tzinfo=TZ)  # one second into a 30-second TOTP step


def _token(device, at=None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        totp.time = at.timestamp()
    return f"{totp.token():0{device.digits}d}"


def _wrong_token(device) -> str:
    near = {_token(device, MOMENT + timedelta(seconds=offset)) for offset in range(-90, 91, 30)}
    return next(candidate for candidate in (f"{n:06d}" for n in range(1000000)) if candidate not in near)


def _admin_login(client, user, token, password=PASSWORD):
    return client.post(reverse("admin:login"), {"username": user.username, "password": password, "otp_token": token})


@pytest.fixture
def otp_on(settings):
    settings.STAFF_OTP_REQUIRED = True


@pytest.fixture
def agent_with_device(otp_on):
    agent = AgentFactory()
    return agent, TOTPDevice.objects.create(user=agent, name="phone", confirmed=True)


def test_a_password_only_session_is_sent_to_the_admin_login_for_every_admin_page(
        client, otp_on, django_capture_on_commit_callbacks):
    world = build_world(django_capture_on_commit_callbacks)
    TOTPDevice.objects.create(user=world.agent, name="phone", confirmed=True)
    client.force_login(world.agent)
    login = reverse("admin:login")
    problems = []
    admin_pages = [pattern for pattern in swept_patterns() if pattern.is_admin]
    assert len(admin_pages) > 100
    for pattern in admin_pages:
        response = client.get(_path(pattern, world))
        if response.status_code != 302 or not response["Location"].startswith(login):
            problems.append(f"{pattern.label}: {response.status_code}")
    assert not problems, "\n".join(problems)


def test_password_and_the_right_code_get_in(client, agent_with_device):
    agent, device = agent_with_device
    with time_machine.travel(MOMENT, tick=False):
        response = _admin_login(client, agent, _token(device))
        assert response.status_code == 302, response.content.decode()[-600:]
        assert client.get(reverse("admin:index")).status_code == 200
        assert client.get(reverse("admin:appeals_appeal_changelist")).status_code == 200


@pytest.mark.parametrize("token", ["wrong", "", "12345678", "' OR 1=1 --"])
def test_a_wrong_or_missing_code_does_not_get_in(client, agent_with_device, token):
    agent, device = agent_with_device
    with time_machine.travel(MOMENT, tick=False):
        code = _wrong_token(device) if token == "wrong" else token
        response = _admin_login(client, agent, code)
        assert response.status_code == 200  # the login form again, with an error
        assert response.context["form"].errors
        assert client.get(reverse("admin:index")).status_code == 302


def test_the_right_password_and_code_of_another_staff_member_do_not_mix(client, agent_with_device):
    agent, device = agent_with_device
    other = AgentFactory()
    other_device = TOTPDevice.objects.create(user=other, name="phone", confirmed=True)
    with time_machine.travel(MOMENT, tick=False):
        assert _token(other_device) != _token(device)
        assert _admin_login(client, agent, _token(other_device)).status_code == 200
        assert client.get(reverse("admin:index")).status_code == 302


def test_a_code_cannot_be_used_twice(client, agent_with_device):
    agent, device = agent_with_device
    with time_machine.travel(MOMENT, tick=False):
        code = _token(device)
        assert _admin_login(client, agent, code).status_code == 302
        client.logout()
        assert _admin_login(client, agent, code).status_code == 200  # replayed: refused
        assert client.get(reverse("admin:index")).status_code == 302


def test_wrong_codes_throttle_the_device(client, agent_with_device):
    """django-otp's throttling: after 3 failures the device waits 2**2 seconds, even for the right code."""
    agent, device = agent_with_device
    with time_machine.travel(MOMENT, tick=False):
        for _ in range(3):
            _admin_login(client, agent, _wrong_token(device))
        assert _admin_login(client, agent, _token(device)).status_code == 200
    with time_machine.travel(MOMENT + timedelta(seconds=10), tick=False):
        assert _admin_login(client, agent, _token(device)).status_code == 302


def test_staff_signing_in_on_the_customer_login_still_need_the_code_for_the_admin(client, agent_with_device):
    agent, _device = agent_with_device
    response = _login(client, agent.username, PASSWORD)
    assert response.status_code == 302 and _logged_in(client)
    response = client.get(reverse("admin:appeals_appeal_changelist"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_customers_are_never_asked_for_a_code(client, otp_on):
    customer = CustomerFactory()
    refund_freeze(customer=customer)
    form = client.get(reverse("login")).content.decode()
    assert "otp_token" not in form and "otp_device" not in form
    response = _login(client, customer.username, PASSWORD)
    assert response.status_code == 302 and response["Location"] == resolve_url(settings.LOGIN_REDIRECT_URL)
    assert client.get(reverse("credit-detail")).status_code == 200
    assert client.get(reverse("appeal-list")).status_code == 200


def test_totp_code_command_prints_the_demo_device_s_current_code(client, otp_on):
    agent, _created = demo.ensure_user("agent", roles.AGENT)
    device = TOTPDevice.objects.get(user=agent)
    assert device.key == demo.DEMO_TOTP_KEY
    with time_machine.travel(MOMENT, tick=False):
        out = StringIO()
        call_command("totp_code", "agent", stdout=out)
        code = out.getvalue().strip()
        assert re.fullmatch(r"\d{6}", code)
        assert code == f"{TOTP(bytes.fromhex(demo.DEMO_TOTP_KEY)).token():06d}"
        assert _admin_login(client, agent, code, password=demo.PASSWORD).status_code == 302
    with pytest.raises(CommandError, match="no confirmed TOTP device"):
        call_command("totp_code", CustomerFactory().username, stdout=StringIO())


# --- evidence retention ---------------------------------------------------------------------------


def _stored_names(appeal) -> list[str]:
    return [name for item in appeal.evidence.all() for name in (item.image.name, item.thumbnail.name) if name]


def test_retention_purges_old_files_and_keeps_the_record(client, django_capture_on_commit_callbacks):
    assert settings.EVIDENCE_RETENTION_DAYS == 180
    now = timezone.now()
    agent = AgentFactory()

    def filed(days_ago, outcome):
        with time_machine.travel(now - timedelta(days=days_ago), tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                appeal = file_appeal(refund_freeze())
            if outcome == "rejected":
                review.appeal_claim(appeal_id=appeal.pk, actor=agent)
                decide.appeal_reject(appeal_id=appeal.pk, actor=agent, reason=RejectReason.EVIDENCE_MISMATCH,
                                       message="截图与订单不符")
            elif outcome == "withdrawn":
                submit.appeal_withdraw(appeal_id=appeal.pk, actor=appeal.customer)
        return Appeal.objects.get(pk=appeal.pk)

    old, old_withdrawn = filed(181, "rejected"), filed(181, "withdrawn")
    recent, still_open = filed(179, "rejected"), filed(200, "open")
    assert still_open.state == State.SUBMITTED and old.decided_at < now - timedelta(days=180)
    rows = {item.pk: (item.kind, item.status, item.phash, item.width, item.height, item.original_name)
            for item in Evidence.objects.all()}
    events = {appeal.pk: list(appeal.events.values_list("pk", "transition")) for appeal in Appeal.objects.all()}
    purged_names = _stored_names(old) + _stored_names(old_withdrawn)
    kept_names = _stored_names(recent) + _stored_names(still_open)
    assert len(purged_names) == len(kept_names) == 12 and all(map(private_storage.exists, purged_names))

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.purge_old_evidence.delay().get() == 6

    assert not any(map(private_storage.exists, purged_names))
    assert all(map(private_storage.exists, kept_names))
    for item in Evidence.objects.filter(appeal__in=[old, old_withdrawn]):
        assert not item.image and not item.thumbnail and not item.upload and item.ocr_lines == []
        assert item.purged_at is not None
    for item in Evidence.objects.filter(appeal__in=[recent, still_open]):
        assert item.image and item.thumbnail and item.purged_at is None
    assert {item.pk: (item.kind, item.status, item.phash, item.width, item.height, item.original_name)
            for item in Evidence.objects.all()} == rows
    assert {appeal.pk: list(appeal.events.values_list("pk", "transition")) for appeal in Appeal.objects.all()} == events
    purged_at = dict(Evidence.objects.values_list("pk", "purged_at"))

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.purge_old_evidence.delay().get() == 0  # twice: nothing more, nothing broken
    assert dict(Evidence.objects.values_list("pk", "purged_at")) == purged_at
    assert all(map(private_storage.exists, kept_names))

    # The pages of a purged appeal still work; the images are simply gone.
    client.force_login(old.customer)
    assert client.get(reverse("appeal-detail", args=[old.reference])).status_code == 200
    evidence = old.evidence.first()
    assert client.get(reverse("evidence-image", args=[old.reference, evidence.pk])).status_code == 404
    client.force_login(agent)
    assert client.get(reverse("admin:appeals_appeal_change", args=[old.pk])).status_code == 200


# --- the customer's history export ----------------------------------------------------------------

INTERNAL_NOTE = "internal: same device as the cash-out ring, check account 4471"


def test_history_export_has_only_the_customer_s_appeals_and_the_customer_safe_timeline(client):
    customer, other = CustomerFactory(), CustomerFactory()
    agent, supervisor = AgentFactory(username="agent-wang"), SupervisorFactory(username="supervisor-li")
    account = make_account(Decimal("20000.00"), customer=customer)
    decided, still_open = (file_appeal(make_refund(make_order(account, Decimal("300.00"))).freezes.get())
                           for _ in range(2))
    review.appeal_claim(appeal_id=decided.pk, actor=agent)
    review.appeal_request_info(appeal_id=decided.pk, actor=agent, message="请补充退货物流截图")
    submit.appeal_resubmit(appeal_id=decided.pk, actor=customer, message="已补充", files=[])
    review.appeal_escalate(appeal_id=decided.pk, actor=agent, note=INTERNAL_NOTE)
    decide.appeal_reject(appeal_id=decided.pk, actor=supervisor, reason=RejectReason.EVIDENCE_MISMATCH,
                           message="物流单号与退货记录不符")
    theirs = file_appeal(refund_freeze(customer=other))
    assert AppealEvent.objects.filter(appeal=decided, note=INTERNAL_NOTE).exists()

    response = client.get(reverse("appeal-export"))
    assert response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))

    client.force_login(customer)
    with translation.override("zh-hans"):
        response = client.get(reverse("appeal-export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;") and ".json" in response["Content-Disposition"]
    text = response.content.decode()
    data = json.loads(text)
    assert {item["reference"] for item in data["appeals"]} == {decided.reference, still_open.reference}
    assert theirs.reference not in text and theirs.freeze.refund.order.number not in text
    assert other.username not in text and other.phone not in text
    assert INTERNAL_NOTE not in text and "cash-out ring" not in text
    assert agent.username not in text and supervisor.username not in text
    exported = next(item for item in data["appeals"] if item["reference"] == decided.reference)
    with translation.override("zh-hans"):
        expected = [str(line) for _when, line in selectors.customer_timeline(Appeal.objects.get(pk=decided.pk))]
    assert [line["what"] for line in exported["timeline"]] == expected
    assert any("请补充退货物流截图" in line for line in expected)  # what the customer was told is there
    assert any("物流单号与退货记录不符" in line for line in expected)
    assert exported["state"] == State.REJECTED
    for key in ("risk_level", "risk_rules", "evidence_checks", "assignee", "note"):
        assert key not in exported
