"""Forms of applications and cases: the list filters, a request of a catalogue type (its fields
built from the catalogue), a contact case, a reply in the thread."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.fields import InvalidFieldsMixin
from ebok.forms import ListFilterForm, choice_field, date_field, parse_id, search_field
from ebok.uploads import CheckedFile, FilesField, check_file, check_files, max_files

from . import fieldtypes, selectors
from .models import Application, RequestField, RequestType
from .services import Submission

TEXT_MAX = 4000


class ApplicationFilterForm(ListFilterForm):
    SORT_KEYS = frozenset(selectors.APPLICATION_ORDERINGS)
    DEFAULT_SORT = "-updated"
    DATE_RANGES = (("submitted_from", "submitted_to"),)

    q = search_field(_("Szukaj"), _("numer lub tytuł"))
    kind = choice_field(_("Rodzaj"), Application.Kind.choices, empty_label=_("wnioski i sprawy"))
    status = choice_field(
        _("Status"),
        [
            (selectors.OPEN, _("otwarte (wysłane, w toku, oczekujące)")),
            (selectors.UNREAD, _("z nowymi odpowiedziami")),
            *[(value, label) for value, label in Application.Status.choices],
        ],
        empty_label=_("wszystkie"),
    )
    request_type = choice_field(_("Rodzaj wniosku"), [], empty_label=_("wszystkie"))
    contract = search_field(_("Umowa"), _("numer umowy"), datalist="contract-numbers")
    submitted_from = date_field(_("Złożone od"))
    submitted_to = date_field(_("Złożone do"))

    def __init__(self, data=None, **kwargs: Any) -> None:
        self.base_fields["request_type"].choices = [
            ("", _("wszystkie")),
            *[(t.code, t.name) for t in RequestType.objects.order_by("order", "name_pl")],
        ]
        super().__init__(data, **kwargs)

    def filters(self) -> selectors.ApplicationFilters:
        return selectors.ApplicationFilters(
            q=self.value("q"),
            kind=self.value("kind"),
            status=self.value("status"),
            request_type=self.value("request_type"),
            contract=self.value("contract"),
            submitted_from=self.date("submitted_from"),
            submitted_to=self.date("submitted_to"),
            sort=self.sort_key,
        )


def files_field(label=None) -> FilesField:
    return FilesField(
        multiple=True,
        required=False,
        label=label or _("Załączniki"),
        help_text=_("Do %(count)d plików PDF, JPG, PNG, DOCX lub XLSX, każdy do 10 MB.")
        % {"count": max_files()},
    )


class _UploadsMixin:
    """Checks every file field's uploads (content, size, count) and the upload handler's
    refusals (a file it stopped reading); `checked_files()` gives them to the service."""

    refused: tuple[str, ...] = ()

    def _check_uploads(self, cleaned: dict[str, Any]) -> None:
        for message in dict.fromkeys(self.refused):
            self.add_error(None, message)
        self._checked: list[tuple[str, CheckedFile]] = []
        for name, field in self.fields.items():
            if not isinstance(field, FilesField) or not cleaned.get(name):
                continue
            uploads = cleaned[name] if field.multiple else [cleaned[name]]
            try:
                checked = check_files(uploads) if field.multiple else [check_file(uploads[0])]
            except ValidationError as error:
                self.add_error(name, error)
                continue
            key = "" if field.multiple else name
            self._checked.extend((key, one) for one in checked)

    def checked_files(self) -> list[tuple[str, CheckedFile]]:
        return list(self._checked)


class ApplicationForm(_UploadsMixin, InvalidFieldsMixin, forms.Form):
    """A request of a catalogue type: its contract (where it asks for one) and its fields."""

    token = forms.UUIDField(widget=forms.HiddenInput)
    request_type = forms.ChoiceField(
        label=_("Rodzaj wniosku"), widget=forms.Select(attrs={"class": "form-select"})
    )
    contract = forms.ChoiceField(
        label=_("Umowa"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    body = forms.CharField(
        label=_("Dodatkowe informacje"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )

    def __init__(self, data=None, files=None, *, user, initial=None, refused=()) -> None:
        super().__init__(data, files, initial=initial)
        self.user = user
        self.refused = tuple(refused)
        source = data if data is not None else (initial or {})
        types = list(selectors.request_types())
        self.fields["request_type"].choices = [("", _("— wybierz —"))] + [
            (t.code, t.name) for t in types
        ]
        self.fields["request_type"].error_messages["required"] = _("Wybierz rodzaj wniosku.")
        self.chosen_type = next((t for t in types if t.code == source.get("request_type")), None)
        self.contract_obj = None
        self.groups: list[fieldtypes.Group] = []
        if self.chosen_type is None:
            del self.fields["contract"], self.fields["body"]
            return
        self._contract_field(source)
        specs = list(self.chosen_type.fields.all())
        registrations = selectors.contract_registrations(self.contract_obj)
        for spec in specs:
            built = fieldtypes.build_fields(spec, registrations=registrations)
            if spec.field_type == RequestField.Type.ATTACHMENT:
                built = {spec.key: _slot_field(spec)}
            self.fields.update(built)
            self.groups.append(fieldtypes.Group(spec, list(built)))
        if self.chosen_type.extra_attachments:
            self.fields["attachments"] = files_field()
        self.fields["body"] = self.fields.pop("body")  # last

    @property
    def fee(self):
        return self.chosen_type.fee if self.chosen_type else None

    @property
    def handling_days(self) -> int:
        return self.chosen_type.handling_days if self.chosen_type else 0

    @property
    def is_critical(self) -> bool:
        return bool(self.chosen_type and self.chosen_type.is_critical)

    def bound_groups(self) -> list[tuple[RequestField, bool, list]]:
        """(field, is a fieldset, its bound inputs) for the template."""
        return [(g.spec, g.is_fieldset, [self[name] for name in g.names]) for g in self.groups]

    def _contract_field(self, source) -> None:
        request_type = self.chosen_type
        field = self.fields["contract"]
        if not request_type.asks_contract:
            del self.fields["contract"]
            return
        contracts = list(
            selectors.contracts_for_type(
                user=self.user, request_type=request_type
            ).prefetch_related("assets")[:500]
        )
        field.required = request_type.needs_contract
        field.error_messages["required"] = _("Wybierz umowę, której dotyczy wniosek.")
        field.error_messages["invalid_choice"] = _(
            "Ta umowa nie może być przedmiotem tego wniosku. Wybierz umowę z listy."
        )
        field.choices = [("", _("— wybierz umowę —") if field.required else _("nie dotyczy umowy"))]
        field.choices += [(str(c.pk), _contract_label(c)) for c in contracts]
        if not contracts and request_type.needs_contract:
            field.help_text = _("Nie masz umów, których może dotyczyć ten wniosek.")
        chosen = parse_id(source.get("contract"))
        self.contract_obj = next((c for c in contracts if c.pk == chosen), None)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for group in self.groups:
            for name, message in fieldtypes.check_group(group.spec, cleaned).items():
                if name not in self.errors:
                    self.add_error(name, message)
        self._check_uploads(cleaned)
        return cleaned

    def submission(self) -> Submission:
        cleaned = self.cleaned_data
        values = []
        for group in self.groups:
            if group.spec.field_type == RequestField.Type.ATTACHMENT:
                continue
            value = fieldtypes.value_of(group.spec, cleaned)
            values.append(fieldtypes.entry_of(group.spec, value))
        return Submission(
            kind=Application.Kind.REQUEST,
            subject=self.chosen_type.name_pl,
            body=cleaned.get("body", ""),
            request_type=self.chosen_type,
            contract=self.contract_obj,
            values=values,
            files=self.checked_files(),
        )


def _slot_field(spec: RequestField) -> FilesField:
    field = FilesField(multiple=False, required=spec.required, label=spec.label)
    field.help_text = spec.help or _("Jeden plik PDF, JPG, PNG, DOCX lub XLSX, do 10 MB.")
    field.error_messages["required"] = _("Dodaj ten załącznik.")
    return field


def _contract_label(contract) -> str:
    assets = list(contract.assets.all())
    if not assets:
        return contract.number
    asset = assets[0]
    plate = f" ({asset.registration_number})" if asset.registration_number else ""
    return f"{contract.number} – {asset.make} {asset.model}{plate}"


class ContactForm(_UploadsMixin, InvalidFieldsMixin, forms.Form):
    """A message to the lessor on a topic, optionally about a contract, with attachments."""

    token = forms.UUIDField(widget=forms.HiddenInput)
    topic = forms.ChoiceField(
        label=_("Temat"),
        choices=[("", _("— wybierz —")), *Application.Topic.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": _("Wybierz temat.")},
    )
    contract = forms.ChoiceField(
        label=_("Umowa (opcjonalnie)"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("Wybierz umowę z listy.")},
    )
    subject = forms.CharField(
        label=_("Tytuł"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        error_messages={"required": _("Wpisz tytuł wiadomości.")},
    )
    body = forms.CharField(
        label=_("Wiadomość"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 6}),
        error_messages={"required": _("Wpisz treść wiadomości.")},
    )

    def __init__(self, data=None, files=None, *, user, initial=None, refused=()) -> None:
        super().__init__(data, files, initial=initial)
        self.refused = tuple(refused)
        self.contracts = list(
            selectors.visible_contracts(user=user).order_by("number").only("pk", "number")[:500]
        )
        self.fields["contract"].choices = [("", _("nie dotyczy umowy"))] + [
            (str(c.pk), c.number) for c in self.contracts
        ]
        self.fields["attachments"] = files_field()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self._check_uploads(cleaned)
        return cleaned

    def submission(self) -> Submission:
        cleaned = self.cleaned_data
        chosen = parse_id(cleaned.get("contract"))
        return Submission(
            kind=Application.Kind.CONTACT,
            subject=cleaned["subject"],
            body=cleaned["body"],
            topic=cleaned["topic"],
            contract=next((c for c in self.contracts if c.pk == chosen), None),
            files=self.checked_files(),
        )


class ReplyForm(_UploadsMixin, InvalidFieldsMixin, forms.Form):
    body = forms.CharField(
        label=_("Twoja odpowiedź"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 4}),
        error_messages={"required": _("Wpisz treść odpowiedzi.")},
    )

    def __init__(self, data=None, files=None, *, refused=()) -> None:
        super().__init__(data, files)
        self.refused = tuple(refused)
        self.fields["attachments"] = files_field()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self._check_uploads(cleaned)
        return cleaned


def new_token() -> str:
    return str(uuid.uuid4())
