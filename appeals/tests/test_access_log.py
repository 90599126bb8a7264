"""The evidence access log: every staff view of a screenshot, thumbnail or annotated page and every
export is written (who, when, from where, what; no image bytes), supervisors read it in the admin,
customers read in their history download that staff looked (role and time, no name), the rows are
append-only in the database and purged only past 6 months."""

import json
from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AgentFactory, SupervisorFactory
from appeals import access_log, tasks
from appeals.models import Evidence, EvidenceAccess
from appeals.tests.factories import file_appeal

pytestmark = pytest.mark.django_db


@pytest.fixture
def appeal(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appeal = file_appeal()
    assert set(appeal.evidence.values_list("status", flat=True)) == {Evidence.Status.READY}
    return appeal


def test_staff_views_and_exports_are_logged_and_the_owner_s_own_views_are_not(client, appeal):
    evidence = appeal.evidence.order_by("pk").first()
    agent, supervisor = AgentFactory(username="zhao-agent"), SupervisorFactory(username="qian-supervisor")
    client.force_login(agent)
    for name in ("evidence-image", "evidence-thumb"):
        assert client.get(reverse(name, args=[appeal.reference, evidence.pk]), REMOTE_ADDR="198.51.100.7"
                          ).status_code == 200
    assert client.get(reverse("admin:appeals_evidence_annotated", args=[evidence.pk]),
                      REMOTE_ADDR="198.51.100.7").status_code == 200
    client.force_login(supervisor)
    assert client.get(reverse("admin:appeals_decisions_csv"), REMOTE_ADDR="203.0.113.20").status_code == 200
    client.force_login(appeal.customer)
    client.get(reverse("evidence-image", args=[appeal.reference, evidence.pk]))  # the owner: not logged
    export = client.get(reverse("appeal-export"))

    rows = list(EvidenceAccess.objects.order_by("pk").values_list("viewer__username", "role", "what", "appeal_id",
                                                                  "evidence_id", "address"))
    assert rows == [
        ("zhao-agent", "agent", "image", appeal.pk, evidence.pk, "198.51.100.7"),
        ("zhao-agent", "agent", "thumbnail", appeal.pk, evidence.pk, "198.51.100.7"),
        ("zhao-agent", "agent", "annotated", appeal.pk, evidence.pk, "198.51.100.7"),
        ("qian-supervisor", "supervisor", "decisions_csv", None, None, "203.0.113.20"),
        (appeal.customer.username, "customer", "history_json", None, None, "127.0.0.1"),
    ]
    views = json.loads(export.content)["appeals"][0]["evidence_viewed_by_staff"]
    assert [(view["role"], view["what"]) for view in views] == [("agent", "image"), ("agent", "thumbnail"),
                                                                ("agent", "annotated")]
    assert "zhao-agent" not in export.content.decode()  # the role and the time, not the name


def test_supervisors_read_the_log_per_appeal_and_per_staff_member_agents_do_not(client, appeal):
    evidence = appeal.evidence.order_by("pk").first()
    agent, other = AgentFactory(username="sun-agent"), AgentFactory(username="zhou-agent")
    for viewer in (agent, other):
        client.force_login(viewer)
        client.get(reverse("evidence-image", args=[appeal.reference, evidence.pk]))
    changelist = reverse("admin:appeals_evidenceaccess_changelist")
    client.force_login(SupervisorFactory())
    def listed(query):
        return {row.viewer.username for row in client.get(changelist, query).context["cl"].result_list}

    assert listed({"q": appeal.reference}) == {"sun-agent", "zhou-agent"}  # per appeal
    assert listed({"viewer__id__exact": agent.pk}) == {"sun-agent"}  # per staff member
    row = EvidenceAccess.objects.first()
    page = client.get(reverse("admin:appeals_evidenceaccess_change", args=[row.pk])).content.decode()
    assert 'name="_save"' not in page  # read-only
    client.force_login(agent)
    assert client.get(changelist).status_code == 403


def _row(appeal, days_ago: int) -> EvidenceAccess:
    """A row written `days_ago` (the database's clock decides what the trigger lets go, so no time travel)."""
    return EvidenceAccess.objects.create(viewer=AgentFactory(), role="agent", what="image", appeal=appeal,
                                         created_at=timezone.now() - timedelta(days=days_ago))


def test_rows_are_append_only_in_the_database(appeal):
    row = EvidenceAccess.objects.create(viewer=AgentFactory(), role="agent", what="image", appeal=appeal)
    for statement in (lambda: EvidenceAccess.objects.filter(pk=row.pk).update(address="10.0.0.1"),
                      lambda: EvidenceAccess.objects.filter(pk=row.pk).delete()):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            statement()
    assert EvidenceAccess.objects.filter(pk=row.pk, address=None).exists()


def test_the_beat_job_purges_rows_older_than_the_retention_and_keeps_six_months(appeal):
    old = _row(appeal, days_ago=200)
    kept = _row(appeal, days_ago=150)
    assert tasks.purge_old_access_log() == 1
    assert not EvidenceAccess.objects.filter(pk=old.pk).exists()
    assert EvidenceAccess.objects.filter(pk=kept.pk).exists()
    # A shorter setting cannot delete younger rows: the database keeps six months whatever the settings say.
    with (override_settings(ACCESS_LOG_RETENTION_DAYS=30), pytest.raises(DatabaseError, match="append-only"),
          transaction.atomic()):
        access_log.access_log_purge()
    assert EvidenceAccess.objects.filter(pk=kept.pk).exists()
