"""The helpers' text catalog: extract the marked strings, merge them into the .po, compile the .mo.

    python scripts/catalog.py            # (make catalog) extract, update the zh_CN .po, compile its .mo
    python scripts/catalog.py --check    # status 1 if the .po lacks, leaves untranslated or fuzzy,
                                         # or keeps unused entries, or the .mo is not its fresh compile

Runs Babel's own commands (``pybabel extract`` with ``babel.cfg``, ``pybabel update``,
``pybabel compile``) with the options below, so every catalog is made the same way. After
``update``, translate the new entries of ``course_utils/locale/zh_CN/LC_MESSAGES/course_utils.po``
(an empty ``msgstr``) and run it again: the compiled ``.mo`` is committed beside the ``.po``
(``tests/test_zh.py`` proves it equals a fresh compile), so a fresh clone, Binder and Colab need
no Babel at run time.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import CommandLineInterface, parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import course_utils

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "course_utils"
LOCALE_DIR = PACKAGE / "locale"
DOMAIN = "course_utils"
LOCALES = ("zh_CN",)
MAPPING = ROOT / "babel.cfg"
TEMPLATE = ROOT / "build" / f"{DOMAIN}.pot"
#: Marker functions besides Babel's defaults (``_``, ``gettext``, ``N_`` …): a ``Message`` template.
KEYWORDS = ("Message",)
ISSUES = "https://github.com/loss-functions-course/loss-functions-course/issues"
#: No file locations (a moved line would change the catalog), one line per message.
LAYOUT = ("--no-location", "--sort-output", "--no-wrap")


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(locale: str) -> Path:
    return po_path(locale).with_suffix(".mo")


def extracted_ids() -> set[str]:
    """The message ids marked in ``course_utils`` now (what a fresh ``pybabel extract`` finds)."""
    with MAPPING.open() as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    from babel.messages.extract import DEFAULT_KEYWORDS

    keywords = dict(DEFAULT_KEYWORDS) | {keyword: None for keyword in KEYWORDS}
    return {
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(
            str(PACKAGE), method_map, options_map, keywords=keywords
        )
    }


def read_catalog(locale: str) -> Catalog:
    with po_path(locale).open("rb") as po:
        return read_po(po, locale=locale)


def compiled(locale: str) -> bytes:
    """The ``.mo`` that ``pybabel compile`` makes from the ``.po`` as it is now."""
    buffer = io.BytesIO()
    write_mo(buffer, read_catalog(locale), use_fuzzy=False)
    return buffer.getvalue()


def problems(locale: str) -> list[str]:
    """Why the catalog of ``locale`` is not complete and in step with the code (empty when it is)."""
    catalog = read_catalog(locale)
    found = []
    entries = {message.id: message for message in catalog if message.id}
    marked = extracted_ids()
    for text in sorted(marked - set(entries)):
        found.append(f"{locale}: not in the catalog (run make catalog): {text!r}")
    for text in sorted(set(entries) - marked):
        found.append(f"{locale}: unused entry (no longer in the code): {text!r}")
    for text, message in sorted(entries.items()):
        if message.fuzzy:
            found.append(f"{locale}: fuzzy entry: {text!r}")
        elif not message.string:
            found.append(f"{locale}: untranslated: {text!r}")
    if catalog.obsolete:
        found.append(f"{locale}: {len(catalog.obsolete)} obsolete (#~) entries")
    if not mo_path(locale).exists() or mo_path(locale).read_bytes() != compiled(locale):
        found.append(
            f"{locale}: {mo_path(locale).name} is not the compiled .po (run make catalog)"
        )
    return found


def _entries(po: bytes) -> list[tuple[str, str, bool]]:
    return [(m.id, m.string, m.fuzzy) for m in read_po(io.BytesIO(po)) if m.id]


def _pybabel(*args: str) -> None:
    status = CommandLineInterface().run(["pybabel", *args])
    if status:
        raise SystemExit(status)


def update() -> None:
    """``pybabel extract`` → build/course_utils.pot, ``update`` each .po (or ``init``), ``compile``."""
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    keywords = [f"--keyword={keyword}" for keyword in KEYWORDS]
    _pybabel(
        "extract", f"--mapping-file={MAPPING}", *keywords, *LAYOUT,
        "--project=course-utils", f"--version={course_utils.__version__}",
        f"--msgid-bugs-address={ISSUES}", f"--output-file={TEMPLATE}", str(PACKAGE),
    )  # fmt: skip
    for locale in LOCALES:
        before = po_path(locale).read_bytes() if po_path(locale).exists() else None
        command = "update" if before is not None else "init"
        extra = (
            ["--no-fuzzy-matching", "--ignore-obsolete"] if command == "update" else []
        )
        _pybabel(
            command, f"--domain={DOMAIN}", f"--input-file={TEMPLATE}",
            f"--output-dir={LOCALE_DIR}", f"--locale={locale}", "--no-wrap", *extra,
        )  # fmt: skip
        if before is not None and _entries(po_path(locale).read_bytes()) == _entries(
            before
        ):
            po_path(locale).write_bytes(
                before
            )  # only the header's dates changed: keep the file
        _pybabel(
            "compile", f"--domain={DOMAIN}", f"--directory={LOCALE_DIR}",
            f"--locale={locale}", "--statistics",
        )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="report, change nothing")
    args = parser.parse_args(argv)
    if not args.check:
        update()
    found = [problem for locale in LOCALES for problem in problems(locale)]
    print("\n".join(found) if found else "catalogs complete and compiled")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
