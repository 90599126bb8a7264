from accounts.management.demo_guard import DemoDataCommand
from integrations.demo import DEMO_API_KEY, seed_demo_client


class Command(DemoDataCommand):
    help = "Create the demo API client with its published key (part of seed_demo; never on production settings)."

    def handle(self, *args, **options):
        _client, created = seed_demo_client()
        self.stdout.write(f"Demo API key ({'created' if created else 'exists'}): {DEMO_API_KEY}")
