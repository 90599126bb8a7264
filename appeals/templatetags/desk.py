"""Template tags for the desk's own admin templates."""

from django import template

from ..desk import canned

register = template.Library()


@register.simple_tag
def canned_replies(appeal, transition: str) -> list[dict]:
    return canned.replies_for(appeal, transition)


@register.simple_tag
def suggested_reject_reason(appeal) -> str:
    return canned.suggested_reason(appeal)
