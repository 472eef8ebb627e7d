"""One call that prepares a notebook: quiet TensorFlow, seeds, plot style, versions.

Defined here, called in the setup cell of every notebook (first taught in
``00_start_here``).
"""

from __future__ import annotations

import os
import platform
import random
import re
import sys
import warnings
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from course_utils import i18n, plotting
from course_utils.i18n import _

DEFAULT_SEED = 42


@dataclass(frozen=True)
class EnvironmentReport:
    """What :func:`setup_notebook` set up, printed as one line in the notebook."""

    seed: int
    python: str
    numpy: str
    matplotlib: str
    ipywidgets: str
    tensorflow: str | None
    keras: str | None

    def __str__(self) -> str:
        parts = [
            f"Python {self.python}",
            f"NumPy {self.numpy}",
            f"Matplotlib {self.matplotlib}",
            f"ipywidgets {self.ipywidgets}",
        ]
        if self.tensorflow is not None:
            parts += [f"TensorFlow {self.tensorflow}", f"Keras {self.keras}"]
        return _("Ready (seed {seed}): ").format(seed=self.seed) + " · ".join(parts)


def _installed_version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def silence_tensorflow_logs() -> None:
    """Hide TensorFlow's C++ start-up messages and make its CPU results reproducible.

    TensorFlow reads these variables once, when it is first imported, so this
    must run before that import. ``TF_CPP_MIN_LOG_LEVEL=2`` hides informational
    and warning lines; ``TF_ENABLE_ONEDNN_OPTS=0`` turns off oneDNN's custom
    operations, whose results can differ in the last bits from run to run (and
    whose start-up notice ignores the log level). Values already set are kept.
    """
    if "tensorflow" in sys.modules and "TF_CPP_MIN_LOG_LEVEL" not in os.environ:
        warnings.warn(
            "TensorFlow was imported before setup_notebook(); its C++ log lines "
            "cannot be silenced any more. Restart the kernel and run the setup cell first.",
            stacklevel=3,
        )
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def seed_everything(seed: int, *, tensorflow: bool) -> None:
    """Seed Python, NumPy and (optionally) Keras/TensorFlow, and make TF ops deterministic."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(
            f"seed must be a non-negative integer, got {seed!r}; pass e.g. seed=42."
        )
    random.seed(seed)
    np.random.seed(seed)
    if tensorflow:
        import keras
        import tensorflow as tf

        keras.utils.set_random_seed(int(seed))
        tf.config.experimental.enable_op_determinism()


def _enable_inline_figures() -> None:
    """In IPython, show matplotlib figures inline (also figures built without pyplot)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and hasattr(shell, "run_line_magic"):
        shell.run_line_magic("matplotlib", "inline")


#: The CJK font the package ships for figures in Chinese: a subset of Noto Sans CJK SC (SIL OFL
#: 1.1, ``fonts/OFL.txt``) built by ``scripts/build_cjk_font.py``.
CJK_FONT_FILE = Path(__file__).with_name("fonts") / "CourseSansSC-Regular.otf"
CJK_FONT_FAMILY = "Course Sans SC"
#: Draw what the CJK font lacks (ŷ, subscripts, maths letters such as 𝛿): fonts matplotlib ships.
FALLBACK_FAMILIES = ("DejaVu Sans", "STIXGeneral")


def use_figure_language(lang: str) -> None:
    """Set matplotlib's fonts so that figures draw the text of ``lang`` with no missing glyph.

    For ``"zh"`` the bundled CJK font is registered (``fontManager.addfont``: no installed font
    needed, offline, on Binder and Colab), put first in ``font.sans-serif``, and
    ``font.family`` becomes ``["sans-serif", "DejaVu Sans", "STIXGeneral"]`` so that
    matplotlib falls back, glyph by glyph, to the fonts it ships for what the subset lacks
    (mathtext keeps its own fonts). For ``"en"`` both return to matplotlib's defaults.
    """
    import matplotlib
    from matplotlib import font_manager

    if lang not in i18n.LANGUAGES:
        raise ValueError(
            f'lang must be one of {sorted(i18n.LANGUAGES)}, got {lang!r}; pass e.g. lang="zh".'
        )
    sans_serif = [
        name
        for name in matplotlib.rcParams["font.sans-serif"]
        if name != CJK_FONT_FAMILY
    ]
    if lang == "zh":
        registered = {entry.fname for entry in font_manager.fontManager.ttflist}
        if str(CJK_FONT_FILE) not in registered:
            font_manager.fontManager.addfont(CJK_FONT_FILE)
        matplotlib.rcParams["font.sans-serif"] = [CJK_FONT_FAMILY, *sans_serif]
        matplotlib.rcParams["font.family"] = ["sans-serif", *FALLBACK_FAMILIES]
    else:
        matplotlib.rcParams["font.sans-serif"] = sans_serif
        matplotlib.rcParams["font.family"] = matplotlib.rcParamsDefault["font.family"]


def setup_notebook(
    seed: int = DEFAULT_SEED, *, tensorflow: bool = True, lang: str = "en"
) -> EnvironmentReport:
    """Prepare a notebook: the first code line of every lesson.

    1. silences TensorFlow's C++ logs (before TensorFlow is imported);
    2. seeds ``random``, NumPy and, when ``tensorflow=True``, Keras/TensorFlow
       (``keras.utils.set_random_seed``) and turns on op determinism;
    3. applies the course's plot style (colour-blind-safe, projector-sized fonts);
    4. sets the language of the helpers' text and of the figures' fonts (``lang``);
    5. returns the versions in use (the notebook prints them).

    Args:
        seed: non-negative integer seed.
        tensorflow: also import and seed TensorFlow/Keras (about 7 s the first time).
        lang: ``"en"`` (English, the default) or ``"zh"`` (Simplified Chinese: checks, hints,
            widget and figure text from the catalog, figures drawn with the bundled CJK font).
    """
    if lang not in i18n.LANGUAGES:
        raise ValueError(
            f'lang must be one of {sorted(i18n.LANGUAGES)}, got {lang!r}; pass e.g. lang="zh".'
        )
    silence_tensorflow_logs()
    seed_everything(seed, tensorflow=tensorflow)
    _enable_inline_figures()
    plotting.apply_course_style()
    i18n.set_language(lang)
    use_figure_language(lang)
    tensorflow_version = keras_version = None
    if tensorflow:
        import keras
        import tensorflow as tf

        tensorflow_version, keras_version = tf.__version__, keras.__version__
    return EnvironmentReport(
        seed=int(seed),
        python=platform.python_version(),
        numpy=np.__version__,
        matplotlib=_installed_version("matplotlib"),
        ipywidgets=_installed_version("ipywidgets"),
        tensorflow=tensorflow_version,
        keras=keras_version,
    )


#: Oldest versions the course supports (what Colab shipped in 2026-08, see the course brief).
MINIMUM_VERSIONS: dict[str, tuple[int, ...]] = {
    "python": (3, 11),
    "tensorflow": (2, 20),
    "keras": (3, 13),
    "ipywidgets": (7, 7, 1),
    "matplotlib": (3, 8),
    "numpy": (1, 26),
}


def _version_tuple(version: str) -> tuple[int, ...]:
    """``"2.21.0rc1"`` -> ``(2, 21, 0)``: the leading dotted numbers of a version."""
    match = re.match(r"\d+(?:\.\d+)*", version)
    return tuple(int(n) for n in match.group().split(".")) if match else ()


def check_environment(versions: dict[str, str] | None = None) -> list[tuple[bool, str]]:
    """Compare installed versions with :data:`MINIMUM_VERSIONS`.

    Returns one ``(ok, message)`` per package; messages name no installed
    version, so a notebook's output is the same on every supported machine.
    ``versions`` overrides what is detected (used by the tests).
    Used in: 00_start_here (environment check).
    """
    if versions is None:
        versions = {"python": platform.python_version()}
        for name in ("numpy", "matplotlib", "ipywidgets", "keras"):
            versions[name] = _installed_version(name)
        tf_version = _installed_version("tensorflow")
        versions["tensorflow"] = (
            tf_version
            if tf_version != "not installed"
            else _installed_version("tensorflow-cpu")
        )
    report = []
    for name, minimum in MINIMUM_VERSIONS.items():
        wanted = ".".join(map(str, minimum))
        found = versions.get(name, "not installed")
        if found == "not installed":
            report.append(
                (
                    False,
                    _(
                        "{name}: not installed; run `make lab` (or pip install -r "
                        "requirements.txt)."
                    ).format(name=name),
                )
            )
        elif _version_tuple(found) < minimum:
            report.append(
                (
                    False,
                    _(
                        "{name}: {found} is too old, {wanted} or newer is needed; run "
                        "`make lab` to set up the course's environment."
                    ).format(name=name, found=found, wanted=wanted),
                )
            )
        else:
            report.append(
                (True, _("{name}: {wanted} or newer").format(name=name, wanted=wanted))
            )
    return report
