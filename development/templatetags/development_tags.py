"""The commissioner-funded baseline posts shown beside a PCN's ARRS staff (the roles app's staff
list loads this): two queries, for the users who may see them."""

from django import template

from pcn_admin import access

from .. import selectors

register = template.Library()
SHOWN = 10


@register.inclusion_tag("development/_baseline_beside.html", takes_context=True)
def baseline_posts_beside(context):
    user = context["request"].user
    if not access.has(user, access.Permission.VIEW_DEVELOPMENT_FUNDING):
        return {"shown": False}
    posts = selectors.baseline_posts(access.visible_baseline_posts(user))
    rows = list(posts[: SHOWN + 1])
    return {
        "shown": True,
        "posts": rows[:SHOWN],
        "more": len(rows) > SHOWN,
        "show_pcn": True,
    }
