"""Back office for companies and users.

Client users belong to a company and sign in with its client number and their login; staff
have no company and sign in to this admin with a password and a TOTP code. Other modules add
to these classes (sign-in state, audit) and `invoices.admin` extends the company page with
the company's balance; keep the column and fieldset lists as plain class attributes.
"""

from __future__ import annotations

from base64 import b32encode

import qrcode
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode.image.svg import SvgPathImage

from ebok.admin_tools import (
    ReadOnlyAdmin,
    action_form_response,
    action_form_submitted,
    changelist_link,
    run_for_each,
)

from .access_services import (
    AccessApplicationError,
    access_application_approve,
    access_application_reject,
    application_company,
)
from .audit import action_choices, action_label
from .models import AccessApplication, AuditEntry, Company, Consent, User
from .services import user_invite, user_lock, user_unlock
from .validators import normalize_nip, normalize_regon


class UserInline(admin.TabularInline):
    """The company's users at a glance; they are added and edited on the user page."""

    model = User
    fields = ["login", "first_name", "last_name", "email", "is_company_admin", "is_active"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("użytkownicy firmy")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class CompanyAdminForm(forms.ModelForm):
    """NIP and REGON as people paste them (`526-025-02-74`), stored as digits."""

    nip = forms.CharField(label=_("NIP"), max_length=20)
    regon = forms.CharField(label=_("REGON"), max_length=20, required=False)

    class Meta:
        model = Company
        fields = [
            "client_number",
            "name",
            "nip",
            "regon",
            "street",
            "postal_code",
            "city",
            "email",
            "phone",
            "is_active",
        ]

    def clean_nip(self) -> str:
        return normalize_nip(self.cleaned_data["nip"])

    def clean_regon(self) -> str:
        return normalize_regon(self.cleaned_data["regon"])


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    form = CompanyAdminForm
    list_display = ["client_number", "name", "nip", "regon", "city", "is_active", "created_at"]
    list_display_links = ["client_number", "name"]
    list_filter = ["is_active"]
    search_fields = ["client_number", "nip", "regon", "name", "city"]
    search_help_text = _("Szukaj po numerze klienta, NIP, REGON, nazwie lub miejscowości.")
    date_hierarchy = "created_at"
    ordering = ["name"]
    readonly_fields = ["created_at", "users_links"]
    fieldsets = [
        (None, {"fields": ["client_number", "name", "nip", "regon", "is_active"]}),
        (_("Adres i kontakt"), {"fields": ["street", "postal_code", "city", "email", "phone"]}),
        (_("Użytkownicy"), {"fields": ["users_links", "created_at"]}),
    ]
    inlines = [UserInline]

    @admin.display(description=_("użytkownicy"))
    def users_links(self, company: Company) -> str:
        if company.pk is None:
            return "–"
        users = changelist_link("accounts.user", _("lista"), company__id__exact=company.pk)
        add_user = format_html(
            '<a href="{}?company={}">{}</a>',
            reverse("admin:accounts_user_add"),
            company.pk,
            _("dodaj użytkownika firmy"),
        )
        return format_html("{} · {}", users, add_user)


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
        "is_company_admin",
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
    ]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Firma"), {"fields": ["company", "login"]}),
        (_("Dane osobowe"), {"fields": ["first_name", "last_name", "email", "phone"]}),
        (
            _("Uprawnienia w eBOK (użytkownik firmy)"),
            {
                "fields": [
                    "is_company_admin",
                    "can_view_finances",
                    "can_view_contracts",
                    "can_submit_requests",
                    "can_sign_documents",
                    "contracts_restricted",
                    "allowed_contracts",
                ]
            },
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

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change or not obj.company_id:
            return
        # A new client user: one-time password by SMS (and the login by e-mail).
        if obj.phone:
            user_invite(user=obj, by=request.user, request=request)
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
        """`service(user=..., by=..., request=...)` for each selected client user (staff are
        skipped: they have no portal sign-in)."""
        run_for_each(
            self,
            request,
            queryset.filter(company__isnull=False),
            lambda user: service(user=user, by=request.user, request=request),
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


class AuditActionFilter(admin.SimpleListFilter):
    title = _("zdarzenie")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return action_choices()

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit log: staff browse and filter it; nobody adds, edits or deletes entries."""

    list_display = ["created_at", "event", "actor", "company", "object_repr", "ip"]
    list_filter = [AuditActionFilter, "created_at"]
    search_fields = [
        "actor",
        "action",
        "object_repr",
        "object_id",
        "ip",
        "company__client_number",
        "company__name",
        "user__last_name",
    ]
    search_help_text = _("Szukaj po użytkowniku, zdarzeniu, obiekcie, adresie IP lub firmie.")
    date_hierarchy = "created_at"
    list_select_related = ["company", "user"]
    readonly_fields = [
        "created_at",
        "event",
        "action",
        "user",
        "company",
        "actor",
        "object_type",
        "object_id",
        "object_repr",
        "ip",
        "user_agent",
        "details",
    ]
    fields = readonly_fields
    show_full_result_count = False

    @admin.display(description=_("zdarzenie"), ordering="action")
    def event(self, entry: AuditEntry) -> str:
        return action_label(entry.action)

    def get_actions(self, request: HttpRequest):
        return {}


# --- staff TOTP devices -----------------------------------------------------------------------

admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class StaffTOTPDeviceAdmin(TOTPDeviceAdmin):
    """django-otp's device admin, for staff only, showing the enrolment QR code once: right
    after the device is created (later the key stays hidden, OTP_ADMIN_HIDE_SENSITIVE_DATA)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(is_staff=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def response_add(self, request: HttpRequest, obj: TOTPDevice, post_url_continue=None):
        qr = qrcode.make(obj.config_url, image_factory=SvgPathImage, box_size=8)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Urządzenie TOTP: %(user)s") % {"user": obj.user},
            "opts": self.model._meta,
            "device": obj,
            "config_url": obj.config_url,
            "secret": b32encode(obj.bin_key).decode(),
            "qr_svg": mark_safe(qr.to_string(encoding="unicode")),
        }
        return TemplateResponse(request, "admin/otp_totp/enrol.html", context)


# --- access applications and consents ---------------------------------------------------------


class RejectApplicationForm(forms.Form):
    reason = forms.CharField(
        label=_("Powód odrzucenia (wyślemy go wnioskodawcy e-mailem)"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=1000,
        error_messages={"required": _("Podaj powód odrzucenia.")},
    )


@admin.register(AccessApplication)
class AccessApplicationAdmin(admin.ModelAdmin):
    """Staff verify applications: the company and contract check is shown, not decided for
    them; approving creates the company's admin, rejecting e-mails the reason."""

    list_display = ["created_at", "status", "applicant", "nip", "contract_number", "matches"]
    list_filter = ["status", "created_at"]
    search_fields = ["nip", "contract_number", "last_name", "email", "phone"]
    search_help_text = _("Szukaj po NIP, numerze umowy, nazwisku, e-mailu lub telefonie.")
    date_hierarchy = "created_at"
    actions = ["approve", "reject"]
    readonly_fields = [
        "status",
        "matches",
        "nip",
        "contract_number",
        "first_name",
        "last_name",
        "email",
        "phone",
        "terms_accepted_at",
        "marketing_consent",
        "created_at",
        "ip",
        "user_agent",
        "decided_at",
        "decided_by",
        "reject_reason",
        "company",
        "created_user",
    ]
    fieldsets = [
        (None, {"fields": ["status", "matches"]}),
        (_("Firma"), {"fields": ["nip", "contract_number"]}),
        (
            _("Przyszły administrator"),
            {"fields": ["first_name", "last_name", "email", "phone"]},
        ),
        (_("Zgody"), {"fields": ["terms_accepted_at", "marketing_consent"]}),
        (_("Złożenie"), {"fields": ["created_at", "ip", "user_agent"]}),
        (
            _("Decyzja"),
            {"fields": ["decided_at", "decided_by", "reject_reason", "company", "created_user"]},
        ),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("wnioskodawca"))
    def applicant(self, application: AccessApplication) -> str:
        return f"{application.first_name} {application.last_name}"

    @admin.display(description=_("weryfikacja danych"))
    def matches(self, application: AccessApplication) -> str:
        company = application_company(application)
        if company is not None:
            icon, text = "yes", _("umowa należy do firmy %(company)s") % {"company": company}
        elif Company.objects.filter(nip=application.nip).exists():
            icon, text = "alert", _("firma istnieje, ale nie ma takiej umowy")
        else:
            icon, text = "no", _("brak firmy o tym NIP")
        src = static(f"admin/img/icon-{icon}.svg")
        return format_html('<img src="{}" alt="" width="13" height="13"> {}', src, text)

    @admin.action(description=_("Zatwierdź: utwórz administratora firmy i wyślij dostęp"))
    def approve(self, request: HttpRequest, queryset: QuerySet[AccessApplication]) -> None:
        run_for_each(
            self,
            request,
            queryset,
            lambda application: access_application_approve(
                application=application, by=request.user, request=request
            ),
            errors=(AccessApplicationError,),
            success=_("Zatwierdzono wnioski: %(count)d. Wysłano SMS z hasłem jednorazowym."),
        )

    @admin.action(description=_("Odrzuć z podaniem powodu (e-mail do wnioskodawcy)"))
    def reject(self, request: HttpRequest, queryset: QuerySet[AccessApplication]):
        form = RejectApplicationForm(request.POST if action_form_submitted(request) else None)
        if action_form_submitted(request) and form.is_valid():
            reason = form.cleaned_data["reason"]
            run_for_each(
                self,
                request,
                queryset,
                lambda application: access_application_reject(
                    application=application, by=request.user, reason=reason, request=request
                ),
                errors=(AccessApplicationError,),
                success=_("Odrzucono wnioski: %(count)d. Wnioskodawcy dostali e-mail z powodem."),
            )
            return None
        return action_form_response(
            self,
            request,
            queryset,
            form,
            title=_("Odrzucenie wniosków o nadanie dostępu"),
            action="reject",
            submit_label=_("Odrzuć i wyślij e-mail"),
        )


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    """Consent history: who gave or withdrew what and when. Rows are only ever added."""

    list_display = ["created_at", "company", "user", "kind", "granted", "by", "source", "ip"]
    list_filter = ["kind", "granted", "source"]
    search_fields = ["company__client_number", "company__name", "user__last_name", "user__login"]
    list_select_related = ["company", "user", "by"]
    date_hierarchy = "created_at"

    def get_actions(self, request: HttpRequest):
        return {}
