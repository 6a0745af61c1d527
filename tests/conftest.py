"""Shared by every test module."""

import pytest

from kepatuhan_lib import i18n


@pytest.fixture(autouse=True)
def indonesian():
    """Each test starts in Indonesian, whatever language an earlier one set (check_parameters sets it)."""
    i18n.activate(i18n.DEFAULT)
    yield
    i18n.activate(i18n.DEFAULT)
