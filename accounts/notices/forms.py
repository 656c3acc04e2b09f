"""Forms of the notification pages: the preferences (per event SMS / e-mail, reminder lead
time, SMS quiet hours, language) and the inbox filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ebok.forms import BoundedIntegerField, ListFilterForm, choice_field, date_field
from notifications.events import GROUPS, Event, all_events, preference_events
from notifications.models import Message, NotificationSettings
from notifications.preferences import wanted_channels
from notifications.selectors import InboxFilters

CHANNELS = ("sms", "email")


def _field_name(event: Event, channel: str) -> str:
    return f"{event.code.replace('.', '__')}__{channel}"


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M", attrs={"class": "form-control"})


def _time_field(label) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=TimeInput(),
        error_messages={"invalid": _("Podaj godzinę w postaci GG:MM, np. 22:00.")},
    )


class PreferencesForm(forms.Form):
    """A user's notification settings. Every event's two switches are always submitted
    together (an unticked box is "off"), so the form replaces the whole choice."""

    payment_due_days = BoundedIntegerField(
        label=_("Przypomnienie o płatności – ile dni przed terminem"),
        min_value=1,
        max_value=30,
        widget=forms.NumberInput(attrs={"class": "form-control", "min": 1, "max": 30}),
        error_messages={
            "required": _("Podaj liczbę dni od 1 do 30."),
            "invalid": _("Podaj liczbę dni od 1 do 30."),
            "min_value": _("Podaj liczbę dni od 1 do 30."),
            "max_value": _("Podaj liczbę dni od 1 do 30."),
        },
    )
    quiet_from = _time_field(_("Cisza SMS od"))
    quiet_to = _time_field(_("Cisza SMS do"))
    language = forms.ChoiceField(
        label=_("Język wiadomości"),
        choices=settings.LANGUAGES,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("Nieznany język „%(value)s”.")},
    )

    def __init__(self, data=None, *, current: NotificationSettings, language: str) -> None:
        initial: dict[str, Any] = {
            "payment_due_days": current.payment_due_days,
            "quiet_from": current.quiet_from,
            "quiet_to": current.quiet_to,
            "language": current.language or language,
        }
        self.events = preference_events()
        for event in self.events:
            sms, email = wanted_channels(event, current)
            initial[_field_name(event, "sms")] = sms
            initial[_field_name(event, "email")] = email
        super().__init__(data, initial=initial)
        for event in self.events:
            for channel, label in (("sms", _("SMS")), ("email", _("e-mail"))):
                self.fields[_field_name(event, channel)] = forms.BooleanField(
                    label=label,
                    required=False,
                    widget=forms.CheckboxInput(
                        attrs={"class": "form-check-input", "role": "switch"}
                    ),
                )

    def groups(self) -> list[dict[str, Any]]:
        """The events by group, each with its bound SMS and e-mail switches (for the table)."""
        rows: dict[str, list] = {}
        for event in self.events:
            rows.setdefault(event.group, []).append(
                {
                    "event": event,
                    "sms": self[_field_name(event, "sms")],
                    "email": self[_field_name(event, "email")],
                }
            )
        return [{"label": GROUPS[g], "rows": rows[g]} for g in GROUPS if g in rows]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("quiet_from"), cleaned.get("quiet_to")
        if "quiet_from" in self.errors or "quiet_to" in self.errors:
            return cleaned
        if (start is None) != (end is None):
            self.add_error(
                "quiet_to" if start else "quiet_from",
                _("Podaj obie godziny ciszy SMS albo żadnej."),
            )
        elif start is not None and start == end:
            self.add_error("quiet_to", _("Godzina końca ciszy musi być inna niż początku."))
        return cleaned

    def channels(self) -> dict[str, dict[str, bool]]:
        return {
            event.code: {c: bool(self.cleaned_data.get(_field_name(event, c))) for c in CHANNELS}
            for event in self.events
        }

    def quiet_hours(self) -> tuple[dt.time | None, dt.time | None]:
        return self.cleaned_data.get("quiet_from"), self.cleaned_data.get("quiet_to")


class InboxFilterForm(ListFilterForm):
    """The inbox: by channel, event and date range (Europe/Warsaw days)."""

    DATE_RANGES = (("date_from", "date_to"),)

    channel = choice_field(_("Kanał"), Message.Channel.choices, empty_label=_("wszystkie"))
    event = forms.ChoiceField(
        label=_("Zdarzenie"),
        required=False,
        choices=lambda: [("", _("wszystkie")), *((e.code, e.label) for e in all_events())],
        error_messages={"invalid_choice": _("Nieznane zdarzenie „%(value)s”.")},
    )
    date_from = date_field(_("Od dnia"))
    date_to = date_field(_("Do dnia"))
    state = choice_field(_("Stan"), [("unread", _("nieprzeczytane"))], empty_label=_("wszystkie"))

    def filters(self) -> InboxFilters:
        return InboxFilters(
            channel=self.value("channel"),
            event=self.value("event"),
            date_from=self.date("date_from"),
            date_to=self.date("date_to"),
            unread=self.value("state") == "unread",
        )
