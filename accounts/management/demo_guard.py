"""The one guard of every command that writes demo data or prints a demo secret (seed_demo,
seed_demo_client, totp_code): the demo's superuser, password, TOTP secret and API key are published,
so they must never land on a real deployment.

settings.DEMO_DATA decides: "allowed" (the dev and test settings), "never" (production, and every
settings module built on it: no flag helps), anything else or unset: only with
--i-know-this-is-not-production (a staging copy, say)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

FLAG = "--i-know-this-is-not-production"


def _module() -> str:
    return settings.SETTINGS_MODULE or os.environ.get("DJANGO_SETTINGS_MODULE", "")


def demo_data_refusal(*, acknowledged: bool) -> str | None:
    """Why demo data may not be written under these settings, or None when it may (in English, for
    the operator at the command line, like the other commands' errors)."""
    mode = getattr(settings, "DEMO_DATA", None)
    if mode == "allowed":
        return None
    if mode == "never":
        return f"Demo data has published passwords and keys: refused on production settings ({_module()})."
    if acknowledged:
        return None
    return (f"Demo data runs only on the dev or test settings; on {_module()} add {FLAG} if this is really "
            "not production.")


class DemoDataCommand(BaseCommand):
    """Base class: adds the flag and refuses before handle() runs (nothing is read or written)."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument(FLAG, action="store_true", dest="not_production",
                            help="Allow demo data on settings that are not the dev or test ones (never production).")
        return parser

    def execute(self, *args, **options):
        refusal = demo_data_refusal(acknowledged=bool(options.get("not_production")))
        if refusal:
            raise CommandError(refusal)
        return super().execute(*args, **options)
