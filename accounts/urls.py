"""Every page of `accounts`, in one namespace: the URL names stay "accounts:<name>" whichever
part (sign-in, public self-service, profile, company administration) a page belongs to."""

from __future__ import annotations

from .company import urls as company
from .notices import urls as notices
from .profile import urls as profile
from .public import urls as public
from .signin import urls as signin

app_name = "accounts"

urlpatterns = [
    *signin.urlpatterns,
    *public.urlpatterns,
    *profile.urlpatterns,
    *company.urlpatterns,
    *notices.urlpatterns,
]
