"""Fixtures for the forms package: no database, translations from forms/locale.

The forms package only needs Django's settings for translation and time zones. When the
project settings are in use (pytest-django), they are left alone; when they are not (e.g.
`pytest -p no:django tests/forms` while webapp.settings is broken), minimal ones are configured.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.test.utils import override_settings
from django.utils import translation

FORMS_LOCALE = Path(__file__).resolve().parents[2] / "forms" / "locale"

if not settings.configured:
    settings.configure(
        USE_I18N=True,
        USE_TZ=True,
        TIME_ZONE="Asia/Shanghai",
        LANGUAGE_CODE="zh-hans",
        LANGUAGES=[("zh-hans", "简体中文"), ("en", "English")],
        LOCALE_PATHS=[FORMS_LOCALE],
        INSTALLED_APPS=[],
    )
    django.setup()


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages in English unless a test asks for Chinese: the msgids are what tests compare."""
    with translation.override("en"):
        yield


@pytest.fixture
def zh() -> Iterator[None]:
    """Chinese (the project default), with forms/locale on the path whatever the settings say."""
    paths = [FORMS_LOCALE, *(p for p in settings.LOCALE_PATHS if Path(p) != FORMS_LOCALE)]
    with override_settings(LOCALE_PATHS=paths), translation.override("zh-hans"):
        yield


def resident_id(first_17: str) -> str:
    """A resident ID with the right check digit for its first 17 digits."""
    from stdnum.cn import ric

    return first_17 + ric.calc_check_digit(first_17 + "0")  # calc_check_digit ignores the last char


@pytest.fixture
def make_resident_id() -> object:
    return resident_id
