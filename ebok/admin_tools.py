"""Small building blocks shared by the apps' Django admin modules (back office).

Admin actions call services and never repeat their rules: `run_for_each` runs one service call
per selected object, each in its own transaction (an object is either fully processed or left
untouched), and reports successes and the services' own error messages to the staff member.
`action_form_response` renders the intermediate page of an action that needs input first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html


def run_for_each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    objects: Iterable[Model],
    operation: Callable[[Model], Any],
    *,
    errors: tuple[type[Exception], ...],
    success: str,
) -> int:
    """Call `operation(obj)` for each object; report how many succeeded and why others failed.

    `success` is a message with a `%(count)d` placeholder. `errors` are the services' own
    exceptions, whose messages are written for staff and shown as they are.
    """
    done = 0
    for obj in objects:
        try:
            with transaction.atomic():
                operation(obj)
        except errors as exc:
            modeladmin.message_user(request, f"{obj}: {exc}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, success % {"count": done}, messages.SUCCESS)
    return done


def action_form_response(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    form: forms.Form,
    *,
    title: str,
    action: str,
    submit_label: str,
    intro: str = "",
) -> HttpResponse:
    """The intermediate page of an admin action: the selected objects and a form to confirm."""
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "objects": list(queryset),
        "form": form,
        "action": action,
        "submit_label": submit_label,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "opts": opts,
        "app_label": opts.app_label,
        "media": modeladmin.media + form.media,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/action_form.html", context)


def admin_link(obj: Model | None, label: str | None = None) -> str:
    """A link to the object's admin change page (or an empty string for no object)."""
    if obj is None:
        return "–"
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label if label is not None else str(obj))


def changelist_link(model_label: str, label: str, **filters: Any) -> str:
    """A link to a filtered admin changelist, e.g. `changelist_link("invoices.invoice", ...)`."""
    app_label, model_name = model_label.split(".")
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return format_html('<a href="{}?{}">{}</a>', url, query, label)


class ReadOnlyInline(admin.TabularInline):
    """An inline that shows rows written by services; staff look, they do not edit."""

    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """A changelist of rows that only services write (allocations, number series...)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


def action_form_submitted(request: HttpRequest) -> bool:
    """True when the intermediate form of an action was submitted (not its first display)."""
    return request.method == "POST" and "apply" in request.POST
