from __future__ import annotations

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
)
from django.shortcuts import render
from django.utils.translation import check_for_language
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from .backends import twilio_sms
from .models import Message
from .services import message_record_report, notification_language_set


@never_cache
@require_GET
def dev_outbox(request: HttpRequest) -> HttpResponse:
    """DEBUG only: the latest outbox rows, so a newcomer sees the SMS code in the browser."""
    if not settings.DEV_OUTBOX_PAGE:
        raise Http404
    latest = Message.objects.order_by("-created_at", "-pk")[:30]
    return render(request, "notifications/dev_outbox.html", {"messages_list": latest})


@csrf_exempt  # Twilio cannot hold a CSRF token: its signature over the request proves origin
@require_POST
def twilio_status(request: HttpRequest, message_id: int | None = None) -> HttpResponse:
    """Twilio's delivery report (status callback) for one SMS: sent, delivered, undelivered..."""
    if not twilio_sms.signature_is_valid(request):
        return HttpResponseForbidden()
    report = twilio_sms.parse_report(request.POST)
    if report is None:
        return HttpResponseBadRequest()
    message_record_report(report=report, message_id=message_id)
    return HttpResponse(status=204)


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch (/i18n/setlang/); a signed-in user's SMS and e-mails follow
    the language they switch the portal to."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    if (
        request.user.is_authenticated
        and language in dict(settings.LANGUAGES)
        and check_for_language(language)
    ):
        notification_language_set(user=request.user, language=language)
    return response
