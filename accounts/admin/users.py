"""Users in the back office: client users (a company and a login) and staff (neither).

Client users sign in to the portal with their company's client number and their login; staff
sign in to this admin with a password and a TOTP code. Locking, unlocking and the first
sign-in's one-time password go through `accounts.services`, like everywhere else.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ebok.admin_tools import changelist_link, run_for_each

from ..audit import audit_context
from ..models import User
from ..permissions import PERMISSION_FIELDS
from ..profile.email_change import email_change_pending, email_change_request
from ..services import user_invite, user_lock, user_unlock


class _UserRulesMixin:
    """Who is what: a client user has a company and a login; staff have neither."""

    def clean(self):
        cleaned = super().clean()
        company = cleaned.get("company")
        login = (cleaned.get("login") or "").strip()
        is_staff = cleaned.get("is_staff")
        if company is not None:
            if not login:
                self.add_error("login", _("Użytkownik firmy musi mieć login."))
            if is_staff:
                self.add_error(
                    "is_staff", _("Pracownik leasingodawcy nie może być przypisany do firmy.")
                )
            if "username" in self.fields and not cleaned.get("username") and login:
                cleaned["username"] = User.client_username(company.client_number, login)
                self.instance.username = cleaned["username"]
            foreign = [
                c for c in cleaned.get("allowed_contracts") or [] if c.company_id != company.pk
            ]
            if foreign:
                self.add_error(
                    "allowed_contracts",
                    _("Umowy %(numbers)s należą do innej firmy.")
                    % {"numbers": ", ".join(c.number for c in foreign)},
                )
        elif "username" in self.fields and not cleaned.get("username"):
            self.add_error("username", _("Podaj identyfikator systemowy pracownika."))
        return cleaned


class UserAdminChangeForm(_UserRulesMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class UserAdminCreationForm(_UserRulesMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = (
            "username",
            "company",
            "login",
            "first_name",
            "last_name",
            "email",
            "phone",
            "is_staff",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].required = False
        self.fields["username"].help_text = _(
            "Dla użytkownika firmy zostaw puste: powstanie z numeru klienta i loginu. "
            "Pracownik loguje się nim do panelu."
        )


class LockedFilter(admin.SimpleListFilter):
    title = _("blokada logowania")
    parameter_name = "locked"

    def lookups(self, request, model_admin):
        return [("yes", _("zablokowani")), ("no", _("bez blokady"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(locked_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(locked_at__isnull=True)
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    list_display = [
        "username",
        "company",
        "login",
        "first_name",
        "last_name",
        "email",
        "is_company_admin",
        "is_staff",
        "is_active",
        "signin_state",
        "last_login",
    ]
    list_select_related = ["company"]
    list_filter = [
        "is_staff",
        "is_superuser",
        "is_active",
        *PERMISSION_FIELDS,
        LockedFilter,
        "must_change_password",
        "groups",
    ]
    actions = ["unlock_users", "lock_users", "send_one_time_password"]
    search_fields = [
        "username",
        "login",
        "first_name",
        "last_name",
        "email",
        "company__client_number",
        "company__name",
        "company__nip",
    ]
    search_help_text = _("Szukaj po loginie, nazwisku, e-mailu, numerze klienta, nazwie lub NIP.")
    ordering = ["company__name", "last_name", "first_name", "username"]
    date_hierarchy = "date_joined"
    autocomplete_fields = ["company", "allowed_contracts"]
    filter_horizontal = ["groups", "user_permissions"]
    readonly_fields = [
        "last_login",
        "date_joined",
        "signin_state",
        "locked_at",
        "lock_reason",
        "failed_signin_count",
        "must_change_password",
        "password_changed_at",
        "audit_link",
        "pending_email",
    ]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Firma"), {"fields": ["company", "login"]}),
        (
            _("Dane osobowe"),
            {
                "description": _(
                    "Nowy adres e-mail użytkownika firmy zaczyna obowiązywać po potwierdzeniu "
                    "linkiem, który na niego wysyłamy."
                ),
                "fields": ["first_name", "last_name", "email", "pending_email", "phone"],
            },
        ),
        (
            _("Uprawnienia w eBOK (użytkownik firmy)"),
            {"fields": [*PERMISSION_FIELDS, "contracts_restricted", "allowed_contracts"]},
        ),
        (
            _("Uprawnienia w panelu (pracownik)"),
            {
                "classes": ["collapse"],
                "fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"],
            },
        ),
        (
            _("Logowanie i bezpieczeństwo"),
            {
                "description": _(
                    "Blokadę zdejmuje akcja „Odblokuj” na liście użytkowników; nowe hasło "
                    "jednorazowe wysyła akcja „Wyślij hasło jednorazowe”."
                ),
                "fields": [
                    "signin_state",
                    "locked_at",
                    "lock_reason",
                    "failed_signin_count",
                    "must_change_password",
                    "password_changed_at",
                    "audit_link",
                ],
            },
        ),
        (_("Daty"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "company",
                    "login",
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "phone",
                    "is_staff",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]

    # Sign-in security (accounts.services): lock state, unlock, first-sign-in SMS, audit.

    @admin.display(description=_("logowanie"))
    def signin_state(self, user: User) -> str:
        if not user.company_id:
            return "–"
        if user.is_locked:
            return format_html("<strong>⛔ {}</strong>", _("zablokowany"))
        if user.must_change_password:
            return _("czeka na pierwsze logowanie")
        return _("aktywne")

    @admin.display(description=_("dziennik zdarzeń"))
    def audit_link(self, user: User) -> str:
        if user.pk is None:
            return "–"
        return changelist_link(
            "accounts.auditentry", _("zdarzenia użytkownika"), user__id__exact=user.pk
        )

    @admin.display(description=_("zmiana e-maila"))
    def pending_email(self, user: User) -> str:
        pending = email_change_pending(user=user) if user.pk else None
        if pending is None:
            return "–"
        return _("%(email)s: czeka na potwierdzenie linkiem (ważnym do %(until)s)") % {
            "email": pending.new_email,
            "until": date_format(timezone.localtime(pending.expires_at), "SHORT_DATETIME_FORMAT"),
        }

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        # A client user's new address takes effect only once the link sent to it is followed,
        # as when the user or their company admin changes it: until then the old one stays.
        new_email = None
        if change and obj.company_id and "email" in form.changed_data and obj.email:
            new_email, obj.email = obj.email, form.initial.get("email") or ""
        super().save_model(request, obj, form, change)
        if new_email is not None:
            email_change_request(
                user=obj, new_email=new_email, by=request.user, audit=audit_context(request)
            )
            self.message_user(
                request,
                _(
                    "Na adres %(email)s wysłano link potwierdzający. Nowy adres zacznie "
                    "obowiązywać, gdy użytkownik z niego skorzysta; do tego czasu obowiązuje "
                    "dotychczasowy."
                )
                % {"email": new_email},
                messages.INFO,
            )
        if change or not obj.company_id:
            return
        # A new client user: one-time password by SMS (and the login by e-mail).
        if obj.phone:
            user_invite(user=obj, by=request.user, audit=audit_context(request))
            self.message_user(
                request,
                _("Wysłano SMS z hasłem jednorazowym do pierwszego logowania."),
                messages.SUCCESS,
            )
        else:
            obj.set_unusable_password()
            obj.save(update_fields=["password"])
            self.message_user(
                request,
                _(
                    "Użytkownik nie ma numeru telefonu komórkowego – nie wysłano hasła "
                    "jednorazowego. Uzupełnij numer i użyj akcji „Wyślij hasło jednorazowe”."
                ),
                messages.WARNING,
            )

    def _run_for_client_users(
        self, request: HttpRequest, queryset: QuerySet[User], service, *, success: str
    ) -> None:
        """`service(user=..., by=..., audit=...)` for each selected client user (staff are
        skipped: they have no portal sign-in)."""
        audit = audit_context(request)
        run_for_each(
            self,
            request,
            queryset.filter(company__isnull=False),
            lambda user: service(user=user, by=request.user, audit=audit),
            errors=(ValueError,),
            success=success,
        )

    @admin.action(description=_("Odblokuj logowanie wybranych użytkowników"))
    def unlock_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._run_for_client_users(
            request, queryset, user_unlock, success=_("Odblokowano użytkowników: %(count)d.")
        )

    @admin.action(description=_("Zablokuj logowanie wybranych użytkowników"))
    def lock_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._run_for_client_users(
            request, queryset, user_lock, success=_("Zablokowano użytkowników: %(count)d.")
        )

    @admin.action(description=_("Wyślij hasło jednorazowe (pierwsze logowanie od nowa)"))
    def send_one_time_password(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._run_for_client_users(
            request, queryset, user_invite, success=_("Wysłano hasła jednorazowe: %(count)d.")
        )
