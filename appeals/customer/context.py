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
