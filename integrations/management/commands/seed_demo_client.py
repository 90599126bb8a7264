import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from integrations.demo import DEMO_API_KEY, seed_demo_client


class Command(BaseCommand):
    help = "Create the demo API client with its published key (part of seed_demo; never on production settings)."

    def handle(self, *args, **options):
        modules = (settings.SETTINGS_MODULE or "", os.environ.get("DJANGO_SETTINGS_MODULE", ""))
        if any(module.endswith(".production") for module in modules):
            raise CommandError("The demo API client has a published key: not on production settings.")
        _client, created = seed_demo_client()
        self.stdout.write(f"Demo API key ({'created' if created else 'exists'}): {DEMO_API_KEY}")
