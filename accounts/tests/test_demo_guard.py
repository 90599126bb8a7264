"""The demo-data guard (accounts/management/demo_guard.py): seed_demo, seed_demo_client and totp_code
write or print the demo's published secrets, so they run on the dev and test settings only, elsewhere
with --i-know-this-is-not-production, and never on production settings, flag or not."""

import os
import secrets
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from integrations.models import ApiClient

pytestmark = pytest.mark.django_db

DEMO_COMMANDS = [("seed_demo", []), ("seed_demo_client", []), ("totp_code", ["agent"])]
FLAG = "--i-know-this-is-not-production"


def _nothing_written():
    return not User.objects.filter(username__in=["admin", "agent", "demo"]).exists() and not ApiClient.objects.exists()


@pytest.mark.parametrize(("command", "args"), DEMO_COMMANDS)
@pytest.mark.parametrize("flag", [False, True])
def test_production_settings_refuse_every_demo_command_even_with_the_flag(settings, command, args, flag):
    settings.DEMO_DATA = "never"
    with pytest.raises(CommandError, match="production"):
        call_command(command, *args, *([FLAG] if flag else []), stdout=StringIO())
    assert _nothing_written()


@pytest.mark.parametrize(("command", "args"), DEMO_COMMANDS[:2])
def test_other_settings_need_the_flag(settings, command, args):
    del settings.DEMO_DATA  # a settings module that says nothing (a staging copy of base, say)
    with pytest.raises(CommandError, match=FLAG):
        call_command(command, *args, stdout=StringIO())
    assert _nothing_written()
    call_command(command, *args, FLAG, stdout=StringIO())
    assert ApiClient.objects.filter(name="demo-platform").exists()


def test_seed_demo_with_the_flag_passes_it_to_the_integrations_part(settings):
    del settings.DEMO_DATA
    call_command("seed_demo", FLAG, stdout=StringIO())
    assert User.objects.filter(username="admin", is_superuser=True).exists()
    assert TOTPDevice.objects.filter(user__username="agent").exists()
    assert ApiClient.objects.filter(name="demo-platform").exists()
    out = StringIO()
    call_command("totp_code", "agent", FLAG, stdout=out)
    assert out.getvalue().strip().isdigit()


@pytest.mark.parametrize("command", ["seed_demo", "seed_demo_client", "totp_code agent"])
def test_manage_py_on_the_real_production_settings_refuses_before_touching_the_database(tmp_path, command):
    database = tmp_path / "prod.sqlite3"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production",
                   "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "appeals.example.com",
                   "DATABASE_URL": f"sqlite:///{database}"}
    result = subprocess.run([sys.executable, "manage.py", *command.split(), FLAG], cwd=settings.BASE_DIR,  # noqa: S603
                            env=environment, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "config.settings.production" in result.stderr, result.stderr[-2000:]
    assert not database.exists()  # refused before any connection
