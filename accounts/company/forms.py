"""Forms of company administration: a user's data and permissions, and the list filters.

Plain forms, not ModelForms: the admin's POST can only name the fields listed here, and the
contracts offered (and accepted) are only the company's own.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from ebok.forms import (
    ListFilterForm,
    Select,
    choice_field,
    date_field,
    id_field,
    parse_id,
    search_field,
)

from .. import selectors
from ..audit import action_choices
from ..fields import LOGIN_RE, InvalidFieldsMixin, MobilePhoneField, email_field, name_field
from ..models import Company, User
from ..permissions import PERMISSION_FIELDS, PERMISSIONS
from ..templatetags.accounts_tags import phone
from .services import Permissions

ALL_CONTRACTS = "all"
CHOSEN_CONTRACTS = "chosen"


class ContractChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        # Each posted value is read as an id first: a number no database key can hold ("²",
        # 9223372036854775808) is refused with the form's message, never sent to a query.
        for pk in value if isinstance(value, list | tuple) else []:
            if parse_id(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": str(pk)[:20]},
                )
        return super()._check_values(value)

    def label_from_instance(self, contract) -> str:
        assets = list(contract.assets.all())
        if not assets:
            return contract.number
        asset = assets[0]
        parts = [contract.number, f"{asset.make} {asset.model}".strip()]
        if asset.registration_number:
            parts.append(asset.registration_number)
        return " · ".join(p for p in parts if p)


class LoginField(forms.CharField):
    """Logins are case-insensitive (the system identity is lower-case): "Ewa.Nowa" is "ewa.nowa"."""

    def to_python(self, value) -> str:
        return super().to_python(value).lower()


class CompanyUserForm(InvalidFieldsMixin, forms.Form):
    """Adding (with `login`) or editing (without) a user of `company`."""

    login = LoginField(
        label=_("Login"),
        max_length=64,
        help_text=_("Małe litery, cyfry, kropka, łącznik lub podkreślenie; 3–64 znaki."),
        validators=[
            RegexValidator(
                LOGIN_RE,
                _(
                    "Login to 3–64 znaki: małe litery bez polskich znaków, cyfry, kropka, "
                    "łącznik lub podkreślenie; zaczyna się literą lub cyfrą."
                ),
            )
        ],
        error_messages={"required": _("Podaj login.")},
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autocomplete": "off",
            }
        ),
    )
    first_name = name_field(_("Imię"))
    last_name = name_field(_("Nazwisko"))
    email = email_field()
    phone = MobilePhoneField(help_text=_("Na ten numer wyślemy hasło jednorazowe i kody SMS."))
    # Here, between the person's data and the contract access: one checkbox per permission
    # (see __init__).
    contracts_access = forms.ChoiceField(
        label=_("Dostęp do umów"),
        choices=[
            (ALL_CONTRACTS, _("wszystkie umowy firmy")),
            (CHOSEN_CONTRACTS, _("tylko wybrane umowy")),
        ],
        initial=ALL_CONTRACTS,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Wybierz: wszystkie umowy albo tylko wybrane.")},
    )
    allowed_contracts = ContractChoiceField(
        label=_("Wybrane umowy"),
        queryset=User.allowed_contracts.field.related_model.objects.none(),  # per company
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Umowa %(value)s nie należy do Twojej firmy."),
            "invalid_pk_value": _("Nieprawidłowy identyfikator umowy: %(pk)s."),
        },
    )

    PERMISSION_FIELDS = PERMISSION_FIELDS

    def __init__(self, data=None, *, company: Company, user: User | None = None) -> None:
        self.company = company
        self.user = user
        initial = None
        if user is not None:
            initial = {
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "phone": phone(user.phone),
                **{name: getattr(user, name) for name in self.PERMISSION_FIELDS},
                "contracts_access": CHOSEN_CONTRACTS
                if user.contracts_restricted
                else ALL_CONTRACTS,
                "allowed_contracts": [c.pk for c in user.allowed_contracts.all()],
            }
        super().__init__(data, initial=initial)
        for p in PERMISSIONS:
            self.fields[p.field] = forms.BooleanField(
                label=p.description, required=False, initial=p.default
            )
        self.order_fields(
            ["login", "first_name", "last_name", "email", "phone", *self.PERMISSION_FIELDS]
        )
        if user is not None:
            del self.fields["login"]
        self.fields["allowed_contracts"].queryset = selectors.company_contracts(company=company)
        for name in (*self.PERMISSION_FIELDS, "contracts_access", "allowed_contracts"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def clean_login(self) -> str:
        login = self.cleaned_data["login"]
        if User.objects.filter(company=self.company, login=login).exists():
            raise ValidationError(_("Ten login jest już zajęty w Twojej firmie – wybierz inny."))
        return login

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("contracts_access") == CHOSEN_CONTRACTS
        if chosen and cleaned.get("is_company_admin"):
            self.add_error(
                "contracts_access",
                _("Administrator ma dostęp do wszystkich umów – nie można go ograniczyć."),
            )
        elif chosen and "allowed_contracts" in cleaned and not cleaned["allowed_contracts"]:
            self.add_error(
                "allowed_contracts",
                _("Zaznacz co najmniej jedną umowę albo wybierz dostęp do wszystkich umów."),
            )
        return cleaned

    def permissions(self) -> Permissions:
        data = self.cleaned_data
        restricted = data["contracts_access"] == CHOSEN_CONTRACTS
        return Permissions(
            **{name: data[name] for name in self.PERMISSION_FIELDS},
            contracts_restricted=restricted,
            contract_ids=frozenset(c.pk for c in data["allowed_contracts"])
            if restricted
            else frozenset(),
        )

    def person(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("first_name", "last_name", "email", "phone")}

    def permission_fields(self) -> list:
        return [self[name] for name in self.PERMISSION_FIELDS]

    def summary(self) -> list[tuple[str, str]]:
        """What the admin confirms with the SMS code, as (label, value) rows."""
        data = self.cleaned_data
        rows = [(_("Imię i nazwisko"), f"{data['first_name']} {data['last_name']}")]
        if "login" in data:
            rows.append((_("Login"), data["login"]))
        rows += [(_("E-mail"), data["email"]), (_("Telefon komórkowy"), phone(data["phone"]))]
        permissions = self.permissions().normalised()
        granted = [str(p.description) for p in PERMISSIONS if data[p.field]]
        rows.append((_("Uprawnienia"), "; ".join(granted) or str(_("brak"))))
        if permissions.contracts_restricted:
            numbers = ", ".join(c.number for c in data["allowed_contracts"])
            rows.append((_("Dostęp do umów"), str(_("tylko: %(numbers)s")) % {"numbers": numbers}))
        else:
            rows.append((_("Dostęp do umów"), str(_("wszystkie umowy firmy"))))
        return rows


USER_STATE_CHOICES = [
    (selectors.UserState.ACTIVE, _("aktywni")),
    (selectors.UserState.INVITED, _("czekają na pierwsze logowanie")),
    (selectors.UserState.LOCKED, _("zablokowani")),
    (selectors.UserState.INACTIVE, _("nieaktywni (usunięci)")),
]


class CompanyUserFilterForm(ListFilterForm):
    SORT_KEYS = frozenset(selectors.COMPANY_USER_ORDERINGS)
    DEFAULT_SORT = "name"

    q = search_field(_("Szukaj"), _("imię, nazwisko, login, e-mail, telefon"))
    state = choice_field(_("Stan konta"), USER_STATE_CHOICES, empty_label=_("wszyscy aktywni"))

    def filters(self) -> selectors.CompanyUserFilters:
        return selectors.CompanyUserFilters(
            q=self.value("q"), state=self.value("state"), sort=self.sort_key
        )


class AuditFilterForm(ListFilterForm):
    """The company's audit log: by user (of this company only), event and date range."""

    DATE_RANGES = (("date_from", "date_to"),)

    # ebok.forms.Select: the same markup without the template engine (the event list has
    # ~150 options; Django's widget templates made the audit page 2.8x the empty page).
    user = id_field(
        _("Użytkownik"),
        widget=Select,
        error_messages={"invalid": _("Nieznany użytkownik.")},
    )
    action = forms.ChoiceField(
        label=_("Zdarzenie"),
        required=False,
        choices=lambda: [("", _("wszystkie")), *action_choices()],
        widget=Select,
        error_messages={"invalid_choice": _("Nieznane zdarzenie „%(value)s”.")},
    )
    date_from = date_field(_("Od dnia"))
    date_to = date_field(_("Do dnia"))

    def __init__(self, data=None, *, company: Company) -> None:
        self.company = company
        super().__init__(data)
        users = User.objects.filter(company=company).order_by("last_name", "first_name", "login")
        self.fields["user"].widget.choices = [("", _("wszyscy"))] + [
            (u.pk, f"{u.get_full_name() or u.login} ({u.login})") for u in users
        ]

    def clean_user(self) -> int | None:
        # Another company's user id is refused like any unknown value: its entries never show.
        pk = self.cleaned_data.get("user")
        if pk and not User.objects.filter(company=self.company, pk=pk).exists():
            raise ValidationError(_("Nieznany użytkownik."))
        return pk

    def filters(self) -> selectors.AuditFilters:
        return selectors.AuditFilters(
            user_id=self.value("user"),
            action=self.value("action"),
            date_from=self.date("date_from"),
            date_to=self.date("date_to"),
        )
