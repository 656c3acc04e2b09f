"""Error pages and the outage answer: a 503 in the user's language instead of a server error.

When Redis (cache, rate-limit counters, broker) or another backing service cannot be reached,
a request that needs it is refused with the branded "service temporarily unavailable" page and
`Retry-After`, never a 500: the user learns it is temporary and nothing was half-done on our side
that they should worry about; the operator sees one warning line, not a traceback per request.

The error pages are self-contained templates (`templates/errors/standalone.html`): they render
without the request's context processors, which may be what is failing.
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils import translation
from kombu.exceptions import OperationalError as BrokerUnreachable
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class ServiceUnavailable(Exception):
    """A backing service needed to answer safely is down; the request is refused with a 503."""


# What "a backing service is down" looks like from inside a request: the redis client's
# connection and timeout errors (cache, sessions cache, rate limits) and kombu's wrapper of
# them when a task cannot be queued.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    ServiceUnavailable,
    RedisConnectionError,
    RedisTimeoutError,
    BrokerUnreachable,
)


def chosen_language(request: HttpRequest | None) -> str:
    """The language the user chose (the PL/EN switch's cookie), else Polish.

    The same rule as `PolishFirstLocaleMiddleware`, read again here because an error may be
    raised before that middleware ran, leaving another request's language active.
    """
    supported = {code for code, _name in settings.LANGUAGES}
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) if request is not None else None
    return chosen if chosen in supported else settings.LANGUAGE_CODE


# Last resort when even the error template cannot render (e.g. a broken static manifest).
_PLAIN = {
    500: {
        "pl": "Wystąpił błąd serwera. Spróbuj ponownie za chwilę.",
        "en": "A server error occurred. Please try again shortly.",
    },
    503: {
        "pl": "Usługa chwilowo niedostępna, spróbuj ponownie za chwilę.",
        "en": "The service is temporarily unavailable, please try again shortly.",
    },
}


def _error_page(request: HttpRequest | None, status: int) -> HttpResponse:
    language = chosen_language(request)
    try:
        with translation.override(language):
            body = loader.get_template(f"{status}.html").render()
        response = HttpResponse(body, status=status)
    except Exception:
        logger.exception("The %s error page could not be rendered", status)
        response = HttpResponse(
            _PLAIN[status].get(language, _PLAIN[status]["pl"]),
            status=status,
            content_type="text/plain; charset=utf-8",
        )
    response["Cache-Control"] = "no-store"
    response["Content-Language"] = language
    return response


def service_unavailable(request: HttpRequest | None) -> HttpResponse:
    response = _error_page(request, 503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """`handler500`. An outage raised outside a view (e.g. in a middleware) still becomes a 503."""
    exc = sys.exc_info()[1]
    if isinstance(exc, OUTAGE_ERRORS):
        return service_unavailable(request)
    return _error_page(request, 500)


class OutageMiddleware:
    """Turns an outage raised by a view (the rate limiter's cache call, a throttle, a task
    that cannot be queued) into the 503 page instead of a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OUTAGE_ERRORS):
            return None
        logger.warning(
            "Service unavailable for %s %s: %s: %s",
            request.method,
            request.path,
            type(exception).__name__,
            exception,
        )
        return service_unavailable(request)
