from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import Message


@never_cache
@require_GET
def dev_outbox(request: HttpRequest) -> HttpResponse:
    """DEBUG only: the latest outbox rows, so a newcomer sees the SMS code in the browser."""
    if not settings.DEV_OUTBOX_PAGE:
        raise Http404
    latest = Message.objects.order_by("-created_at", "-pk")[:30]
    return render(request, "notifications/dev_outbox.html", {"messages_list": latest})
