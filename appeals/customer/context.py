from django.conf import settings
from django.utils.functional import SimpleLazyObject

from ..models import Notification


def unread_notifications(request):
    """Unread count for the top bar; queried only if a template uses it."""
    user = request.user
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.filter(user=user, read_at__isnull=True).count()
            if user.is_authenticated else 0
        )
    }


def contacts(request):
    """Where a customer can turn next (statement of reasons): our support channel, the regulator's hotline."""
    return {"support_channel": settings.SUPPORT_CHANNEL, "regulator_hotline": settings.REGULATOR_HOTLINE}
