"""Schemathesis against the live OpenAPI schema: the `st` command line, run against this test's live
server with a real key, tries every operation with data drawn from the schema, valid and invalid
(examples, coverage and fuzzing phases). Every response must be documented and conform to its
schema; no 5xx; the ledger is clean afterwards. ST_MAX_EXAMPLES (default 25) sets how hard it tries."""

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from accounts.selectors import ledger_mismatches
from accounts.tests.factories import CustomerFactory, make_account, make_order, make_refund
from appeals.models import Appeal
from appeals.tests.factories import file_appeal
from integrations.schemas import DEMO_CUSTOMER, DEMO_REFUND

from .conftest import make_client

pytestmark = pytest.mark.django_db(transaction=True)
ST = Path(sys.executable).with_name("st")
ROOT = Path(__file__).resolve().parents[2]


def test_schemathesis_finds_no_server_error_and_no_schema_violation(live_server, tmp_path):
    _client, key = make_client("schemathesis", rate_limit_per_minute=100_000)
    account = make_account(Decimal("50000.00"), customer=CustomerFactory(external_id=DEMO_CUSTOMER))
    order = make_order(account, Decimal("599.00"), platform="food_delivery")
    refund = make_refund(order, platform_refund_id=DEMO_REFUND, platform_synced=False)
    appeal = file_appeal(refund.freezes.get())
    Appeal.objects.filter(pk=appeal.pk).update(reference="AP20261127-7F3K")  # the schema's example
    command = [str(ST), "run", f"{live_server.url}/api/v1/openapi.json", "--url", live_server.url,
               "-H", f"Authorization: Bearer {key}", "--phases", "examples,coverage,fuzzing",
               "--checks", "all", "--exclude-checks", "positive_data_acceptance,use_after_free,"
               "ensure_resource_availability,object_level_authorization",
               "--max-examples", os.environ.get("ST_MAX_EXAMPLES", "25"), "--seed", "15", "--workers", "1",
               "--request-timeout", "20", "--no-color", "--report", "junit", "--report-dir", str(tmp_path)]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "integrations.tests.schemathesis_hooks", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, env=env,  # noqa: S603 - ours
                          cwd=tmp_path)  # its cache (.schemathesis/) stays out of the project
    assert done.returncode == 0, done.stdout[-20000:] + done.stderr[-3000:]
    assert "passed" in done.stdout.lower(), done.stdout
    print(done.stdout[-6000:])  # the summary (pytest -s shows it)
    assert ledger_mismatches() == []
