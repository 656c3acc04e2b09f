"""The user's notification pages: "Wiadomości" (the inbox: every message sent to them) and
"Ustawienia → Powiadomienia" (which SMS / e-mails, how many days before a due date, quiet hours).
A company administrator sets a user's preferences from the company pages (accounts.company)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ebok.lists import paginate, render_list
from notifications.selectors import inbox_list, inbox_message, settings_for
from notifications.services import inbox_mark_read

from ..audit import audit_context
from ..models import User
from ..permissions import client_required
from .forms import InboxFilterForm, PreferencesForm
from .services import notification_settings_set


@never_cache
@require_GET
@client_required()
def inbox(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET)
    rows = inbox_list(user=request.user, filters=form.filters())
    context = {"form": form, "page_obj": paginate(rows, form.page_number)}
    return render_list(request, "accounts/notices/inbox.html", context, partial="results")


@never_cache
@require_GET
@client_required()
def inbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One message; opening it marks it read."""
    message = inbox_message(user=request.user, pk=pk)
    if message is None:
        raise Http404
    if message.read_at is None:
        inbox_mark_read(user=request.user, pks=[message.pk])
    return render(request, "accounts/notices/message.html", {"message": message})


@require_POST
@client_required()
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    marked = inbox_mark_read(user=request.user)
    if marked:
        messages.success(request, _("Oznaczono wszystkie wiadomości jako przeczytane."))
    return redirect("accounts:inbox")


@never_cache
@require_http_methods(["GET", "POST"])
@client_required()
def preferences(request: HttpRequest) -> HttpResponse:
    return preferences_page(request, target=request.user, template="accounts/notices/settings.html")


def preferences_page(
    request: HttpRequest, *, target: User, template: str, extra: dict | None = None
) -> HttpResponse:
    """The preferences form for `target` (the caller checked who may see it): a POST saves it;
    an HTMX request gets the form back with the outcome, others a redirect to the page."""
    language = translation.get_language()
    form = PreferencesForm(
        request.POST or None, current=settings_for(user=target), language=language
    )
    outcome = ""
    if request.method == "POST" and form.is_valid():
        changed = notification_settings_set(
            user=target,
            by=request.user,
            channels=form.channels(),
            payment_due_days=form.cleaned_data["payment_due_days"],
            quiet_hours=form.quiet_hours(),
            language=form.cleaned_data["language"],
            audit=audit_context(request),
        )
        outcome = _("Zapisano ustawienia powiadomień.") if changed else _("Nic się nie zmieniło.")
        if not request.htmx:
            messages.success(request, outcome)
            return redirect(request.path)
        form = PreferencesForm(current=settings_for(user=target), language=language)
    context = {"form": form, "target": target, "outcome": outcome, "save_url": request.path}
    context.update(extra or {})
    if request.htmx:
        return render(request, f"{template}#preferences-form", context)
    return render(request, template, context)
