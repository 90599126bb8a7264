from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Platform API and webhooks")

    def ready(self):
        from events import outbox

        from . import tasks

        # Every commit that recorded events starts a delivery run at once (the beat poller retries).
        outbox.on_commit_of_events(tasks.deliver_webhooks_soon)
