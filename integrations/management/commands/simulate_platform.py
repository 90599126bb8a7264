from django.core.management.base import BaseCommand, CommandError

from integrations import simulator
from integrations.demo import DEMO_API_KEY


class Command(BaseCommand):
    help = ("Play the mall, the credit core and the carriers against the running app through its HTTP API "
            "(purchases, refunds, syncs, logistics, bills), so freezes appear and release live.")

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running app (make run)")
        parser.add_argument("--key", default=DEMO_API_KEY, help="API key (default: the demo client's)")
        parser.add_argument("--delay", type=float, default=0.7, help="seconds between calls, to watch it live")
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, url, key, delay, seed, **options):
        platform = simulator.Platform(url.rstrip("/"), key, delay=delay, echo=self.stdout.write)
        try:
            calls = simulator.run(platform, seed=seed)
        except OSError as exc:
            raise CommandError(f"cannot reach {url} ({exc}); start the app with `make run` first") from exc
        errors = [call for call in calls if call.status >= 500 or call.status in (401, 403)]
        self.stdout.write(f"{len(calls)} calls, {sum(c.status < 300 for c in calls)} accepted, "
                          f"{sum(400 <= c.status < 500 for c in calls)} refused as the stream intends")
        if errors:
            raise CommandError(f"{len(errors)} calls failed: " + ", ".join(f"{c.path} {c.status}" for c in errors))
