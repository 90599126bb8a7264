"""Authorization sweep: every URL pattern of the project, requested by people who must not see it.

The patterns come from django.urls.get_resolver(), walked recursively (the admin included), so a
URL added later is swept without editing this file. Every parameter of every pattern must be
mapped, by route prefix and parameter name in PARAMETERS (admin object ids by the model's own pk
through ADMIN_OBJECTS), to an object of customer A; a pattern that cannot be mapped fails
test_every_pattern_with_a_parameter_is_mapped, naming it. Patterns left out on purpose are in
SKIPPED with the reason.

Who asks, and what they must get:
- anonymous, on every pattern that takes an object: a redirect to a login page, never the object;
- customer B, on A's customer pages: 404 (or 403/405/a redirect), never A's reference, order
  number, name or phone, in the body or the headers;
- a customer, on every admin URL: a redirect to the admin login;
- an agent, on admin pages of models agents may not view (escalations, audit samples and verdicts,
  users, devices, ...) and the supervisors' dashboard and export: 403.
Positive controls first show that each URL does reach A's object (A sees their pages; a superuser
finds the admin object), so that a 404 for B means "refused", not "wrong URL"."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import resolve_url
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from accounts.models import CalendarException, CreditAccount
from accounts.services import ledger
from accounts.tests.factories import (
    AgentFactory,
    CustomerFactory,
    SupervisorFactory,
    UserFactory,
    make_account,
    make_order,
    make_refund,
)
from appeals.models import (
    Appeal,
    AuditSample,
    AuditVerdict,
    CannedReply,
    Evidence,
    EvidenceAccess,
    Notification,
    RejectReason,
    State,
)
from appeals.tests.factories import file_appeal, refund_freeze
from appeals.workflow import audit, decide, review, reviews
from config.second_factor import OPEN_VIEWS
from events.models import Event
from integrations.models import ApiClient, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

# --- the patterns ---------------------------------------------------------------------------------

ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")
REGEX_PARAM = re.compile(r"\(\?P<(?P<name>\w+)>[^()]*\)")


@dataclass(frozen=True)
class Pattern:
    route: str  # the full route, resolvers' prefixes included (regex parts as written)
    name: str | None  # namespaced: "admin:appeals_appeal_change"
    namespace: str
    callback: Callable

    @property
    def label(self) -> str:
        return f"{self.route!r} (name={self.name})"

    @property
    def params(self) -> list[str]:
        regex_params = [m["name"] for m in REGEX_PARAM.finditer(self.route)]
        return [m["name"] for m in ROUTE_PARAM.finditer(REGEX_PARAM.sub("", self.route))] + regex_params

    @property
    def is_admin(self) -> bool:
        return self.namespace.split(":")[0] == "admin"


def project_patterns() -> list[Pattern]:
    """Every URL pattern of the project, found by walking the root resolver recursively."""

    def walk(resolver, prefix, namespace):
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                yield from walk(entry, route, ":".join(filter(None, [namespace, entry.namespace])))
            else:
                name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
                yield Pattern(route, name, namespace, entry.callback)

    return list(walk(get_resolver(), "", ""))


# Left out on purpose: Django's own views that take no object of ours.
SKIPPED = {
    "set_language": "Django's i18n language switch (i18n/setlang/): public, takes no object",
    "login": "the customer login form: public by design (lockout tests: test_security.py)",
    "logout": "logging out: takes no object",
    "admin:login": "the admin login form: public by design (two-factor tests: test_security.py)",
    "admin:logout": "logging out of the admin: takes no object",
    "admin:password_change": "Django's admin password view: the signed-in user's own password",
    "admin:password_change_done": "Django's admin password view: a confirmation page",
    "admin:auth_user_password_change": "Django's admin password view for a user (UserAdmin's own view, "
                                       "superusers only; Django's tests cover it)",
}
SKIPPED_ROUTE_PREFIXES = {
    "static/": "static files (staticfiles' view, only with DEBUG): public assets, no objects",
    "media/": "public media (only with DEBUG): evidence is in private storage, never here",
    "__debug__/": "the debug toolbar (development only)",
    "api/v1/": "the platform API: bearer keys, not sessions; swept by integrations/tests/test_authorization_matrix.py",
}


def skip_reason(pattern: Pattern) -> str | None:
    if pattern.name in SKIPPED:
        return SKIPPED[pattern.name]
    return next((reason for prefix, reason in SKIPPED_ROUTE_PREFIXES.items() if pattern.route.startswith(prefix)),
                None)


# --- parameters → customer A's objects -------------------------------------------------------------

ADMIN_OBJECT = object()  # "the admin model's own pk": the model is read from the route


def _admin_prefix() -> str:
    return reverse("admin:index").lstrip("/")


# (route prefix, parameter, value). The first entry whose prefix starts the route and whose
# parameter matches wins: put specific prefixes first.
PARAMETERS = [
    ("credit/freezes/", "pk", lambda w: w.freeze.pk),
    ("reviews/", "code", lambda w: w.review.reference),
    ("appeals/new/", "freeze_id", lambda w: w.freeze.pk),
    ("appeals/<str:reference>/evidence/", "pk", lambda w: w.evidence.pk),
    ("appeals/", "reference", lambda w: w.appeal.reference),
    ("admin/appeals/appeal/evidence/", "pk", lambda w: w.evidence.pk),
    ("admin/appeals/appeal/<int:pk>/clock/", "pk", lambda w: w.appeal.pk),
    ("admin/otp_totp/totpdevice/", "pk", lambda w: w.device.pk),
    ("admin/appeals/appeal/", "transition_name", lambda w: "reject"),
    ("admin/r/", "content_type_id", lambda w: ContentType.objects.get_for_model(Appeal).pk),
    ("admin/r/", "object_id", lambda w: w.appeal.pk),
    ("admin/", "object_id", ADMIN_OBJECT),
    ("admin/", "app_label", lambda w: "appeals"),
    ("admin/", "url", lambda w: f"appeals/appeal/{w.appeal.pk}"),  # the admin's catch-all (no trailing slash)
]

# Admin model (app_label.model_name) → customer A's instance (or, for models nobody owns, one row).
ADMIN_OBJECTS = {
    "auth.group": lambda w: Group.objects.get(name=roles.CUSTOMER),
    "otp_totp.totpdevice": lambda w: w.device,
    "axes.accessattempt": lambda w: w.access_attempt,
    "axes.accesslog": lambda w: w.access_log,
    "axes.accessfailurelog": lambda w: w.access_failure,
    "accounts.user": lambda w: w.owner,
    "accounts.creditaccount": lambda w: w.account,
    "accounts.order": lambda w: w.freeze.refund.order,
    "accounts.refund": lambda w: w.freeze.refund,
    "accounts.freeze": lambda w: w.freeze,
    "accounts.ledgerentry": lambda w: w.account.ledger_entries.order_by("pk").first(),
    "accounts.accountstatuschange": lambda w: w.account.status_changes.order_by("pk").first(),
    "accounts.calendarexception": lambda w: w.calendar_exception,
    "appeals.appeal": lambda w: w.appeal,
    "appeals.escalation": lambda w: w.escalated,
    "appeals.auditsample": lambda w: w.sample,
    "appeals.auditverdict": lambda w: w.verdict,
    "appeals.appealevent": lambda w: w.appeal.events.order_by("pk").first(),
    "appeals.review": lambda w: w.review,
    "appeals.cannedreply": lambda w: CannedReply.objects.get_or_create(
        use="reject", name="sweep", defaults={"text_zh": "订单 {order_number}", "text_en": "order {order_number}"})[0],
    "appeals.notification": lambda w: Notification.objects.filter(user=w.owner).order_by("pk").first(),
    "appeals.evidence": lambda w: w.evidence,
    "appeals.evidenceaccess": lambda w: w.access,
    "events.event": lambda w: w.delivery.event,
    "integrations.apiclient": lambda w: w.delivery.api_client,
    "integrations.webhookendpoint": lambda w: w.delivery.endpoint,
    "integrations.webhookdelivery": lambda w: w.delivery,
}

# Admin pages that are not a model's but are for supervisors only (appeals/admin_dashboard.py).
SUPERVISOR_ONLY_VIEWS = {"admin:appeals_dashboard", "admin:appeals_decisions_csv"}

# Escalations redirect to the appeal page, but only after checking the supervisor's permission.
ESCALATION_ROUTES = ["admin/appeals/escalation/<path:object_id>/change/", "admin/appeals/escalation/<path:object_id>/"]

# Admin routes whose positive control cannot find the object, with why.
NO_POSITIVE_CONTROL = {
    "admin/r/<path:content_type_id>/<path:object_id>/": "view_on_site: no model here has get_absolute_url, so "
                                                        "Django answers 404 for every object",
}

# Admin routes whose positive control may answer something else than the usual codes, with why.
POSITIVE_CONTROL_ALSO = {
    "admin/otp_totp/totpdevice/<int:pk>/qrcode/": (503, "django-otp answers 503 after finding the device when the "
                                                        "optional qrcode package is not installed"),
}


class Unmapped(Exception):
    pass


def admin_model(pattern: Pattern):
    """The model whose ModelAdmin serves this admin route, or None."""
    if not pattern.is_admin:
        return None
    for model in admin.site._registry:
        if pattern.route.startswith(f"{_admin_prefix()}{model._meta.app_label}/{model._meta.model_name}/"):
            return model
    return None


def mapping_for(pattern: Pattern) -> dict:
    """Parameter → function of the world giving its value; Unmapped names what is missing."""
    getters = {}
    for param in pattern.params:
        for prefix, name, value in PARAMETERS:
            if name == param and pattern.route.startswith(prefix):
                getter = value
                break
        else:
            raise Unmapped(f"{pattern.label}: no PARAMETERS entry for <{param}> (add a route prefix and the object "
                           f"of customer A it addresses)")
        if getter is ADMIN_OBJECT:
            model = admin_model(pattern)
            if model is None or model._meta.label_lower not in ADMIN_OBJECTS:
                label = model._meta.label_lower if model else "no registered model"
                raise Unmapped(f"{pattern.label}: admin object of {label}: add it to ADMIN_OBJECTS")
            getter = _admin_pk(model._meta.label_lower)
        getters[param] = getter
    return getters


def _admin_pk(label: str):
    return lambda w: ADMIN_OBJECTS[label](w).pk


def _normalised(route: str) -> str:
    return route.replace("^", "")


def url_for(pattern: Pattern, world) -> str:
    """The URL of this pattern for customer A's object; checked to resolve back to the same pattern."""
    values = {param: getter(world) for param, getter in mapping_for(pattern).items()}
    path = REGEX_PARAM.sub(lambda m: "\0" + m["name"] + "\0", pattern.route)  # regex groups first: they contain <…>
    path = ROUTE_PARAM.sub(lambda m: quote(str(values[m["name"]]), safe="/"), path)
    path = re.sub("\0(\\w+)\0", lambda m: str(values[m[1]]), path)
    path = "/" + path.replace("^", "").replace("$", "")
    match = resolve(path)
    assert match.func is pattern.callback and _normalised(match.route) == _normalised(pattern.route), (
        f"{pattern.label}: built {path}, which resolves to {match.route!r}")
    return path


def swept_patterns() -> list[Pattern]:
    return [pattern for pattern in project_patterns() if skip_reason(pattern) is None]


def object_patterns() -> list[Pattern]:
    """The swept patterns that take an object id or reference (any parameter)."""
    return [pattern for pattern in swept_patterns() if pattern.params]


# --- customer A's world ---------------------------------------------------------------------------


def build_world(capture_on_commit) -> SimpleNamespace:
    """Customer A with a freeze and an open appeal whose screenshots are cleaned, a decided appeal
    with its audit sample and verdict, an escalated appeal, a TOTP device, axes rows and a status
    change; customer B with their own appeal; an agent, a supervisor and a superuser."""
    w = SimpleNamespace()
    w.agent = AgentFactory(username="sweep-agent")
    w.supervisor = SupervisorFactory(username="sweep-supervisor")
    w.superuser = UserFactory(username="sweep-root", is_staff=True, is_superuser=True)
    w.owner = CustomerFactory(username="alice-owner", phone="13912340001")
    w.account = make_account(Decimal("20000.00"), customer=w.owner)
    freezes = [make_refund(make_order(w.account, Decimal("599.00"))).freezes.get() for _ in range(3)]
    w.freeze = freezes[0]
    w.other = CustomerFactory(username="bob-other", phone="13700009999")
    with capture_on_commit(execute=True):
        w.appeal = file_appeal(freezes[0])
        w.decided = file_appeal(freezes[1])
        w.escalated = file_appeal(freezes[2])
        w.other_appeal = file_appeal(refund_freeze(customer=w.other))
    w.evidence = w.appeal.evidence.order_by("pk").first()
    assert w.evidence.status == Evidence.Status.READY
    review.appeal_claim(appeal_id=w.decided.pk, actor=w.agent)
    decide.appeal_reject(appeal_id=w.decided.pk, actor=w.agent, reason=RejectReason.EVIDENCE_MISMATCH,
                           message="截图与订单不符")
    w.review = reviews.review_request(customer=w.owner, appeal_id=w.decided.pk, reason="sweep: 请复核", files=[])
    review.appeal_claim(appeal_id=w.escalated.pk, actor=w.agent)
    review.appeal_escalate(appeal_id=w.escalated.pk, actor=w.agent, note="internal: looks like a cash-out ring")
    audit.audit_sample_day(day=timezone.localdate())
    w.sample = AuditSample.objects.get(appeal=w.decided)
    w.verdict = audit.audit_record_verdict(sample_id=w.sample.pk, supervisor=w.supervisor,
                                              verdict=AuditVerdict.Verdict.CONFIRMED)
    w.device = TOTPDevice.objects.create(user=w.owner, name="alice phone", confirmed=True)
    seen = {"username": w.owner.username, "ip_address": "10.9.8.7", "user_agent": "sweep", "http_accept": "*/*",
            "path_info": "/login/"}
    w.access_attempt = AccessAttempt.objects.create(**seen, get_data="", post_data="", failures_since_start=1)
    w.access_log = AccessLog.objects.create(**seen)
    w.access_failure = AccessFailureLog.objects.create(**seen, locked_out=False)
    ledger.account_set_status(account=w.account, status=CreditAccount.Status.RESTRICTED, note="sweep")
    ledger.account_set_status(account=w.account, status=CreditAccount.Status.ACTIVE, note="sweep")
    w.calendar_exception = CalendarException.objects.create(date=date(2031, 1, 2), kind="day_off", note="sweep")
    w.delivery = _a_delivery(w.account)
    w.access = EvidenceAccess.objects.create(viewer=w.agent, role=roles.AGENT, what=EvidenceAccess.What.IMAGE,
                                             appeal=w.appeal, evidence=w.evidence, address="10.1.2.3")
    orders = [f.refund.order.number for f in freezes]
    # What customer A's objects give away: none of it may reach anyone else.
    w.secrets = [w.owner.username, w.owner.phone, w.appeal.reference, w.decided.reference, w.escalated.reference,
                 w.review.reference, *orders]
    assert not any(secret in str(w.other_appeal.reference) for secret in w.secrets)
    assert Appeal.objects.get(pk=w.escalated.pk).state == State.ESCALATED
    return w


def _a_delivery(account) -> WebhookDelivery:
    """An API client, and a webhook delivery of one of customer A's events (the endpoint inactive)."""
    client = ApiClient(name="sweep-mall", scopes=["read"])
    client.set_new_key()
    client.save()
    endpoint = WebhookEndpoint.objects.create(name="sweep-hook", url="http://127.0.0.1:9/hook", is_active=False)
    event = Event.objects.filter(account_id=account.pk).order_by("pk").first()
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event=event, position=event.pk,
                                              account_id=account.pk)
    delivery.api_client = client
    return delivery


def snapshot(w) -> dict:
    """What a refused request must leave unchanged."""
    return {
        "appeals": sorted(Appeal.objects.filter(customer=w.owner).values_list("reference", "state", "assignee_id")),
        "evidence": sorted(Evidence.objects.filter(appeal__customer=w.owner).values_list("pk", "status")),
        "verdicts": AuditVerdict.objects.count(),
        "events": w.appeal.events.count() + w.decided.events.count() + w.escalated.events.count(),
        "admin objects": sorted((label, getter(w).pk) for label, getter in ADMIN_OBJECTS.items()),
        "user": (w.owner.username, w.owner.is_staff, w.owner.is_superuser, w.owner.password),
    }


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    return build_world(django_capture_on_commit_callbacks)


# --- helpers --------------------------------------------------------------------------------------


def everything_in(response) -> str:
    """Body and headers, as text. A file response is read out, which also closes it (the test client's
    wrapper does that with the database connection kept open: do not call close() again)."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "\n".join(f"{key}: {value}" for key, value in response.items())
    return content.decode("utf-8", errors="replace") + "\n" + headers


def leaked(response, secrets, url="") -> list[str]:
    """The secrets found in the response, leaving out the echo of the URL asked for (the login
    redirect's ?next=): the asker typed that reference themselves."""
    text = everything_in(response)
    for echo in filter(None, {url, quote(url)}):
        text = text.replace(echo, "")
    return [secret for secret in secrets if secret in text]


def login_paths() -> set[str]:
    return {resolve_url(settings.LOGIN_URL), reverse("admin:login")}


def is_login_redirect(response, paths=None) -> bool:
    return response.status_code == 302 and urlsplit(response["Location"]).path in (paths or login_paths())


def _agent_forbidden(pattern: Pattern, agent_perms: set) -> bool:
    if pattern.name in SUPERVISOR_ONLY_VIEWS:
        return True
    model = admin_model(pattern)
    if model is None:
        return False
    label, name = model._meta.app_label, model._meta.model_name
    return not {(label, f"view_{name}"), (label, f"change_{name}")} & agent_perms


def agent_forbidden_patterns() -> list[Pattern]:
    perms = set(Permission.objects.filter(group__name=roles.AGENT).values_list("content_type__app_label", "codename"))
    return [pattern for pattern in swept_patterns() if pattern.is_admin and _agent_forbidden(pattern, perms)]


# --- the sweep ------------------------------------------------------------------------------------


def test_every_pattern_with_a_parameter_is_mapped():
    """A new URL with an object parameter fails here until PARAMETERS (or ADMIN_OBJECTS) maps it."""
    unmapped = []
    for pattern in object_patterns():
        try:
            mapping_for(pattern)
        except Unmapped as exc:
            unmapped.append(str(exc))
    assert not unmapped, "URL patterns the authorization sweep cannot map:\n" + "\n".join(unmapped)


def test_the_walk_finds_the_project_s_urls_and_the_skips_are_real():
    patterns = project_patterns()
    names = {pattern.name for pattern in patterns}
    assert {"freeze-detail", "appeal-create", "appeal-detail", "appeal-withdraw", "evidence-image",
            "admin:appeals_appeal_change", "admin:appeals_auditsample_change", "admin:appeals_escalation_change",
            "admin:appeals_evidence_annotated"} <= names
    assert len(object_patterns()) > 80
    assert set(SKIPPED) <= names, set(SKIPPED) - names  # a stale skip would hide nothing, but misleads
    routes = {pattern.route for pattern in patterns}
    assert set(ESCALATION_ROUTES) | set(NO_POSITIVE_CONTROL) | set(POSITIVE_CONTROL_ALSO) <= routes
    assert all(len(reason) > 20 for reason in [*SKIPPED.values(), *SKIPPED_ROUTE_PREFIXES.values()])


def test_the_urls_reach_customer_a_s_objects(client, world):
    """Positive control: the owner opens their pages, a superuser finds each admin object."""
    client.force_login(world.owner)
    for pattern in object_patterns():
        if pattern.is_admin:
            continue
        response = client.get(url_for(pattern, world))
        assert response.status_code in (200, 302, 405), (pattern.label, response.status_code)
        if response.status_code == 302:
            assert not is_login_redirect(response), pattern.label
        everything_in(response)
    client.force_login(world.superuser)
    index = reverse("admin:index")
    for pattern in object_patterns():
        if not pattern.is_admin or pattern.route in NO_POSITIVE_CONTROL:
            continue
        response = client.get(url_for(pattern, world))
        also = POSITIVE_CONTROL_ALSO.get(pattern.route, (None, ""))[0]
        assert response.status_code in (200, 301, 302, 400, 403, also), (pattern.label, response.status_code)
        if response.status_code in (301, 302):  # the admin redirects to its index when the object is missing
            assert response["Location"] != index and not is_login_redirect(response), pattern.label


def test_anonymous_is_sent_to_a_login_page(client, world):
    before = snapshot(world)
    problems = []
    for pattern in object_patterns():
        url = url_for(pattern, world)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if not is_login_redirect(response):
                problems.append(f"{method.upper()} {url} {pattern.label}: {response.status_code}")
            if secrets := leaked(response, world.secrets, url):
                problems.append(f"{method.upper()} {url}: shows {secrets}")
    assert not problems, "\n".join(problems)
    assert snapshot(world) == before


def test_customer_b_never_gets_customer_a_s_objects(client, world):
    client.force_login(world.other)
    before = snapshot(world)
    problems = []
    for pattern in object_patterns():
        url = url_for(pattern, world)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if pattern.is_admin:
                ok = is_login_redirect(response, {reverse("admin:login")})
            else:
                ok = response.status_code in (302, 403, 404, 405) and not is_login_redirect(response)
            if not ok:
                problems.append(f"{method.upper()} {url} {pattern.label}: {response.status_code}")
            if secrets := leaked(response, world.secrets, url):
                problems.append(f"{method.upper()} {url}: shows {secrets}")
    assert not problems, "\n".join(problems)
    assert snapshot(world) == before


def test_customer_b_cannot_reach_a_s_evidence_under_their_own_reference(client, world):
    client.force_login(world.other)
    for name in ("evidence-image", "evidence-thumb"):
        response = client.get(reverse(name, args=[world.other_appeal.reference, world.evidence.pk]))
        assert response.status_code == 404
        assert not leaked(response, world.secrets)


def test_a_customer_is_sent_to_the_admin_login_for_every_admin_url(client, world):
    client.force_login(world.other)
    before = snapshot(world)
    problems = []
    admin_patterns = [pattern for pattern in swept_patterns() if pattern.is_admin]
    assert len(admin_patterns) > 100
    for pattern in admin_patterns:
        url = url_for(pattern, world)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if not is_login_redirect(response, {reverse("admin:login")}):
                problems.append(f"{method.upper()} {url} {pattern.label}: {response.status_code}")
            if secrets := leaked(response, world.secrets, url):
                problems.append(f"{method.upper()} {url}: shows {secrets}")
    assert not problems, "\n".join(problems)
    assert snapshot(world) == before


def test_an_agent_gets_403_on_supervisor_and_superuser_pages(client, world):
    forbidden = agent_forbidden_patterns()
    routes = {pattern.route for pattern in forbidden}
    for model in ("escalation", "auditsample", "auditverdict", "review", "cannedreply"):
        assert f"admin/appeals/{model}/" in routes and f"admin/appeals/{model}/<path:object_id>/change/" in routes
    client.force_login(world.supervisor)  # the pages work for supervisors: the 403 below is a refusal
    for name in ("admin:appeals_escalation_changelist", "admin:appeals_auditsample_changelist",
                 "admin:appeals_auditverdict_changelist", "admin:appeals_dashboard"):
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("admin:appeals_auditsample_change", args=[world.sample.pk])).status_code == 200

    client.force_login(world.agent)
    before = snapshot(world)
    problems = []
    for pattern in forbidden:
        url = url_for(pattern, world)
        for method in ("get", "post"):
            response = getattr(client, method)(url, follow=True)
            if response.status_code != 403:
                problems.append(f"{method.upper()} {url} {pattern.label}: {response.status_code} "
                                f"via {response.redirect_chain}")
    assert not problems, "\n".join(problems)
    assert snapshot(world) == before


def test_agent_gets_403_on_an_escalation_page(client, world):
    client.force_login(world.agent)
    for route in ESCALATION_ROUTES:
        pattern = next(p for p in swept_patterns() if p.route == route)
        assert client.get(url_for(pattern, world), follow=True).status_code == 403, route


def test_an_agent_s_valid_verdict_post_is_403_and_records_nothing(client, world):
    """The sweep posts empty forms; a well-formed verdict must be refused by the page too, not only
    by the service behind it."""
    other_sample = _second_sample(world)
    client.force_login(world.agent)
    response = client.post(reverse("admin:appeals_auditsample_change", args=[other_sample.pk]),
                           {"verdict": AuditVerdict.Verdict.OVERTURNED, "note": "agent says so"})
    assert response.status_code == 403
    assert not AuditVerdict.objects.filter(sample=other_sample).exists()
    assert Appeal.objects.get(pk=other_sample.appeal_id).state == State.REJECTED


def _second_sample(world) -> AuditSample:
    """A sampled rejection still waiting for its verdict."""
    appeal = file_appeal(refund_freeze(customer=CustomerFactory()))
    review.appeal_claim(appeal_id=appeal.pk, actor=world.agent)
    decide.appeal_reject(appeal_id=appeal.pk, actor=world.agent, reason=RejectReason.EVIDENCE_MISSING,
                           message="缺少截图")
    event = appeal.events.get(transition="reject")
    return AuditSample.objects.create(event=event, appeal=appeal, decided_by=world.agent,
                                      decided_on=timezone.localdate(), reason=AuditSample.Reason.SAMPLED)


# --- staff who signed in with the password alone ----------------------------------------------------


def _any_path(pattern: Pattern, world) -> str:
    return url_for(pattern, world) if pattern.params else reverse(pattern.name)


@pytest.mark.parametrize("who", ["agent", "supervisor", "superuser"])
def test_staff_with_the_password_only_are_sent_to_the_staff_login_for_every_url(client, world, settings, who):
    """The second factor guards every page, not only /admin/: customer pages, evidence files and the
    API docs alike send a staff session without a verified TOTP code to the staff login."""
    settings.STAFF_OTP_REQUIRED = True
    staff = getattr(world, who)
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    client.force_login(staff)  # a session from /login/: password checked, no code
    before = snapshot(world)
    login = reverse("admin:login")
    open_to_all = {"healthz", "readyz"}  # the health checks: no data, no login (config/health.py)
    assert open_to_all <= OPEN_VIEWS
    urls = [_any_path(pattern, world) for pattern in swept_patterns() if pattern.name not in open_to_all]
    urls.append(reverse("api-v1:openapi-view"))
    assert {reverse("evidence-image", args=[world.appeal.reference, world.evidence.pk]),
            reverse("appeal-detail", args=[world.appeal.reference])} <= set(urls)
    problems = []
    for url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if not is_login_redirect(response, {login}):
                problems.append(f"{method.upper()} {url}: {response.status_code}")
            if secrets := leaked(response, world.secrets, url):
                problems.append(f"{method.upper()} {url}: shows {secrets}")
    assert not problems, "\n".join(problems)
    assert snapshot(world) == before


def test_verified_staff_still_read_customer_evidence(client, world, settings):
    """The positive control of the row above: with the code verified the same agent gets the files."""
    settings.STAFF_OTP_REQUIRED = True
    device = TOTPDevice.objects.create(user=world.agent, name="phone", confirmed=True)
    client.force_login(world.agent)
    session = client.session
    session["otp_device_id"] = device.persistent_id  # what django_otp.login() stores after a right code
    session.save()
    for name in ("evidence-image", "evidence-thumb"):
        response = client.get(reverse(name, args=[world.appeal.reference, world.evidence.pk]))
        assert response.status_code == 200, name
        everything_in(response)
    assert client.get(reverse("appeal-detail", args=[world.appeal.reference])).status_code == 200
    assert client.get(reverse("api-v1:openapi-view")).status_code == 200
