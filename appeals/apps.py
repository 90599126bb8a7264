from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "appeals"
    verbose_name = _("Unfreeze appeals")

    def ready(self):
        checks.register(check_phash_bands)


def check_phash_bands(**_kwargs):
    """The reuse rule finds every hash within RISK_PHASH_MAX_DISTANCE bits only while there are
    more hash bands than that (appeals.evidence.images.HASH_BANDS)."""
    from .evidence.images import HASH_BANDS

    if settings.RISK_PHASH_MAX_DISTANCE < HASH_BANDS:
        return []
    return [checks.Error(f"RISK_PHASH_MAX_DISTANCE must be below HASH_BANDS ({HASH_BANDS}), or the "
                         "evidence-reuse rule misses near copies.", id="appeals.E001")]
