"""The document lists' filters and the forms of a process page (comment, accept, reject, upload)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ebok.forms import ListFilterForm, choice_field, date_field, search_field

from . import selectors
from .models import DocumentProcess


class ProcessFilterForm(ListFilterForm):
    SORT_KEYS = frozenset(selectors.PROCESS_ORDERINGS)
    DEFAULT_SORT = "-updated"
    DATE_RANGES = (("date_from", "date_to"),)

    q = search_field(_("Szukaj"), _("tytuł dokumentu"))
    contract = search_field(_("Umowa"), _("numer umowy"), datalist="contract-numbers")
    status = choice_field(_("Status"), DocumentProcess.Status.choices, empty_label=_("wszystkie"))
    category = choice_field(
        _("Typ dokumentu"), DocumentProcess.Category.choices, empty_label=_("wszystkie")
    )
    kind = choice_field(_("Rodzaj"), DocumentProcess.Kind.choices, empty_label=_("wszystkie"))
    unread = choice_field(
        _("Nieprzeczytane"), [("1", _("tylko nieprzeczytane"))], empty_label=_("wszystkie")
    )
    date_from = date_field(_("Udostępniony od"))
    date_to = date_field(_("Udostępniony do"))

    def __init__(self, data=None, *, section: str):
        super().__init__(data)
        self.section = section
        if section != "archive":
            del self.fields["kind"]
        if section == "sign":
            self.fields["status"].choices = [
                choice
                for choice in self.fields["status"].choices
                if choice[0] in ("", *DocumentProcess.OPEN)
            ]
        elif section == "archive":
            del self.fields["unread"]
            self.fields["status"].choices = [
                choice
                for choice in self.fields["status"].choices
                if choice[0] not in DocumentProcess.OPEN
            ]

    def filters(self) -> selectors.ProcessFilters:
        return selectors.ProcessFilters(
            section=self.section,
            q=self.value("q"),
            contract=self.value("contract"),
            status=self.value("status"),
            category=self.value("category"),
            kind=self.value("kind") if "kind" in self.fields else None,
            unread=bool(self.value("unread")) if "unread" in self.fields else False,
            date_from=self.date("date_from"),
            date_to=self.date("date_to"),
            sort=self.sort_key,
        )


def _text(label, *, required: bool, max_length: int, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows, "class": "form-control"}),
        error_messages={
            "required": _("To pole jest wymagane."),
            "max_length": _("Wpisz najwyżej %(limit_value)d znaków."),
        },
    )


class CommentForm(forms.Form):
    text = _text(_("Komentarz"), required=True, max_length=4000)


class AcceptForm(forms.Form):
    text = _text(_("Uwagi (opcjonalnie)"), required=False, max_length=4000, rows=2)


class RejectForm(forms.Form):
    reason = _text(_("Powód odrzucenia"), required=True, max_length=4000, rows=2)


class SignedUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Podpisany plik"),
        required=False,  # a missing file gets the uploads' own message
        widget=forms.FileInput(
            attrs={
                "class": "form-control",
                "accept": ".pdf,.xml,.asice,.sce,.asics,.scs",
            }
        ),
    )
    note = forms.CharField(
        label=_("Notatka (opcjonalnie)"),
        required=False,
        max_length=500,
        strip=True,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        error_messages={"max_length": _("Wpisz najwyżej %(limit_value)d znaków.")},
    )
