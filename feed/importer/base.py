from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext as _

from accounts.audit import AuditContext
from accounts.models import Company
from contracts.models import Contract

from .known import Known

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


class RecordError(Exception):
    """A record that cannot be applied: (field path, message) pairs, user-facing."""

    def __init__(self, *problems: tuple[str, str]) -> None:
        super().__init__(problems)
        self.problems = list(problems)

    @classmethod
    def from_validation(cls, error: DjangoValidationError, names: dict[str, str] | None = None):
        names = names or {}
        if hasattr(error, "error_dict"):
            problems = [
                (names.get(name, "" if name == "__all__" else name), str(message))
                for name, messages in error.message_dict.items()
                for message in messages
            ]
        else:
            problems = [("", str(message)) for message in error.messages]
        return cls(*problems)


@dataclass
class GroupContext:
    """What the records of one company share while they are applied."""

    company_key: str
    audit: AuditContext
    payment_mode: str
    company: Company | None = None
    balances: list[tuple[Any, Decimal]] = field(default_factory=list)
    known: Known = field(default_factory=Known)

    def require_company(self) -> Company:
        if self.company is None:
            raise RecordError(
                (
                    "company",
                    _("Nieznana firma %(key)s: najpierw wyślij jej rekord „company”.")
                    % {"key": self.company_key},
                )
            )
        return self.company

    def contract(self, external_id: str, path: str = "contract") -> Contract:
        self.require_company()
        contract = self.known.contracts.get(external_id)
        if contract is None:
            raise RecordError((path, _("Nieznana umowa %(key)s.") % {"key": external_id}))
        return contract


def changed_fields(obj: models.Model, values: dict[str, Any]) -> list[str]:
    return [name for name, value in values.items() if getattr(obj, name) != value]


def assign(obj: models.Model, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(obj, name, value)


def checked_save(
    obj: models.Model, *, names: dict[str, str] | None = None, exclude: Iterable[str] = ()
) -> None:
    """Save after the model's own validation (fields, constraints, uniqueness), so a conflict
    comes back as a field error, not as a database error."""
    try:
        obj.full_clean(exclude=list(exclude))
    except DjangoValidationError as error:
        raise RecordError.from_validation(error, names) from None
    obj.save()
