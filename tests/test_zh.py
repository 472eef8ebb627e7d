"""The Chinese edition stays in step with the English one (CONTRIBUTING.md, "Chinese edition").

* every notebook of ``notebooks/zh/`` has no stale cell and the English code (``zh_sync.check``);
* the zh texts use the glossary's terms and none of its wrong variants, as CONTRIBUTING.md lists them;
* the helpers' catalog is complete, compiled, and keeps every placeholder of its English text;
* the bundled CJK font covers every character of the zh texts, and Chinese figures render with no
  missing glyph;
* ``setup_notebook(lang="zh")`` switches the helpers' text and fonts, and ``lang="en"`` switches back.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import io
import re
import string
import sys
import tokenize
import tomllib
import warnings
from pathlib import Path

import matplotlib
import nbformat
import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager
from matplotlib.figure import Figure

from course_utils import environment, i18n
from course_utils.checks import all_exercises, check
from course_utils.i18n import Message, gettext

ROOT = Path(__file__).resolve().parents[1]
ZH_DIR = ROOT / "notebooks" / "zh"
ZH_NOTEBOOKS = sorted(ZH_DIR.glob("*.ipynb"))
#: Exercise modules whose texts the catalog translates (all of them).
TRANSLATED_EXERCISES = re.compile(r"^(0[0-9]|10|A)\.")


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


zh_sync = _script("zh_sync")
catalog = _script("catalog")


@pytest.fixture
def chinese():
    """The helpers in Chinese for one test, English again after it."""
    environment.setup_notebook(tensorflow=False, lang="zh")
    yield
    environment.setup_notebook(tensorflow=False, lang="en")


# ----------------------------------------------------------------------------- in step


def test_the_chinese_edition_exists():
    assert (ZH_DIR / "00_start_here.ipynb").exists() and (
        ROOT / "README.zh.md"
    ).exists()


def test_every_zh_notebook_is_in_step_with_its_english_notebook():
    """No stale translation (its English cell changed) and the English code, cell by cell."""
    problems = [p for path in ZH_NOTEBOOKS for p in zh_sync.check(path.stem)]
    assert not problems, (
        "run `python scripts/zh_sync.py export NAME`, follow the English, then `build NAME`:\n"
        + "\n".join(problems)
    )


def test_every_zh_notebook_has_an_english_original():
    english = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert {p.name for p in ZH_NOTEBOOKS} <= english


def test_the_in_step_check_catches_a_stale_cell_and_changed_code(tmp_path, monkeypatch):
    # a control on a copy: a translation of an older English text, then a changed number
    name = ZH_NOTEBOOKS[0].stem
    copy = nbformat.read(ZH_NOTEBOOKS[0], as_version=4)
    markdown = next(c for c in copy.cells if c.cell_type == "markdown")
    markdown.metadata["translation"]["en_sha256"] = zh_sync.source_hash("older text")
    monkeypatch.setattr(zh_sync, "ZH_DIR", tmp_path)
    nbformat.write(copy, tmp_path / f"{name}.ipynb")
    assert any("stale translation" in p for p in zh_sync.check(name))
    code = next(c for c in copy.cells[1:] if c.cell_type == "code" and "=" in c.source)
    code.source = re.sub(r"\d+", "7", code.source, count=1) + "\nextra = 1"
    nbformat.write(copy, tmp_path / f"{name}.ipynb")
    assert any("code differs" in p for p in zh_sync.check(name))


# ----------------------------------------------------------------------------- the glossary


def _contributing_section() -> str:
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    match = re.search(r"^## Chinese edition\n(.*?)(?=^## )", text, re.M | re.S)
    assert match, "CONTRIBUTING.md has a '## Chinese edition' section"
    return match.group(1)


def _table_rows(text: str, header: str) -> list[list[str]]:
    """The rows of the markdown table whose header line starts with ``header``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def glossary_checks() -> list[tuple[list[str], list[str]]]:
    """(English forms, Chinese forms) of each row marked ✓: English using any of the first
    must be translated with one of the second."""
    pairs = []
    for english, chinese, mark, *_ in _table_rows(
        _contributing_section(), "| English |"
    ):
        if mark == "✓":
            english = re.sub(r"\s*\([^)]*\)", "", english)
            en_forms = [f.strip() for f in re.split(r";|/", english) if f.strip()]
            zh_forms = [f.strip() for f in re.split(r"；|/", chinese) if f.strip()]
            pairs.append((en_forms, zh_forms))
    return pairs


def wrong_variants() -> list[str]:
    return [row[0] for row in _table_rows(_contributing_section(), "| avoid |")]


def _prose(markdown: str, *, quotes: bool = False) -> str:
    """Markdown without code, mathematics, links' targets, HTML comments and (unless ``quotes``)
    words quoted in “…”."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\$\$.*?\$\$|\$[^$]*\$", " ", text, flags=re.S)
    text = re.sub(r"\]\([^)]*\)|<!--.*?-->|https?://\S+", " ", text, flags=re.S)
    return text if quotes else re.sub(r"“[^”]*”", " ", text)


def _code_text(source: str) -> str:
    """The comments and string literals of a code cell (what a translation may change)."""
    python = zh_sync._python_of(source)
    parts = []
    for token in tokenize.generate_tokens(io.StringIO(python).readline):
        if token.type in (tokenize.COMMENT, tokenize.STRING):
            parts.append(token.string)
        elif token.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
            parts.append(token.string)
    return "\n".join(parts)


def notebook_prose(path: Path, *, quotes: bool = False) -> str:
    cells = nbformat.read(path, as_version=4).cells
    return "\n".join(
        _prose(c.source, quotes=quotes) for c in cells if c.cell_type == "markdown"
    )


def zh_texts() -> dict[str, str]:
    """Every Chinese text by where it is: each zh notebook's prose and code text, the catalog.

    Code text (comments and strings) is checked for the Chinese variants only: identifiers such
    as ``logits`` are at home there.
    """
    texts = {}
    for path in ZH_NOTEBOOKS:
        cells = nbformat.read(path, as_version=4).cells
        texts[f"{path.name} (markdown)"] = notebook_prose(path)
        texts[f"{path.name} (code)"] = "\n".join(
            _prose(_code_text(c.source)) for c in cells if c.cell_type == "code"
        )
    po = catalog.read_catalog("zh_CN")
    texts["course_utils.po"] = "\n".join(_prose(m.string) for m in po if m.id)
    return texts


def _uses(text: str, term: str) -> bool:
    if re.fullmatch(
        r"[\w\- ]+", term, re.A
    ):  # an English term: a whole word, any case, plural
        pattern = (
            r"(?<![\w-])" + re.escape(term).replace(r"\-", r"[- ]?") + r"(?:s|es)?\b"
        )
        return re.search(pattern, text, re.I) is not None
    return term in text


def test_the_glossary_section_lists_terms_and_wrong_variants():
    pairs, wrong = glossary_checks(), wrong_variants()
    assert len(pairs) >= 40 and len(wrong) >= 40
    assert (["loss function"], ["损失函数"]) in pairs and "鲁棒" in wrong
    assert (["cost", "cost function"], ["代价", "代价函数"]) in pairs


@pytest.mark.parametrize("path", ZH_NOTEBOOKS, ids=[p.name for p in ZH_NOTEBOOKS])
def test_zh_notebook_uses_the_glossary_terms(path):
    english = notebook_prose(ROOT / "notebooks" / path.name, quotes=True)
    # an italic title that starts with a capital (a guide, a paper) may stay in English
    english = re.sub(r"(?<!\*)\*[A-Z][^*\n]*\*(?!\*)", " ", english)
    chinese = notebook_prose(path, quotes=True)
    missing = [
        f"{'/'.join(en)} → {'/'.join(zh)}"
        for en, zh in glossary_checks()
        if any(_uses(english, term) for term in en)
        and not any(term in chinese for term in zh)
    ]
    assert not missing, (
        f"the English uses these terms, the translation does not: {missing}"
    )


def test_no_zh_text_uses_a_wrong_variant():
    found = [
        f"{where}: {variant!r}"
        for where, text in zh_texts().items()
        for variant in wrong_variants()
        if _uses(text, variant) and not (where.endswith("(code)") and variant.isascii())
    ]
    assert not found, (
        "CONTRIBUTING.md, 'Chinese edition', says what to write instead:\n"
        + ("\n".join(found))
    )


def test_the_glossary_checks_catch_a_wrong_term():
    # a control: the checks see a variant in prose and skip code, mathematics and quotes
    assert _uses(_prose("模型对离群点很鲁棒。"), "鲁棒")
    assert not _uses(_prose("原文写作“鲁棒”，代码`robust_fit`，公式$\\rho$。"), "鲁棒")
    assert _uses(_prose("these logits are large"), "logits")
    assert not _uses(_prose("pass `from_logits=True`"), "logits")
    assert _uses("The loss functions of Keras", "loss function")


# ----------------------------------------------------------------------------- the catalog


def test_the_catalog_is_complete_compiled_and_in_step_with_the_code():
    """No untranslated, fuzzy or unused entry; the .mo is the fresh compile of the .po."""
    problems = catalog.problems("zh_CN")
    assert not problems, "run `make catalog` and translate:\n" + "\n".join(problems)


def _fields(text: str) -> list[tuple[str, str | None, str | None]]:
    return sorted(
        (name, spec, conversion)
        for _, name, spec, conversion in string.Formatter().parse(text)
        if name is not None
    )


def test_every_translation_keeps_the_placeholders_of_its_english_text():
    changed = [
        (m.id, m.string)
        for m in catalog.read_catalog("zh_CN")
        if m.id and _fields(m.id) != _fields(m.string)
    ]
    assert not changed, changed


#: Names the glossary keeps in Latin letters: a translation may equal its English text if these
#: are its only words.
KEPT_IN_LATIN = {
    "logit",
    "sigmoid",
    "softmax",
    "huber",
    "dice",
    "tversky",
    "circle",
    "ctc",
}


def test_every_translation_is_chinese():
    untranslated = [
        m.id
        for m in catalog.read_catalog("zh_CN")
        if m.id
        and m.string == m.id
        and not set(re.findall(r"[a-z]{3,}", m.id.lower())) <= KEPT_IN_LATIN
    ]
    assert not untranslated, untranslated


def test_the_catalog_checks_catch_a_missing_entry(monkeypatch):
    # a control: a string marked in the code but absent from the catalog
    marked = catalog.extracted_ids()
    monkeypatch.setattr(catalog, "extracted_ids", lambda: marked | {"a new label"})
    assert any("a new label" in p for p in catalog.problems("zh_CN"))


def test_the_package_ships_the_catalog_and_the_font():
    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]
    artifacts = wheel["build"]["targets"]["wheel"]["artifacts"]
    shipped = {
        path.relative_to(ROOT) for pattern in artifacts for path in ROOT.glob(pattern)
    }
    assert i18n.catalog_path("zh").relative_to(ROOT) in shipped
    assert environment.CJK_FONT_FILE.relative_to(ROOT) in shipped
    assert Path("course_utils/fonts/OFL.txt") in shipped


# ----------------------------------------------------------------------------- the font


def _cmap(path: str | Path) -> set[int]:
    return set(TTFont(path, lazy=True).getBestCmap())


def _font_texts() -> str:
    """What figures could show: every zh notebook's markdown and code text, every translation."""
    text = ""
    for path in ZH_NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            text += (
                cell.source if cell.cell_type == "markdown" else _code_text(cell.source)
            )
    return text + "".join(m.string for m in catalog.read_catalog("zh_CN"))


def _is_cjk(character: str) -> bool:
    code = ord(character)
    return (
        0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF
    )


def test_the_font_covers_every_character_of_the_zh_texts(chinese):
    ours = _cmap(environment.CJK_FONT_FILE)
    fallback = set().union(
        *(_cmap(font_manager.findfont(f)) for f in environment.FALLBACK_FAMILIES)
    )
    used = {c for c in _font_texts() if c.isprintable()}
    no_glyph = sorted(c for c in used if ord(c) not in ours | fallback)
    cjk_elsewhere = sorted(c for c in used if _is_cjk(c) and ord(c) not in ours)
    assert not no_glyph and not cjk_elsewhere, (
        f"no font draws {''.join(no_glyph)!r}; the CJK font lacks {''.join(cjk_elsewhere)!r}: "
        "run scripts/build_cjk_font.py (CONTRIBUTING.md, 'Chinese edition')"
    )


def test_chinese_text_is_drawn_with_the_bundled_font(chinese):
    # the shipped file, not a CJK font the machine happens to have
    found = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
    assert Path(found) == environment.CJK_FONT_FILE
    assert matplotlib.rcParams["font.sans-serif"][0] == environment.CJK_FONT_FAMILY


def _render(fig: Figure) -> None:
    """Render ``fig`` to PNG as the inline backend does; matplotlib's "Glyph … missing from
    font(s)" warning is an error. Only that warning: a deprecation inside a dependency (Colab's
    matplotlib 3.10.0 calls pyparsing's ``parseString``) says nothing about our glyphs."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "error", message=r"Glyph \d+ .*missing from", category=UserWarning
        )
        fig.savefig(io.BytesIO(), format="png", dpi=60)


def test_every_translation_renders_without_a_missing_glyph(chinese):
    texts = [m.string for m in catalog.read_catalog("zh_CN") if m.id]
    fig = Figure(figsize=(8, 4))
    ax = fig.add_subplot()
    ax.set_title(gettext("the same data fitted under four losses"))
    ax.set_xlabel(gettext("prediction ŷ"))
    ax.plot([0, 1], [0, 1], label=gettext("cross-entropy"))
    ax.legend()
    for index, text in enumerate(texts):
        plain = text.replace("$", "").replace("{", "").replace("}", "")
        ax.text(0.0, index, plain)
    _render(fig)


def test_a_missing_glyph_is_caught():
    # a control: the English fonts have no Chinese, and rendering says so
    environment.use_figure_language("en")
    fig = Figure()
    fig.text(0.1, 0.5, "损失函数")
    with pytest.raises(UserWarning, match="missing from font"):
        _render(fig)


#: The lesson and lab modules whose figures the catalog translates.
LESSON_MODULES = (
    "backprop",
    "circle_view",
    "classification_lessons",
    "gradient_descent",
    "guided_generation",
    "image_classification_lab",
    "keras_losses_lessons",
    "loss_explorer",
    "neuron",
    "other_losses_lessons",
    "prediction_loss",
    "regression_lessons",
    "vae_lab",
)


def _figures_without_arguments():
    """Every widget and every ``plot_*`` that needs no argument, of the translated modules."""
    for module_name in LESSON_MODULES:
        module = importlib.import_module(f"course_utils.{module_name}")
        for name, function in sorted(vars(module).items()):
            if (
                not callable(function)
                or getattr(function, "__module__", "") != module.__name__
            ):
                continue
            needs = [
                p
                for p in inspect.signature(function).parameters.values()
                if p.default is p.empty
                and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            ]
            if needs:
                continue
            if name.endswith("_widget"):
                yield name, lambda f=function: f().figure
            elif name.startswith("plot_"):
                yield name, function


FIGURES = list(_figures_without_arguments())


@pytest.mark.parametrize("name, draw", FIGURES, ids=[name for name, _ in FIGURES])
def test_every_lesson_figure_renders_in_chinese(name, draw, chinese):
    fig = draw()
    _render(fig)
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]
    assert any(re.search(r"[\u4e00-\u9fff]", t) for t in texts), f"{name}: {texts[:6]}"


def test_lab_08_marks_the_class_names_it_shows():
    # the data module keeps the names unmarked: the lab marks the same names for the catalog
    from course_utils import image_classification_lab as lab

    assert lab._MARKED_CLASS_NAMES == lab.CLASS_NAMES


def test_lab_08_shows_chinese_class_names_and_keeps_english_values(chinese):
    from course_utils import image_classification_lab as lab

    view = lab.misclassification_widget()
    picker = view.controls["true_class"]
    assert picker.value == "Shirt" and picker.label == "衬衫"
    view.set(true_class="Pullover", predicted_class="Coat")
    status = view.text("explorer-status")
    assert "套头衫" in status and "外套" in status, status
    # the bundled font has no bold face: the rare classes' ticks are only coloured (bold would
    # make matplotlib log "findfont: Failed to find font weight bold" under the figure)
    matrices = lab.demo_confusion_matrices()
    fig = lab.plot_confusion_matrices(matrices, highlight=lab.RARE_CLASSES)
    ticks = fig.axes[0].get_xticklabels()
    assert ticks[1].get_text() == "裤子" and ticks[1].get_fontweight() == "normal"


# ----------------------------------------------------------------------------- switching


def test_setup_notebook_switches_the_helpers_text_and_back():
    environment.setup_notebook(tensorflow=False, lang="zh")
    try:
        message = check("00.1", 0.7).message
        assert "练习00.1" in message and "绝对误差" in message, message
        assert str(environment.setup_notebook(tensorflow=False, lang="zh")).startswith(
            "就绪"
        )
    finally:
        environment.setup_notebook(tensorflow=False, lang="en")
    message = check("00.1", 0.7).message
    assert message.startswith("Exercise 00.1") and "absolute error" in message
    assert matplotlib.rcParams["font.sans-serif"][0] != environment.CJK_FONT_FAMILY
    assert i18n.get_language() == "en"


def test_bad_language_is_refused():
    with pytest.raises(ValueError, match="lang must be one of"):
        environment.setup_notebook(tensorflow=False, lang="fr")
    with pytest.raises(ValueError, match="language must be one of"):
        i18n.set_language("zh_TW")


def test_a_message_with_values_is_translated_as_one_template(chinese):
    text = Message("{count} decimals", count=3)
    assert text == "3 decimals" and gettext(text) == "3位小数"


def _translated_exercises():
    exercises = all_exercises()
    return [k for k in exercises if TRANSLATED_EXERCISES.match(k)]


@pytest.mark.parametrize("key", _translated_exercises())
def test_every_exercise_speaks_chinese(key, chinese):
    task = all_exercises()[key]
    for text in (task.title, task.hint, *(m.explanation for m in task.mistakes)):
        assert re.search(r"[\u4e00-\u9fff]", gettext(text)), f"{key}: {text!r}"
    for mistake in task.mistakes:
        message = check(key, mistake.example).message
        assert gettext(mistake.explanation) in message and "提示：" in message
