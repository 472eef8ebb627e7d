"""Fetch, verify and install the files an offline slide deck needs (``make slides``).

Nothing is committed: each package is downloaded once into ``build/vendor/`` by the
ordinary clients' sources (the npm registry's tarball URL; ``pip download`` for the
PyPI wheel, if one is ever listed), checked against the SHA-256 recorded below, and unpacked into the deck
folder's ``_static/``. A deck folder is then self-contained: copy it to a USB stick
and it opens with no network. Licences are copied next to the files.

==========================  =======  ========  ==========================================
package (npm registry)      licence  download  installed into ``_static/``
==========================  =======  ========  ==========================================
reveal.js 4.6.1             MIT      2.3 MB    ``reveal.js/``: dist, white theme, fonts and
                                               the notes plugin, 2.1 MB
requirejs 2.3.7             MIT      0.25 MB   ``require.js``, 85 kB
mathjax 2.7.9               Apache-2 21 MB     ``mathjax/``: TeX input, CommonHTML output,
                                               TeX web fonts (woff), 2.0 MB
==========================  =======  ========  ==========================================

The Chinese decks also need a CJK font (a machine may have none installed): the course's own
``course_utils/fonts/CourseSansSC-Regular.otf`` (family "Course Sans SC", SIL OFL 1.1, 0.86 MB;
nothing to download) is copied with its licence into ``_static/fonts/``, once for all decks.

    python scripts/slide_assets.py build/slides   # installs build/slides/_static
"""

from __future__ import annotations

import argparse
import hashlib
import io
import shutil
import subprocess
import sys
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "build" / "vendor"
STATIC = "_static"


@dataclass(frozen=True)
class Package:
    """One downloaded archive: where it comes from and the SHA-256 it must have."""

    filename: str
    source: str  # "npm:<tarball URL>" or "pypi:<requirement>"
    sha256: str


REVEAL = Package(
    "reveal.js-4.6.1.tgz",
    "npm:https://registry.npmjs.org/reveal.js/-/reveal.js-4.6.1.tgz",
    "4f4121ef2b8e7e9398bdecd7b3b6ce5e0ee3a2f5af221708eb6c4ce03bcae6be",
)
REQUIREJS = Package(
    "requirejs-2.3.7.tgz",
    "npm:https://registry.npmjs.org/requirejs/-/requirejs-2.3.7.tgz",
    "31f3330c978fb28684622fe71165dc946432cf0210b2ea8a1ca0233e70f2737d",
)
MATHJAX = Package(
    "mathjax-2.7.9.tgz",
    "npm:https://registry.npmjs.org/mathjax/-/mathjax-2.7.9.tgz",
    "7131e739848edc14aa661a5516995866b81a477fab8b039d7cc324930e71f786",
)
PACKAGES = (REVEAL, REQUIREJS, MATHJAX)

#: Paths inside ``_static`` that decks load (the exporter points nbconvert at them).
REVEAL_PREFIX = f"{STATIC}/reveal.js"
REQUIRE_JS = f"{STATIC}/require.js"
MATHJAX_JS = f"{STATIC}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
#: The CJK font of the Chinese decks (the one the figures use), and its family name.
FONT_SOURCE = ROOT / "course_utils" / "fonts"
CJK_FONT = f"{STATIC}/fonts/CourseSansSC-Regular.otf"
CJK_FONT_FAMILY = "Course Sans SC"

#: The parts of MathJax 2.7.9 that TeX input with CommonHTML output loads.
MATHJAX_PARTS = {
    f"package/{part}": f"mathjax/{part}"
    for part in (
        "LICENSE",
        "MathJax.js",
        "config/TeX-AMS_CHTML-full.js",
        "config/Safe.js",
        "extensions",
        "jax/input/TeX",
        "jax/element",
        "jax/output/CommonHTML",
        "fonts/HTML-CSS/TeX/woff",
    )
}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def download(package: Package, cache: Path = CACHE) -> bytes:
    """The verified archive's bytes, from the cache or downloaded once."""
    path = cache / package.filename
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        kind, _, where = package.source.partition(":")
        if kind == "npm":
            with urllib.request.urlopen(where, timeout=120) as response:
                path.write_bytes(response.read())
        else:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
                + ["--only-binary", ":all:", "--dest", str(cache), where],
                check=True,
            )
    data = path.read_bytes()
    if sha256(data) != package.sha256:
        path.unlink()
        raise RuntimeError(
            f"{package.filename}: SHA-256 {sha256(data)} differs from the recorded "
            f"{package.sha256}; the download was removed, nothing was installed."
        )
    return data


def _untar(data: bytes, wanted: dict[str, str], target: Path) -> None:
    """Extract members whose name starts with a key of ``wanted`` to ``target/<value>``."""
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        for member in archive.getmembers():
            if not member.isfile() or member.name.endswith(".map"):
                continue
            for prefix, destination in wanted.items():
                if member.name == prefix or member.name.startswith(prefix + "/"):
                    rest = member.name[len(prefix) :].lstrip("/")
                    out = target / destination / rest if rest else target / destination
                    out.parent.mkdir(parents=True, exist_ok=True)
                    file = archive.extractfile(member)
                    assert file is not None
                    out.write_bytes(file.read())


def install_font(static: Path) -> None:
    """Copy the CJK font and its licence into ``static/fonts`` (again only when they changed)."""
    for name in (Path(CJK_FONT).name, "OFL.txt"):
        source, target = FONT_SOURCE / name, static / "fonts" / name
        if not target.exists() or target.read_bytes() != source.read_bytes():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def install(deck_dir: Path, cache: Path = CACHE) -> Path:
    """Fill ``deck_dir/_static`` with reveal.js, require.js, MathJax and the CJK font; return it."""
    static = deck_dir / STATIC
    marker = static / ".complete"
    expected = "\n".join(p.sha256 for p in PACKAGES)
    if marker.exists() and marker.read_text() == expected:
        install_font(static)
        return static
    shutil.rmtree(static, ignore_errors=True)
    _untar(
        download(REVEAL, cache),
        {
            "package/dist/reveal.js": "reveal.js/dist/reveal.js",
            "package/dist/reveal.css": "reveal.js/dist/reveal.css",
            "package/dist/reset.css": "reveal.js/dist/reset.css",
            "package/dist/theme/white.css": "reveal.js/dist/theme/white.css",
            "package/dist/theme/fonts/source-sans-pro": "reveal.js/dist/theme/fonts/source-sans-pro",
            "package/plugin/notes/notes.js": "reveal.js/plugin/notes/notes.js",
            "package/LICENSE": "reveal.js/LICENSE",
        },
        static,
    )
    _untar(download(REQUIREJS, cache), {"package/require.js": "require.js"}, static)
    (static / "require.js.LICENSE").write_text(
        "RequireJS 2.3.7, Copyright jQuery Foundation and other contributors.\n"
        "Released under the MIT license (see the header of require.js and\n"
        "https://github.com/requirejs/requirejs/blob/master/LICENSE).\n"
    )
    _untar(download(MATHJAX, cache), MATHJAX_PARTS, static)
    install_font(static)
    marker.write_text(expected)
    return static


def size_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("deck_dir", type=Path, nargs="?", default=ROOT / "build/slides")
    args = parser.parse_args(argv)
    static = install(args.deck_dir)
    print(f"{static}: {size_mb(static):.1f} MB, SHA-256 verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
