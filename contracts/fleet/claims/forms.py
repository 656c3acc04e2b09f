"""The damage report form: vehicle, date, place, description, photos (checked with the
applications' upload rules: content sniffing, size and count limits)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from dateutil.relativedelta import relativedelta
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.fields import InvalidFieldsMixin
from ebok.dates import today
from ebok.forms import (
    BoundedDateField,
    DateInput,
    Select,
    parse_id,
    without_control_characters,
)
from ebok.uploads import (
    JPEG,
    PDF,
    PNG,
    CheckedFile,
    FilesField,
    check_files,
    max_file_bytes,
    max_files,
)

from . import selectors
from .services import DamageReport

# A claim is reported within this many years of the damage (the insurers' limitation period).
REPORT_YEARS_BACK = 3
PHOTO_TYPES = (JPEG, PNG, PDF)
PHOTO_ACCEPT = ",".join(ext for t in PHOTO_TYPES for ext in t.extensions)
TEXT_MAX = 4000


class DamageReportForm(InvalidFieldsMixin, forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
    vehicle = forms.ChoiceField(
        label=_("Pojazd"),
        # The fast widget (no template engine): a large fleet offers hundreds of vehicles.
        widget=Select(attrs={"class": "form-select"}),
        error_messages={
            "required": _("Wybierz pojazd."),
            "invalid_choice": _("Wybierz pojazd z listy."),
        },
    )
    occurred_on = BoundedDateField(
        label=_("Data zdarzenia"),
        widget=DateInput(attrs={"class": "form-control"}),
        error_messages={"required": _("Podaj datę zdarzenia.")},
    )
    place = forms.CharField(
        label=_("Miejsce zdarzenia"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
        help_text=_("Miejscowość, ulica lub odcinek drogi."),
        error_messages={"required": _("Podaj miejsce zdarzenia.")},
    )
    description = forms.CharField(
        label=_("Opis zdarzenia i uszkodzeń"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 5}),
        help_text=_("Co się stało, co jest uszkodzone, czy był sprawca lub policja."),
        error_messages={"required": _("Opisz zdarzenie.")},
    )

    def __init__(self, data=None, files=None, *, user, initial=None, refused=()) -> None:
        super().__init__(data, files, initial=initial)
        self.refused = tuple(refused)
        self.user = user
        self.vehicles = selectors.report_vehicle_choices(user=user)
        field = self.fields["vehicle"]
        field.choices = [("", _("— wybierz pojazd —"))] + [
            (str(pk), label) for pk, label in self.vehicles
        ]
        photos = FilesField(
            multiple=True,
            required=False,
            label=_("Zdjęcia i dokumenty"),
            help_text=_(
                "Do %(count)d plików JPG, PNG lub PDF (np. zdjęcia uszkodzeń, oświadczenie "
                "sprawcy, notatka policji), każdy do %(size)d MB."
            )
            % {"count": max_files(), "size": max_file_bytes() // (1024 * 1024)},
        )
        photos.widget.attrs["accept"] = PHOTO_ACCEPT
        self.fields["photos"] = photos
        self._checked: list[CheckedFile] = []

    def clean_occurred_on(self) -> dt.date:
        day = self.cleaned_data["occurred_on"]
        now = today()
        if day > now:
            raise ValidationError(_("Data zdarzenia nie może być z przyszłości."))
        if day < now - relativedelta(years=REPORT_YEARS_BACK):
            raise ValidationError(
                _(
                    "Szkodę zgłasza się najpóźniej %(years)d lata po zdarzeniu. "
                    "Skontaktuj się z nami."
                )
                % {"years": REPORT_YEARS_BACK}
            )
        return day

    def clean_place(self) -> str:
        place = without_control_characters(self.cleaned_data["place"]).strip()
        if not place:
            raise ValidationError(self.fields["place"].error_messages["required"])
        return place

    def clean_description(self) -> str:
        text = self.cleaned_data["description"].replace("\r\n", "\n")
        text = "".join(ch for ch in text if ch in "\n\t" or ch.isprintable()).strip()
        if not text:
            raise ValidationError(self.fields["description"].error_messages["required"])
        return text

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        chosen = parse_id(cleaned.get("vehicle"))
        self.asset = None
        if chosen is not None and any(pk == chosen for pk, _label in self.vehicles):
            self.asset = selectors.report_vehicles(user=self.user).filter(pk=chosen).first()
        if chosen is not None and self.asset is None and "vehicle" not in self.errors:
            self.add_error("vehicle", self.fields["vehicle"].error_messages["invalid_choice"])
        for message in dict.fromkeys(self.refused):
            self.add_error(None, message)
        uploads = cleaned.get("photos") or []
        if uploads:
            try:
                checked = check_files(uploads)
            except ValidationError as error:
                self.add_error("photos", error)
            else:
                wrong = [c.name for c in checked if c.file_type not in PHOTO_TYPES]
                if wrong:
                    self.add_error(
                        "photos",
                        _("Dodaj zdjęcia (JPG, PNG) lub dokumenty PDF. Nie przyjmiemy: %(names)s.")
                        % {"names": ", ".join(wrong)},
                    )
                else:
                    self._checked = checked
        return cleaned

    def report(self) -> DamageReport:
        cleaned = self.cleaned_data
        return DamageReport(
            asset=self.asset,
            occurred_on=cleaned["occurred_on"],
            place=cleaned["place"],
            description=cleaned["description"],
            photos=list(self._checked),
        )


def new_token() -> str:
    return str(uuid.uuid4())
