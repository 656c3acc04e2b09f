from __future__ import annotations

import html
import types
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParser
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.datastructures import ImmutableList


class PolishFirstLocaleMiddleware(LocaleMiddleware):
    """Polish unless the user chose otherwise (the language cookie set by the PL/EN switch).

    Django's own middleware would follow the browser's Accept-Language; a Polish portal for
    Polish companies opens in Polish on an English-language browser too.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every page and file the portal answers itself.

    Behind sign-in every answer holds a company's data (pages, PDFs, Excel files, ZIPs): no
    shared proxy may keep it, and the browser must not show it from its cache after sign-out
    (the back button). The sign-in pages carry a CSRF token and the password positions drawn
    for a user, so they are not kept either. Static files never get here: WhiteNoise answers
    them before this middleware (listed after it) and keeps them cacheable. A public page may
    still say `Cache-Control: public` itself; for a signed-in user it is overridden.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or "public" not in response.get("Cache-Control", ""):
            patch_cache_control(response, no_store=True, private=True)
        return response


# A mark no real file name can hold: Django's parser removes every non-printable character.
UNSAFE_UPLOAD_NAME_MARK = "\x00"


class _NameKeepingParser(MultiPartParser):
    """Django's parser, but a file name it had to cut (a folder, a control character) keeps
    a mark, so the upload checks refuse it with a message instead of storing a renamed file."""

    def sanitize_file_name(self, file_name):
        cleaned = super().sanitize_file_name(file_name)
        if cleaned is not None and cleaned != html.unescape(file_name):
            return UNSAFE_UPLOAD_NAME_MARK + cleaned
        return cleaned


def _parse_file_upload(request: HttpRequest, meta, post_data):
    # HttpRequest.parse_file_upload with the parser above.
    request.upload_handlers = ImmutableList(
        request.upload_handlers,
        warning="You cannot alter upload handlers after the upload has been processed.",
    )
    return _NameKeepingParser(meta, post_data, request.upload_handlers, request.encoding).parse()


class UploadNameMiddleware:
    """Every upload's name as the client sent it is judged, not Django's cleaned copy: a name
    such as `../../etc/umowa.pdf` or one with a control character reaches the upload checks
    (ebok.uploads, documents.uploads) marked, and they refuse it. Placed before
    anything reads `request.POST` (the CSRF check does)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.parse_file_upload = types.MethodType(_parse_file_upload, request)
        return self.get_response(request)
