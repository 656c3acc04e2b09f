"""Client pages of damages and claims: reporting a damage ("Zgłoś szkodę"), a claim's detail
with its status history and the insurer's contacts, and the claim's photos.

Every view needs Perm.FLEET and reads through `claims.selectors`, scoped to the user's company
and visible contracts (another company's claim or photo: 404).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from accounts.audit import audit_context
from accounts.permissions import Perm, client_required
from ebok.forms import parse_id
from ebok.uploads import limited_uploads

from . import selectors, services
from .forms import DamageReportForm, new_token


@limited_uploads
@require_http_methods(["GET", "POST"])
@client_required(Perm.FLEET)
def claim_report(request: HttpRequest) -> HttpResponse:
    """Zgłoś szkodę: one form; the same form posted twice opens one claim (its token)."""
    if request.method == "POST":
        form = DamageReportForm(
            request.POST, request.FILES, user=request.user, refused=request.refused_uploads
        )
        if form.is_valid():
            damage, _created = services.damage_report(
                user=request.user,
                report=form.report(),
                token=form.cleaned_data["token"],
                audit=audit_context(request),
            )
            messages.success(
                request,
                _("Przyjęliśmy zgłoszenie szkody. Poinformujemy Cię o każdej zmianie statusu."),
            )
            url = reverse("fleet:claim_detail", args=[damage.pk])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    else:
        initial = {"token": new_token()}
        vehicle = parse_id(request.GET.get("pojazd"))
        if vehicle is not None:
            initial["vehicle"] = str(vehicle)
        form = DamageReportForm(user=request.user, initial=initial)
    template = "fleet/claim_report.html"
    if request.htmx and request.method == "POST":
        template += "#report-form"
    return render(request, template, {"form": form})


@require_GET
@client_required(Perm.FLEET)
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    damage = selectors.get_damage_for_user(user=request.user, pk=pk)
    context = {
        "damage": damage,
        "status_css": selectors.status_css(damage.status),
        "asset": damage.asset,
        # A claim fed without its policy shows the contact of the vehicle's policy of the day.
        "policy": damage.policy or services.claim_policy(damage.asset, on=damage.occurred_on),
        "history": selectors.damage_history(damage),
        "photos": selectors.damage_photos(damage),
    }
    return render(request, "fleet/claim_detail.html", context)


@require_GET
@client_required(Perm.FLEET)
def claim_photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    """One photo or document of a claim, whole, as a download; reads only."""
    photo = selectors.get_photo_for_user(user=request.user, damage_pk=pk, pk=photo_pk)
    return FileResponse(
        photo.file.open("rb"),
        as_attachment=True,
        filename=photo.name,
        content_type=photo.content_type,
    )
