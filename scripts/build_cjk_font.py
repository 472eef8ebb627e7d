"""Build the CJK font that figures of the Chinese edition use: a subset of Noto Sans CJK SC.

    apt-get install -y fonts-noto-cjk        # Debian's package (the verified source below)
    python scripts/build_cjk_font.py         # writes course_utils/fonts/CourseSansSC-Regular.otf

Matplotlib's own font (DejaVu Sans) has no Chinese glyphs, and a learner's machine, Binder and
Colab may have no CJK font at all, so the package ships one: Noto Sans CJK SC Regular (SIL Open
Font License 1.1, kept beside it as ``OFL.txt``), cut down with fontTools' ``pyftsubset`` to

* ASCII, GB2312's symbol rows (full-width punctuation, Greek, arrows, maths signs: rows 1-9),
  its 3,755 level-1 hanzi (rows 16-55: the common characters, room for new text), the CJK
  punctuation and full-width forms blocks, and
* every character of the zh notebooks (``notebooks/zh/*.ipynb``) and of the helpers' zh catalog
  (``course_utils/locale/zh_CN/LC_MESSAGES/course_utils.po``) that the source font has,

without hinting or OpenType layout tables (matplotlib uses neither); what the source lacks (ŷ,
subscripts) matplotlib draws with the fonts it ships. The family is renamed
"Course Sans SC" (the licence lets a modified font keep no name of the original: Noto is a
Google trademark), so it never collides with an installed Noto. ``tests/test_zh.py`` fails when a
zh text uses a character the font lacks: run this script again then, and commit the font.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
FONT_DIR = ROOT / "course_utils" / "fonts"
OUTPUT = FONT_DIR / "CourseSansSC-Regular.otf"
UNICODES = ROOT / "build" / "cjk_font_unicodes.txt"

#: The verified source: Debian's fonts-noto-cjk, version 1:20220127+repack1-1 (Noto Sans CJK
#: version 2.004), its collection of the Sans Regular weights; face 2 is Simplified Chinese.
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SOURCE_PACKAGE = "fonts-noto-cjk 1:20220127+repack1-1 (Debian bookworm)"
SOURCE_SHA256 = "b76b0433203017ca80401b2ee0dd69350349871c4b19d504c34dbdd80541690a"
SOURCE_FACE = 2  # 0 JP, 1 KR, 2 SC, 3 TC, 4 HK
SOURCE_NAME = "Noto Sans CJK SC"

FAMILY = "Course Sans SC"
POSTSCRIPT_NAME = "CourseSansSC-Regular"


def gb2312_characters(rows: range) -> set[str]:
    """The characters of GB2312's ``rows`` (row r is the byte 0xA0 + r, cells 0xA1-0xFE)."""
    found = set()
    for row in rows:
        for cell in range(0xA1, 0xFF):
            try:
                found.add(bytes([0xA0 + row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                continue  # an unassigned cell
    return found


def course_characters() -> set[str]:
    """Every character of the zh notebooks' cells and of the zh catalog's translations."""
    found: set[str] = set()
    for path in sorted((ROOT / "notebooks" / "zh").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            found.update("".join(cell["source"]))
    catalog = (
        ROOT / "course_utils" / "locale" / "zh_CN" / "LC_MESSAGES" / "course_utils.po"
    )
    if catalog.exists():
        found.update(catalog.read_text(encoding="utf-8"))
    return {c for c in found if c.isprintable() and c != " "} | {" "}


def wanted_characters() -> set[str]:
    ascii_printable = {chr(code) for code in range(0x20, 0x7F)}
    blocks = {
        chr(code) for code in range(0x3000, 0x3040)
    }  # CJK symbols and punctuation
    blocks |= {chr(code) for code in range(0xFF01, 0xFF5F)}  # full-width ASCII forms
    symbols = gb2312_characters(range(1, 10))
    level_1 = gb2312_characters(range(16, 56))
    return ascii_printable | blocks | symbols | level_1 | course_characters()


def pyftsubset_arguments(output: Path) -> list[str]:
    """The ``pyftsubset`` command line (after the program name) that cuts the font."""
    return [
        str(SOURCE),
        f"--font-number={SOURCE_FACE}",
        f"--unicodes-file={UNICODES}",
        "--layout-features=",
        "--no-hinting",
        "--name-IDs=*",
        "--drop-tables+=BASE,VORG,vhea,vmtx,GSUB,GPOS,GDEF",
        f"--output-file={output}",
    ]


def rename(path: Path) -> None:
    """Give the subset its own family name in the name table and the CFF table."""
    font = TTFont(path, recalcTimestamp=False)
    names = font["name"]
    version = names.getDebugName(5) or ""
    for name_id, value in {
        1: FAMILY,
        3: f"{POSTSCRIPT_NAME};subset of {SOURCE_NAME} {version}",
        4: FAMILY,
        5: f"{version}; subset for course-utils (scripts/build_cjk_font.py)",
        6: POSTSCRIPT_NAME,
    }.items():
        names.setName(value, name_id, 3, 1, 0x409)
        names.setName(value, name_id, 1, 0, 0)
    for record in list(names.names):
        if record.nameID in (16, 17, 21, 22):
            names.removeNames(nameID=record.nameID)
    cff = font["CFF "].cff
    cff.fontNames = [POSTSCRIPT_NAME]
    top = cff.topDictIndex[0]
    top.FamilyName, top.FullName = FAMILY, FAMILY
    font.save(path)


def build(output: Path = OUTPUT) -> dict[str, object]:
    """Check the source, cut the subset, rename it; returns what README.md records."""
    if not SOURCE.exists():
        raise SystemExit(f"{SOURCE} is missing: apt-get install -y fonts-noto-cjk")
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    if digest != SOURCE_SHA256:
        raise SystemExit(
            f"{SOURCE} has SHA-256 {digest}, not the verified {SOURCE_SHA256} "
            f"({SOURCE_PACKAGE}); check the package before updating SOURCE_SHA256."
        )
    source_cmap = TTFont(SOURCE, fontNumber=SOURCE_FACE, lazy=True).getBestCmap()
    wanted = wanted_characters()
    kept = sorted(c for c in wanted if ord(c) in source_cmap)
    missing = sorted(c for c in course_characters() if ord(c) not in source_cmap)
    UNICODES.parent.mkdir(parents=True, exist_ok=True)
    UNICODES.write_text("\n".join(f"U+{ord(c):04X}" for c in kept) + "\n")
    output.parent.mkdir(parents=True, exist_ok=True)
    status = subset.main(pyftsubset_arguments(output))
    if status:
        raise SystemExit(status)
    rename(output)
    return {
        "characters": len(kept),
        "hanzi": sum(1 for c in kept if re.match(r"[\u4e00-\u9fff]", c)),
        "bytes": output.stat().st_size,
        "sha256": hashlib.sha256(output.read_bytes()).hexdigest(),
        "not_in_source": "".join(missing),
    }


def write_readme(report: dict[str, object]) -> None:
    """``course_utils/fonts/README.md``: where the font comes from and how it was made."""
    command = " ".join(pyftsubset_arguments(OUTPUT)).replace(str(ROOT) + "/", "")
    (FONT_DIR / "README.md").write_text(
        f"""# The CJK font of the figures

`CourseSansSC-Regular.otf` lets figures of the Chinese edition draw Chinese text on any machine,
offline (`setup_notebook(lang="zh")` registers it with matplotlib). It is a subset of
**{SOURCE_NAME}** Regular, made by `scripts/build_cjk_font.py` with fontTools, and is licensed
under the SIL Open Font License 1.1 (`OFL.txt`); its family is renamed "{FAMILY}".

| | |
|---|---|
| source file | `{SOURCE}` (face {SOURCE_FACE} of the collection) |
| source package | {SOURCE_PACKAGE} |
| source SHA-256 | `{SOURCE_SHA256}` |
| characters | {report["characters"]} ({report["hanzi"]} hanzi): ASCII, GB2312 rows 1-9 and level 1, CJK punctuation, full-width forms, and every character of the zh notebooks and catalog |
| size | {report["bytes"]:,} bytes ({int(report["bytes"]) / 1024:.0f} KiB) |
| SHA-256 | `{report["sha256"]}` |

Command (after writing the code points to `build/cjk_font_unicodes.txt`), then the renaming:

```bash
pyftsubset {command}
```

Characters of the zh texts that {SOURCE_NAME} lacks are drawn by the fonts matplotlib ships
(DejaVu Sans, then STIXGeneral; `course_utils.environment.FALLBACK_FAMILIES`):
{report["not_in_source"] or "none"}.
""",
        encoding="utf-8",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    report = build(args.output)
    if args.output == OUTPUT:
        write_readme(report)
    print(
        f"{args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}: "
        f"{report['characters']} characters ({report['hanzi']} hanzi), "
        f"{report['bytes'] / 1024:.0f} KiB, SHA-256 {report['sha256']}"
    )
    print("command: pyftsubset " + " ".join(pyftsubset_arguments(args.output)))
    if report["not_in_source"]:
        print(
            f"not in {SOURCE_NAME} (the fallback fonts draw them): {report['not_in_source']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
