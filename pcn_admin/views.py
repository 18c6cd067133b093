"""The signed-in landing page: each role is sent to where its work is."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import access


@login_required
def home(request):
    return render(
        request,
        "home.html",
        {
            "pcns": access.visible_pcns(request.user).select_related("commissioner")[:20],
            "can_use_admin": access.can_use_admin(request.user),
        },
    )
