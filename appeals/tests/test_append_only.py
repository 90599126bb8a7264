"""The transition log (AppealEvent), the audit verdicts and the reviews' timelines are append-only
in the database itself (accounts/immutable.py, migrations appeals/0024 and 0026): UPDATE and DELETE
are refused however they arrive, on SQLite and PostgreSQL alike, while inserting goes on and the
test suite's flush still works."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from accounts.tests.factories import AgentFactory, SupervisorFactory
from appeals.models import AppealEvent, AuditSample, AuditVerdict, RejectReason
from appeals.tests.factories import file_appeal
from appeals.workflow import audit, decide, review, reviews

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    agent, supervisor = AgentFactory(), SupervisorFactory()
    appeal = file_appeal()
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    decide.appeal_reject(appeal_id=appeal.pk, actor=agent, reason=RejectReason.EVIDENCE_MISMATCH, message="不符")
    event = appeal.events.get(transition="reject")
    sample = AuditSample.objects.create(event=event, appeal=appeal, decided_by=agent,
                                        decided_on=timezone.localdate(), reason=AuditSample.Reason.SAMPLED)
    verdict = audit.audit_record_verdict(sample_id=sample.pk, supervisor=supervisor,
                                         verdict=AuditVerdict.Verdict.CONFIRMED)
    asked = reviews.review_request(customer=appeal.customer, appeal_id=appeal.pk, reason="请复核", files=[])
    return {"event": appeal.events.get(transition="submit"), "verdict": verdict,  # nothing protects the first
            "review_event": asked.events.get()}


MESSAGES = {"event": "appeal events are append-only", "verdict": "audit verdicts are append-only",
            "review_event": "review events are append-only"}
FIELDS = {"event": "note", "verdict": "note", "review_event": "note"}


def _refused(row, message, statement):
    model = type(row)
    before, count = model_to_dict(model.objects.get(pk=row.pk)), model.objects.count()
    with pytest.raises(DatabaseError, match=message), transaction.atomic():
        statement()
    assert model_to_dict(model.objects.get(pk=row.pk)) == before and model.objects.count() == count


@pytest.mark.parametrize("which", ["event", "verdict", "review_event"])
def test_update_and_delete_are_refused_by_the_database(rows, which):
    row, message, field = rows[which], MESSAGES[which], FIELDS[which]
    model, table = type(row), type(row)._meta.db_table
    _refused(row, message, lambda: model.objects.filter(pk=row.pk).update(**{field: "edited"}))
    _refused(row, message, lambda: model.objects.update(**{field: "edited"}))

    def save():
        setattr(row, field, "edited")
        row.save()

    _refused(row, message, save)
    # The ORM may refuse first, for a row others point at (a notification's event): refused all the same.
    _refused(row, f"{message}|protected foreign keys", lambda: model.objects.filter(pk=row.pk).delete())

    def raw(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql, [row.pk])

    _refused(row, message, lambda: raw(f"UPDATE {table} SET {field} = 'x' WHERE id = %s"))  # noqa: S608
    _refused(row, message, lambda: raw(f"DELETE FROM {table} WHERE id = %s"))  # noqa: S608


def test_new_rows_still_go_in(rows):
    before = AppealEvent.objects.count()
    appeal = file_appeal()
    assert AppealEvent.objects.count() == before + 1 and appeal.events.count() == 1
