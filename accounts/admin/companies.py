"""The companies (clients of the lessor) in the back office."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ebok.admin_tools import changelist_link

from ..models import Company, User
from ..validators import normalize_nip, normalize_regon


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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Self-registration compares what the registrant types with these two.
        self.fields["email"].help_text = _(
            "Adres e-mail firmy; na niego wysyłamy link samodzielnej rejestracji w eBOK."
        )
        self.fields["phone"].help_text = _(
            "Telefon komórkowy firmy; nim rejestrujący się potwierdza konto kodem SMS."
        )

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
