from __future__ import annotations

import pytest

from accounts.services import masked_password_set
from tests.factories import UserFactory

from .helpers import PASSWORD


def make_client_user(password: str = PASSWORD, **kwargs):
    user = UserFactory(phone=kwargs.pop("phone", "+48600100200"), **kwargs)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    masked_password_set(user=user, password=password)
    return user


@pytest.fixture
def client_user(db):
    """A client user with the masked password `helpers.PASSWORD` and a mobile phone."""
    return make_client_user(first_name="Anna", last_name="Nowak", login="anna.nowak")
