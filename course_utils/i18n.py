"""The language of the helpers' text: English by default, Simplified Chinese on request.

Every sentence a helper shows a learner (a check's verdict, a hint, a widget's title, a figure's
labels, a printed table) goes through :func:`gettext` (imported as ``_``), which looks it up in
the catalog of the current language: ``course_utils/locale/zh_CN/LC_MESSAGES/course_utils.po``
(the translations) compiled to ``course_utils.mo`` (what is read). In English, ``_`` returns its
argument unchanged, so English output never depends on the catalog.

Text defined when a module is imported (an exercise's hint, a constant label) is only *marked*
with :func:`N_` and translated where it is shown, so the language may change after the import.
Text with values in it is a :class:`Message`: the English string itself, which remembers its
template so that the template is translated and the values filled in afterwards.

``setup_notebook(lang="zh")`` (``course_utils.environment``) calls :func:`set_language`.
Error messages for bad input stay English (CONTRIBUTING.md, "Chinese edition").
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

#: Where the catalogs are: ``<LOCALE_DIR>/<locale>/LC_MESSAGES/<DOMAIN>.mo``.
LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "course_utils"
#: The languages the helpers speak, by the code ``set_language`` takes, with their gettext locale.
LANGUAGES: dict[str, str | None] = {"en": None, "zh": "zh_CN"}

_language = "en"
_catalog: _gettext.NullTranslations | None = None


class Message(str):
    """English text made from a template and values, translated as a whole template.

    ``Message("give {precision}.", precision="3 decimals")`` *is* the English string
    ``"give 3 decimals."`` (compared, searched and printed like any ``str``) and keeps its
    template and values: :func:`gettext` looks up the template in the catalog and fills in the
    values, translating those that are text. The template is what the catalog lists.
    """

    template: str
    fields: dict[str, Any]

    def __new__(cls, template: str, /, **fields: Any) -> Message:
        text = super().__new__(cls, template.format(**fields))
        text.template = template
        text.fields = fields
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_message, (self.template, self.fields))


def _rebuild_message(template: str, fields: dict[str, Any]) -> Message:
    return Message(template, **fields)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it now (translate it where it is shown)."""
    return message


def gettext(message: str) -> str:
    """``message`` in the current language (itself in English, or when the catalog lacks it).

    A :class:`Message` is translated through its template, its text values through the catalog.
    """
    if _catalog is None or not message:
        return message
    if isinstance(message, Message):
        values = {
            name: gettext(value) if isinstance(value, str) else value
            for name, value in message.fields.items()
        }
        return gettext(message.template).format(**values)
    return _catalog.gettext(message)


_ = gettext


class TextMap(Mapping[str, str]):
    """A read-only table of English texts (marked with :func:`N_`), read in the current language.

    For a module's table that a notebook prints directly (``for name, text in TABLE.items()``):
    the keys stay as they are, each value is translated when it is read.
    """

    def __init__(self, texts: Mapping[str, str]) -> None:
        self._texts = dict(texts)

    def __getitem__(self, key: str) -> str:
        return gettext(self._texts[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)

    def __repr__(self) -> str:
        return f"TextMap({dict(self.items())!r})"


def get_language() -> str:
    """The language of the helpers' text now: ``"en"`` (the default) or ``"zh"``."""
    return _language


def catalog_path(language: str) -> Path:
    """The compiled catalog (``.mo``) of ``language``; ``ValueError`` for English (it has none)."""
    locale = _locale_of(language)
    if locale is None:
        raise ValueError("English is the helpers' own language and has no catalog.")
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"


def _locale_of(language: str) -> str | None:
    if not isinstance(language, str) or language not in LANGUAGES:
        raise ValueError(
            f"language must be one of {sorted(LANGUAGES)}, got {language!r}; "
            'pass e.g. set_language("zh").'
        )
    return LANGUAGES[language]


def set_language(language: str) -> None:
    """Show the helpers' text in ``language`` from now on: ``"en"`` or ``"zh"`` (Simplified Chinese).

    Used in: every notebook's setup cell, through ``setup_notebook(lang=...)``.
    """
    global _language, _catalog
    locale = _locale_of(language)
    if locale is None:
        _catalog = None
    else:
        with catalog_path(language).open("rb") as compiled:
            _catalog = _gettext.GNUTranslations(compiled)
    _language = language
