"""Per-company cached reads, made stale by a per-company data version.

Aggregates such as the balance, the 12-month installment chart or the number of rows of a
filtered list do not change between two requests unless the company's data changed, so they are
computed once and kept in the cache together with the company's *data version* they were
computed for. Whatever writes a company's contracts, schedules, invoices or payments calls
`company_data_changed(company_id)`, which draws a new version: every entry computed before is
stale from then on and is computed again on its next read.

The version changes twice: at once, so reads later in the same transaction (and tests, which
never commit) miss the cache; and again when the transaction commits, so a value computed by a
concurrent request from the data as it was before the commit is never served afterwards.

Keys must name everything else the value depends on: who looks (the user's visibility scope),
the business date, the language if the value holds translated text (better: cache data, not
text, and format it per request).
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import secrets
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction

T = TypeVar("T")

logger = logging.getLogger(__name__)
_UNREADABLE = (pickle.UnpicklingError, AttributeError, ImportError, EOFError, TypeError)

# A live entry is recomputed after this, whatever happens; a stale one is overwritten earlier.
TIMEOUT = 60 * 60


def _version_key(company_id: int) -> str:
    return f"company-data:{company_id}:version"


def _current_version(company_id: int) -> str:
    """The version when there is none yet (first use, or the cache was emptied)."""
    key = _version_key(company_id)
    cache.add(key, secrets.token_hex(8), timeout=None)
    return cache.get(key)


def _bump(company_id: int) -> None:
    cache.set(_version_key(company_id), secrets.token_hex(8), timeout=None)


def company_data_changed(company_id: int | None) -> None:
    """Make every cached read of the company stale: now and when the transaction commits."""
    if company_id is None:
        return
    _bump(company_id)
    transaction.on_commit(lambda: _bump(company_id))


def company_cached(company_id: int, key: str, compute: Callable[[], T]) -> T:
    """`compute()` once per data version of the company; `key` names everything else it uses
    (any text: it is hashed, so a user's search words are fine).

    An entry carries the version it was computed for, so a read is one round trip to the
    cache (the version and the entry together) and a stale entry is simply recomputed.
    """
    digest = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
    version_key, entry_key = _version_key(company_id), f"company-data:{company_id}:{digest}"
    try:
        found = cache.get_many([version_key, entry_key])
    except _UNREADABLE:
        # An entry this code cannot unpickle (written by an older release whose classes
        # changed): a miss, never a broken page.
        logger.warning("unreadable cached entry %s, recomputing", entry_key, exc_info=True)
        cache.delete(entry_key)
        found = {version_key: cache.get(version_key)}
    version = found.get(version_key) or _current_version(company_id)
    entry = found.get(entry_key)
    if entry is not None and entry[0] == version:
        return entry[1]
    value = compute()
    cache.set(entry_key, (version, value), TIMEOUT)
    return value


def invalidate_on_change(model, company_of: Callable[[object], int | None]) -> None:
    """Any save or delete of a `model` row (admin edits, imports) makes its company's data stale.

    Services that write in bulk (bulk_create / update, which send no signals) call
    `company_data_changed` themselves.
    """
    from django.db.models.signals import post_delete, post_save

    def changed(sender, instance, **kwargs) -> None:
        try:
            company_id = company_of(instance)
        except ObjectDoesNotExist:  # its parent went in the same cascade and bumps for it
            return
        company_data_changed(company_id)

    uid = f"ebok.datacache:{model._meta.label}"
    post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid)
