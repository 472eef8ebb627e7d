"""Decks, student copies, hub links and the repository setting, checked without a browser.

tests/browser/ (``make test-browser``) opens the decks in Chromium; here the exported HTML is
read: nothing loads from the network, class decks hold no solutions or hints, instructor decks do,
speaker notes are in the deck, and the asset script refuses a download whose SHA-256 differs.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import urllib.parse
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from notebook_rules import NOTEBOOK_DIR, ROOT

sys.path.insert(0, str(ROOT / "scripts"))
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9A-Z]*.ipynb"))


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


slides = load_script("export_slides")
layout = slides.slide_layout
assets = load_script("slide_assets")
student = load_script("student_copies")
hub = load_script("hub_links")
stamp = load_script("stamp_notebooks")


def lesson(solution_hint: str = "Hint: think of e^(-2)") -> nbformat.NotebookNode:
    """A small notebook in the course's shape: badges, a section, exercises, solutions."""
    cells = [
        new_markdown_cell(
            "# 99 · Demo\n\n<!-- launch-badges -->\n"
            "[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](x)",
            metadata={"slideshow": {"slide_type": "slide"}},
        ),
        new_markdown_cell(
            "## 1 · Idea\n\n$$L = (\\hat y - y)^2$$",
            metadata={"slideshow": {"slide_type": "slide"}},
        ),
        new_markdown_cell(
            "**Speaker notes** Ask what a square does. Time: 3 min",
            metadata={"slideshow": {"slide_type": "notes"}},
        ),
        new_markdown_cell(
            "## Exercises", metadata={"slideshow": {"slide_type": "slide"}}
        ),
        new_code_cell(
            'answer = ...\ncheck("99.1", answer)',
            metadata={"slideshow": {"slide_type": "-"}},
            outputs=[
                nbformat.v4.new_output(
                    "execute_result",
                    data={"text/plain": f"not answered yet.\n{solution_hint}"},
                    execution_count=1,
                )
            ],
        ),
        new_markdown_cell(
            "## Solutions", metadata={"slideshow": {"slide_type": "slide"}}
        ),
        new_code_cell(
            'check("99.1", 0.8807970779778823)',
            metadata={
                "slideshow": {"slide_type": "skip"},
                "jupyter": {"source_hidden": True},
            },
        ),
    ]
    notebook = new_notebook(cells=cells)
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    return notebook


@pytest.fixture(scope="module")
def decks(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("decks")
    path = folder / "99_demo.ipynb"
    nbformat.write(lesson(), path)
    return {
        audience: slides.export(path, folder, audience).read_text(encoding="utf-8")
        for audience in slides.AUDIENCES
    }


def loaded_urls(html: str) -> list[str]:
    """What the page loads: script src, link href, img src, CSS @import/url()."""
    urls = re.findall(r"<(?:script|img|iframe)\b[^>]*\bsrc=\"([^\"]*)\"", html)
    urls += re.findall(r"<link\b[^>]*\bhref=\"([^\"]*)\"", html)
    urls += re.findall(r"@import\s+(?:url\()?[\"']?([^\"')\s;]+)", html)
    urls += re.findall(r"import\s+\w+\s+from\s+'([^']+)'", html)
    return urls


@pytest.mark.parametrize("audience", slides.AUDIENCES)
def test_a_deck_loads_nothing_from_the_network(decks, audience) -> None:
    urls = loaded_urls(decks[audience])
    assert urls, "the pattern must find the deck's scripts"
    assert all(u.startswith(("_static/", "data:")) for u in urls), urls
    assert 'src=""' not in decks[audience], "an empty src (nbconvert#1770)"
    for forbidden in ("mermaid", "unpkg.com", "cdnjs", "jquery", "badge"):
        assert forbidden not in decks[audience].lower(), forbidden


def test_the_deck_points_at_the_installed_assets() -> None:
    """Every _static path the exporter writes into a deck is one that install() creates."""
    parts = [slides.slide_assets.REQUIRE_JS, slides.slide_assets.MATHJAX_JS]
    parts += [f"{slides.slide_assets.REVEAL_PREFIX}/dist/reveal.js"]
    for url in parts:
        path = url.split("?")[0].removeprefix("_static/")
        sources = {
            **{v: k for k, v in assets.MATHJAX_PARTS.items()},
            "require.js": "package/require.js",
            "reveal.js/dist/reveal.js": "package/dist/reveal.js",
        }
        assert path in sources, path


def test_class_deck_has_no_solutions_or_hints(decks) -> None:
    deck = decks["student"]
    assert "Solutions" not in deck and "0.8807970779778823" not in deck
    assert "Hint:" not in deck and "not answered yet" not in deck
    assert "answer = ..." not in deck or "check" in deck  # the exercise itself stays
    assert "99.1" in deck


def test_instructor_deck_shows_solutions_and_hints(decks) -> None:
    deck = decks["instructor"]
    assert "Solutions" in deck and "0.8807970779778823" in deck
    assert "Hint:" in deck


@pytest.mark.parametrize("audience", slides.AUDIENCES)
def test_speaker_notes_become_reveal_notes(decks, audience) -> None:
    notes = re.findall(r'<aside class="notes">(.*?)</aside>', decks[audience], re.S)
    expected = slides.slides_of(slides.deck_notebook(lesson(), audience).cells)
    assert len(notes) == len(expected), "every slide has notes"
    assert sum("Ask what a square does" in n for n in notes) == 1
    assert all("Running time" in n for n in notes)


def continued_lesson() -> nbformat.NotebookNode:
    """One section over three slides; the second slide ends on a lead-in colon."""
    md, code = new_markdown_cell, new_code_cell
    cells = [
        md("# 99 · Demo", metadata={"slideshow": {"slide_type": "slide"}}),
        md(
            "## 6. Focal loss: down-weighting the easy examples\n\nIntro.",
            metadata={"slideshow": {"slide_type": "slide"}},
        ),
        md(
            "**Speaker notes** Say: gamma focuses. Time: 6 min",
            metadata={"slideshow": {"slide_type": "notes"}},
        ),
        code("x = 1", metadata={"slideshow": {"slide_type": "subslide"}}),
        md(
            "A first paragraph stays.\n\nThe same numbers from Keras:",
            metadata={"slideshow": {"slide_type": "fragment"}},
        ),
        code("print(x)", metadata={"slideshow": {"slide_type": "subslide"}}),
        md("Setup", metadata={"slideshow": {"slide_type": "skip"}}),
        md("## 7. Next\n\nText.", metadata={"slideshow": {"slide_type": "slide"}}),
        md(
            "**Speaker notes** Next. Time: 4 min",
            metadata={"slideshow": {"slide_type": "notes"}},
        ),
    ]
    return new_notebook(cells=cells)


def test_continuation_slides_carry_their_sections_title() -> None:
    deck = slides.deck_notebook(continued_lesson(), "student")
    groups = slides.slides_of(deck.cells)
    assert [g[0].source.splitlines()[0] for g in groups] == [
        "# 99 · Demo",
        "## 6. Focal loss: down-weighting the easy examples",
        "### Focal loss (2/3)",
        "### Focal loss (3/3)",
        "## 7. Next",
    ]
    assert all(slides._heading_level(g[0]) for g in groups)


def test_a_lead_in_colon_moves_to_the_slide_it_introduces() -> None:
    deck = slides.deck_notebook(continued_lesson(), "student")
    groups = slides.slides_of(deck.cells)
    assert not any(slides.ends_on_lead_in(g) for g in groups)
    assert groups[2][-2].source == "A first paragraph stays."
    assert [c.source for c in groups[3][1:3]] == [
        "The same numbers from Keras:",
        "print(x)",
    ]


def test_a_lead_in_that_is_its_whole_slide_is_merged_with_the_next() -> None:
    notebook = continued_lesson()
    notebook.cells[4].source = "Run it:"
    notebook.cells[4].metadata.slideshow.slide_type = "subslide"
    deck = slides.deck_notebook(notebook, "student")
    groups = slides.slides_of(deck.cells)
    assert len(groups) == 5 and not any(slides.ends_on_lead_in(g) for g in groups)
    assert [c.source for c in groups[3][1:]][:2] == ["Run it:", "print(x)"]


def test_every_slide_has_notes_with_the_running_time() -> None:
    deck = slides.deck_notebook(continued_lesson(), "student")
    for number, group in enumerate(slides.slides_of(deck.cells)):
        notes = [c.source for c in group if slides._slide_type(c) == "notes"]
        assert len(notes) == 1, number
        assert "Running time:" in notes[0], notes[0]
    groups = slides.slides_of(deck.cells)
    assert "gamma focuses" in [c for c in groups[2] if c.cell_type][-1].source
    assert "minutes 0–6 of 10" in groups[3][-1].source
    assert "minutes 6–10 of 10" in groups[4][-1].source


def test_the_deck_footer_names_the_course_and_the_notebook(tmp_path) -> None:
    path = tmp_path / "99_demo.ipynb"
    nbformat.write(continued_lesson(), path)
    deck = slides.export(path, tmp_path, "student").read_text(encoding="utf-8")
    footer = json.loads(re.search(r"var FOOTER_TEXT = (.*);", deck).group(1))
    assert footer == "Loss Functions in Neural Networks · 99 Demo"
    assert "deck-footer" in deck


def test_instructor_solutions_slide_tells_no_one_to_unfold_cells(tmp_path) -> None:
    notebook = lesson()
    notebook.cells[5].source += (
        "\n\nTry the exercises first. Each solution cell is folded; click its left "
        "edge to open it."
    )
    deck = slides.deck_notebook(notebook, "instructor")
    text = "\n".join(c.source for c in deck.cells)
    assert "folded" not in text and "click" not in text
    assert "Try the exercises first." in text


def test_text_mode_underscores_lose_their_backslash() -> None:
    """MathJax 2 and 3 show \\text{from\\_logits} with the backslash; the deck writes from_logits."""
    cell = new_code_cell(
        "x",
        outputs=[
            nbformat.v4.new_output(
                "display_data",
                data={"text/latex": r"$\text{from\_logits} \frac{a\_b}{c}$"},
            )
        ],
    )
    markdown = new_markdown_cell(r"$$\texttt{sum\_over\_batch\_size} = m$$")
    notebook = new_notebook(cells=[new_markdown_cell("# 99 · Demo"), cell, markdown])
    deck = slides.deck_notebook(notebook, "student")
    shown = [c for c in deck.cells if c.cell_type != "markdown" or "99" not in c.source]
    assert (
        shown[0].outputs[0].data["text/latex"] == r"$\text{from_logits} \frac{a\_b}{c}$"
    )
    assert r"\texttt{sum_over_batch_size}" in shown[1].source


def test_deck_style_prints_with_zoom_and_never_cuts_words(decks) -> None:
    deck = decks["student"]
    assert "box.style.zoom = String(low)" in deck, "handouts: zoom, not transform"
    assert "margin: 0," in deck, (
        "a page is one slide; a 1280x720 screen shows it at 1:1"
    )
    assert "overflow-wrap: anywhere" not in deck, "a hint was cut mid-word"
    code_px = int(
        re.findall(r"--jp-code-font-size: (\d+)px", deck)[-1]
    )  # the deck's own
    assert code_px * layout.TARGET_SCALE >= 20, "code is 20 px on a split slide"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
@pytest.mark.parametrize("audience", slides.AUDIENCES)
def test_real_decks_orient_the_audience(notebook, audience) -> None:
    """Every slide of every deck: a heading, speaker notes, no lead-in colon at its end."""
    deck = slides.deck_notebook(nbformat.read(notebook, as_version=4), audience)
    problems = []
    groups = slides.slides_of(deck.cells)
    for number, group in enumerate(groups, 1):
        if not slides._heading_level(group[0]):
            problems.append(f"s{number}: no heading")
        notes = [c for c in group if slides._slide_type(c) == "notes"]
        if not notes or not all("Running time" in c.source for c in notes):
            problems.append(f"s{number}: no notes with the running time")
        if slides.ends_on_lead_in(group) and number < len(groups):
            problems.append(f"s{number}: ends on a lead-in colon")
        text = "\n".join(c.source for c in group)
        if "click its left edge" in text or re.search(
            r"\\text(?:tt)?\{[^{}]*\\_", text
        ):
            problems.append(f"s{number}: folded-cell sentence or \\_ in \\text")
    assert not problems, problems


def test_deck_settings_fit_16_9_and_do_not_scroll(decks) -> None:
    deck = decks["student"]
    assert "width: WIDTH" in deck and "var WIDTH = 1280, HEIGHT = 720" in deck
    assert "overflow-y', 'scroll'" not in deck, "nbconvert's scroll boxes are off"
    assert "plugins: [RevealNotes]" in deck
    assert "pdfSeparateFragments: false" in deck


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_real_class_deck_has_no_badges_solutions_or_hints(notebook, tmp_path) -> None:
    deck = slides.export(notebook, tmp_path, "student").read_text(encoding="utf-8")
    assert "colab-badge.svg" not in deck and "badge_logo.svg" not in deck
    assert 'id="Solutions"' not in deck
    assert "Hint:" not in deck
    assert all(u.startswith(("_static/", "data:")) for u in loaded_urls(deck))


def test_asset_download_with_a_wrong_checksum_is_refused(tmp_path) -> None:
    package = assets.Package(
        "fake.tgz", "npm:https://example.invalid/fake.tgz", "0" * 64
    )
    (tmp_path / "fake.tgz").write_bytes(b"not what was recorded")
    with pytest.raises(RuntimeError, match="SHA-256"):
        assets.download(package, tmp_path)
    assert not (tmp_path / "fake.tgz").exists(), "a bad download must be removed"


def test_asset_packages_are_pinned_with_a_checksum() -> None:
    for package in assets.PACKAGES:
        assert re.fullmatch(r"[0-9a-f]{64}", package.sha256), package
        assert re.search(r"\d+\.\d+\.\d+", package.filename), package


# Student copies -------------------------------------------------------------------------------


def test_student_copy_drops_the_solutions_section_only() -> None:
    full = lesson()
    copy = student.student_copy(full)
    assert len(copy.cells) == len(full.cells) - 2
    assert not any("Solutions" in c.source for c in copy.cells)
    assert not any("0.8807970779778823" in c.source for c in copy.cells)
    assert len(full.cells) == 7, "the original is not changed"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_student_copies_of_real_notebooks_have_no_solution_cells(notebook) -> None:
    full = nbformat.read(notebook, as_version=4)
    copy = student.student_copy(full)
    hidden = [
        c
        for c in copy.cells
        if c.cell_type == "code" and c.metadata.get("jupyter", {}).get("source_hidden")
    ]
    assert not hidden, "a folded solution cell survived"
    assert not any(student.is_solutions_heading(c) for c in copy.cells)
    assert len(copy.cells) < len(full.cells) or not any(
        student.is_solutions_heading(c) for c in full.cells
    )


def test_student_copies_never_overwrite_a_learners_edit(tmp_path) -> None:
    source = tmp_path / "99_demo.ipynb"
    nbformat.write(lesson(), source)
    out = tmp_path / "student"
    assert student.write_copies([source], out)["written"] == [out / source.name]
    assert student.write_copies([source], out)["unchanged"] == [out / source.name]
    copy = out / source.name
    edited = copy.read_text().replace("answer = ...", "answer = 0.88")
    copy.write_text(edited)
    nbformat.write(lesson("Hint: a changed hint"), source)  # upstream changes too
    report = student.write_copies([source], out)
    assert report["kept"] == [copy] and copy.read_text() == edited
    copy.unlink()  # the learner's file removed: it is written afresh
    assert student.write_copies([source], out)["written"] == [copy]


# nbgitpuller links ----------------------------------------------------------------------------


def test_hub_link_has_nbgitpullers_format() -> None:
    link = hub.hub_link(
        "https://hub.example.edu/",
        "https://github.com/teacher/loss-course",
        "01_x.ipynb",
    )
    base, query = link.split("?", 1)
    assert base == "https://hub.example.edu/hub/user-redirect/git-pull"
    fields = dict(urllib.parse.parse_qsl(query))
    assert fields == {
        "repo": "https://github.com/teacher/loss-course",
        "targetpath": "loss-course",  # explicit: nbgitpuller would keep a ".git" suffix
        "urlpath": "lab/tree/loss-course/notebooks/01_x.ipynb",
        "branch": "main",
    }
    assert "%2F" in query, "the repository and path are URL-encoded"


@pytest.mark.parametrize(
    ("hub_url", "repo"),
    [
        ("hub.example.edu", "https://github.com/a/b"),
        ("https://h", "git@github.com:a/b"),
    ],
)
def test_hub_link_rejects_bad_urls(hub_url, repo) -> None:
    with pytest.raises(ValueError, match="hub|repo"):
        hub.hub_link(hub_url, repo, "01_x.ipynb")


def test_hub_links_default_to_the_repository_setting(capsys) -> None:
    assert hub.main(["--hub", "https://hub.example.edu", str(NOTEBOOKS[0])]) == 0
    out = capsys.readouterr().out
    assert urllib.parse.quote(stamp.repository_url(), safe="") in out


# The one repository setting -------------------------------------------------------------------


def test_changing_the_repository_setting_changes_every_badge_and_install_line(
    tmp_path, monkeypatch
) -> None:
    """A teacher's fork: set [project.urls] Repository, run the stamper (make refresh)."""
    old = stamp.repository_url()
    fork = "https://github.com/a-teacher/my-loss-course"
    text = (ROOT / "pyproject.toml").read_text()
    assert text.count(f'Repository = "{old}"') == 1
    (tmp_path / "pyproject.toml").write_text(text.replace(old, fork))
    copies = []
    for notebook in NOTEBOOKS:
        shutil.copy(notebook, tmp_path / notebook.name)
        copies.append(tmp_path / notebook.name)
    monkeypatch.setattr(stamp, "ROOT", tmp_path)
    assert stamp.repository_url() == fork
    assert stamp.main([str(p) for p in copies]) == 0
    old_slug = old.removeprefix("https://github.com/")
    fork_slug = fork.removeprefix("https://github.com/")
    for path in copies:
        notebook = nbformat.read(path, as_version=4)
        text = "\n".join(c.source for c in notebook.cells)
        assert old_slug not in text, f"{path.name} still points at {old}"
        badges = notebook.cells[0].source
        assert badges.count(fork_slug) == 2, "the Colab and the Binder badge"
        installs = [c for c in notebook.cells if "git+https://github.com" in c.source]
        assert installs and all(f"git+{fork}" in c.source for c in installs)


def test_make_lab_starts_without_the_news_pop_up() -> None:
    """make lab points JupyterLab at overrides that turn the news question off."""
    dry_run = subprocess.run(
        ["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    flag = re.search(r"--LabApp\.app_settings_dir=(\S+)", dry_run.stdout)
    assert flag, dry_run.stdout
    overrides = json.loads((Path(flag.group(1)) / "overrides.json").read_text())
    assert (
        overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    )


# --- Slides that fit without shrinking (issue 20: legible from the back row) -------------------


def _section(title: str, *cells: nbformat.NotebookNode) -> list:
    return [
        new_markdown_cell(
            f"## {title}", metadata={"slideshow": {"slide_type": "slide"}}
        ),
        new_markdown_cell(
            f"**Speaker notes** About {title}. Time: 5 min",
            metadata={"slideshow": {"slide_type": "notes"}},
        ),
        *cells,
    ]


def _paragraph(number: int) -> str:
    return f"Paragraph {number}: " + "words that fill a line of the slide " * 8


def _code(number: int, lines: int = 8) -> nbformat.NotebookNode:
    source = "\n".join(f"value_{number}_{i} = {i}" for i in range(lines))
    return new_code_cell(
        source,
        outputs=[nbformat.v4.new_output("stream", name="stdout", text=f"{number}\n")],
    )


def _estimated(group: list) -> float:
    return sum(layout.cell_height(c) for c in group)


def test_a_slide_too_tall_for_the_screen_becomes_continuation_slides() -> None:
    cells = [_code(i) if i % 2 else new_markdown_cell(_paragraph(i)) for i in range(12)]
    notebook = new_notebook(
        cells=[
            new_markdown_cell(
                "# 99 · Demo", metadata={"slideshow": {"slide_type": "slide"}}
            ),
            *_section("4. A long section: many steps", *cells),
        ]
    )
    assert _estimated(cells) > 2 * layout.BUDGET
    deck = slides.deck_notebook(notebook, "student")
    groups = slides.slides_of(deck.cells)[1:]
    assert len(groups) >= 3
    assert all(_estimated(g) <= layout.BUDGET for g in groups), [
        round(_estimated(g)) for g in groups
    ]
    titles = [g[0].source.splitlines()[0] for g in groups]
    assert titles[0] == "## 4. A long section: many steps"
    assert titles[1:] == [
        f"### A long section ({n}/{len(groups)})" for n in range(2, len(groups) + 1)
    ]
    shown = [
        c.source for g in groups for c in g[1:] if slides._slide_type(c) != "notes"
    ]
    assert [c for c in shown if "value_" in c or "Paragraph" in c] == [
        c.source for c in cells
    ], "every cell once, in order"
    assert all(sum(slides._slide_type(c) == "notes" for c in g) == 1 for g in groups), (
        "each slide has notes"
    )


def test_a_short_slide_is_not_split() -> None:
    notebook = new_notebook(
        cells=[
            new_markdown_cell(
                "# 99 · Demo", metadata={"slideshow": {"slide_type": "slide"}}
            ),
            *_section("1. Short", _code(1, 3), new_markdown_cell(_paragraph(2))),
        ]
    )
    deck = slides.deck_notebook(notebook, "student")
    assert len(slides.slides_of(deck.cells)) == 2


def test_a_split_keeps_a_lead_in_with_what_it_introduces() -> None:
    cells = []
    for i in range(8):
        cells += [new_markdown_cell(f"{_paragraph(i)}\n\nThe numbers:"), _code(i, 6)]
    notebook = new_notebook(
        cells=[
            new_markdown_cell(
                "# 99 · Demo", metadata={"slideshow": {"slide_type": "slide"}}
            ),
            *_section("2. Lead-ins", *cells),
        ]
    )
    groups = slides.slides_of(slides.deck_notebook(notebook, "student").cells)
    assert len(groups) > 2
    assert not any(slides.ends_on_lead_in(g) for g in groups)


def test_a_markdown_cell_taller_than_a_slide_is_cut_between_its_blocks() -> None:
    blocks = [_paragraph(i) for i in range(16)] + ["* one\n* two\n* three"]
    notebook = new_notebook(
        cells=[
            new_markdown_cell(
                "# 99 · Demo", metadata={"slideshow": {"slide_type": "slide"}}
            ),
            *_section("3. One long cell", new_markdown_cell("\n\n".join(blocks))),
        ]
    )
    groups = slides.slides_of(slides.deck_notebook(notebook, "student").cells)[1:]
    assert len(groups) >= 2 and all(_estimated(g) <= layout.BUDGET for g in groups)
    pieces = [
        c.source
        for g in groups
        for c in g
        if c.cell_type == "markdown" and not c.source.startswith(("#", "**Speaker"))
    ]
    assert pieces == blocks, "cut only between blocks, nothing lost or repeated"


def test_outputs_too_tall_for_their_code_continue_on_the_next_slide(tmp_path) -> None:
    """A code cell whose outputs do not fit under it: the outputs follow on the next slide,
    without repeating the code."""
    lines = "\n".join(f"row {i}" for i in range(18))
    cell = new_code_cell(
        "print(table)  # unique-marker",
        outputs=[
            nbformat.v4.new_output("stream", name="stdout", text=lines),
            nbformat.v4.new_output("stream", name="stdout", text=lines),
        ],
    )
    notebook = new_notebook(
        cells=[
            new_markdown_cell(
                "# 99 · Demo", metadata={"slideshow": {"slide_type": "slide"}}
            ),
            *_section("5. Long output", cell),
        ]
    )
    path = tmp_path / "99_demo.ipynb"
    nbformat.write(notebook, path)
    groups = slides.slides_of(slides.deck_notebook(notebook, "student").cells)[1:]
    assert len(groups) >= 2 and all(_estimated(g) <= layout.BUDGET for g in groups)
    html = slides.export(path, tmp_path, "student").read_text(encoding="utf-8")
    assert html.count("unique-marker") == 1
    assert html.count("row 17") == 2


def test_the_title_slide_carries_the_objectives_and_the_time() -> None:
    notebook = new_notebook(
        cells=[
            new_markdown_cell(
                "# 99 · Demo\n\n*A promise.*",
                metadata={"slideshow": {"slide_type": "slide"}},
            ),
            *_section(
                "What you will be able to do",
                new_markdown_cell("After this notebook you can:\n\n1. one;\n2. two."),
                new_markdown_cell(
                    "**Prerequisites:** none.\n**Time:** about 30 minutes.",
                    metadata={"slideshow": {"slide_type": "fragment"}},
                ),
            ),
            *_section("1. First", new_markdown_cell("Text.")),
        ]
    )
    groups = slides.slides_of(slides.deck_notebook(notebook, "student").cells)
    assert len(groups) == 2
    title = "\n".join(c.source for c in groups[0] if slides._slide_type(c) != "notes")
    assert "1. one;" in title and "**Time:** about 30 minutes." in title
    assert groups[1][0].source.startswith("## 1. First")


def test_a_numbered_first_section_stays_on_its_own_slide() -> None:
    deck = slides.deck_notebook(continued_lesson(), "student")
    assert slides.slides_of(deck.cells)[0][0].source == "# 99 · Demo"
    assert len(slides.slides_of(deck.cells)[0]) == 2  # the title and its notes


def test_slide_height_estimates_follow_the_template() -> None:
    code = new_code_cell("a = 1\nb = 2\nc = 3")
    assert layout.cell_height(code) == pytest.approx(
        layout.CELL_PADDING + layout.CODE_INPUT_PADDING + 3 * layout.CODE_LINE
    )
    one_line = layout.cell_height(new_markdown_cell("Short."))
    three_lines = layout.cell_height(
        new_markdown_cell("word " * (3 * layout.PROSE_CHARS // 5))
    )
    assert three_lines - one_line == pytest.approx(2 * layout.PROSE_LINE)
    notes = new_markdown_cell("x", metadata={"slideshow": {"slide_type": "notes"}})
    assert layout.cell_height(notes) == 0
    assert layout.visible_length("abcd") == 4
    assert layout.visible_length("中文") == pytest.approx(2 * layout.PROSE_WIDE)
    assert layout.markdown_blocks("Text:\n* a\n* b\n\n$$x\n\ny$$") == [
        "Text:",
        "* a\n* b",
        "$$x\n\ny$$",
    ]


def test_a_formula_wider_than_a_line_is_estimated_as_the_lines_the_deck_breaks_it_into() -> (
    None
):
    """The deck breaks a display formula wider than the slide into lines (the template's
    fitWidths): the estimate adds layout.MATH_LINE for each line after the first, from the
    formula's estimated width; a formula of rows is as wide as its widest row, and an output
    formula (Math(...)) is drawn smaller than a cell's."""
    short = r"L = \frac{1}{m} \sum_{i=1}^{m} (\hat y_i - y_i)^2"
    assert layout.display_math_width(short) < layout.MATH_LINE_WIDTH
    assert layout.display_math_height(short) == 100.0  # a sum's limits, one line
    wide = " + ".join(rf"\frac{{a_{{{i}}}}}{{b_{{{i}}}}}" for i in range(40))
    width = layout.display_math_width(wide)
    lines = -(-width // layout.MATH_FILL_WIDTH)
    assert width > 2 * layout.MATH_FILL_WIDTH and lines >= 3
    assert layout.display_math_height(wide) == 80.0 + (lines - 1) * layout.MATH_LINE
    rows = r" \\ ".join([short] * 5)
    assert layout.display_math_width(rows) == layout.display_math_width(short)
    # 05's binary cross-entropy from the catalog: 2144 px unbroken in Chromium, 3 lines.
    bce = (
        r"$\displaystyle L(y, \hat y) = \frac{1}{K} \sum_{k=1}^{K} -\left[\tilde y_k \ln "
        r"\operatorname{clip}(\hat y_k) + (1 - \tilde y_k) \ln\left(1 - \operatorname{clip}"
        r"(\hat y_k)\right)\right], \quad \tilde y = y (1 - s) + \tfrac{s}{2}, \quad "
        r"\operatorname{clip}(u) = \min(\max(u, \epsilon), 1 - \epsilon), \quad \epsilon = "
        r"10^{-7}; \quad \text{from_logits (}\hat y = z\text{): } \ell_k = \max(z_k, 0) - "
        r"z_k \tilde y_k + \ln\left(1 + e^{-|z_k|}\right)$"
    )
    measured = 2144
    estimated = layout.display_math_width(bce, layout.MATH_OUTPUT_SYMBOL)
    assert 0.8 < measured / estimated < 1.25
    output = nbformat.v4.new_output("display_data", data={"text/latex": bce})
    assert layout.output_height(output) == pytest.approx(
        layout.MATH_OUTPUT_PADDING
        + 100.0 * layout.MATH_OUTPUT_SYMBOL / layout.MATH_SYMBOL
        + 2 * layout.MATH_LINE
    )


def test_a_pictures_height_comes_from_its_png_header() -> None:
    import base64
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2440, 500)).save(buffer, format="png")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    assert layout.png_size(data) == (2440, 500)
    output = nbformat.v4.new_output("display_data", data={"image/png": data})
    narrowed = 500 * layout.OUTPUT_WIDTH / 2440 + layout.IMAGE_MARGIN
    assert layout.output_height(output) == pytest.approx(narrowed)


def test_code_too_tall_for_a_slide_is_cut_between_top_level_statements() -> None:
    functions = [
        f"def step_{i}(x):\n"
        + "\n".join(f"    x = x + {j}" for j in range(6))
        + "\n    return x"
        for i in range(5)
    ]
    source = "\n".join(functions)  # no blank lines: statements are still found
    notebook = new_notebook(
        cells=[
            new_markdown_cell(
                "# 99 · Demo", metadata={"slideshow": {"slide_type": "slide"}}
            ),
            *_section("6. Long code", new_code_cell(source)),
        ]
    )
    groups = slides.slides_of(slides.deck_notebook(notebook, "student").cells)[1:]
    assert len(groups) >= 2 and all(_estimated(g) <= layout.BUDGET for g in groups)
    code = [c.source for g in groups for c in g if c.cell_type == "code"]
    assert "\n".join(code) == source, "the code is cut between functions, not changed"
    assert all(part.startswith("def step_") for part in code)


def test_a_list_too_tall_for_a_slide_is_cut_between_items_keeping_its_numbers() -> None:
    items = "\n".join(f"{i}. {_paragraph(i)}" for i in range(1, 13))
    notebook = new_notebook(
        cells=[
            new_markdown_cell(
                "# 99 · Demo", metadata={"slideshow": {"slide_type": "slide"}}
            ),
            *_section("7. Steps", new_markdown_cell(items)),
        ]
    )
    groups = slides.slides_of(slides.deck_notebook(notebook, "student").cells)[1:]
    assert len(groups) >= 2 and all(_estimated(g) <= layout.BUDGET for g in groups)
    parts = [c.source for g in groups for c in g if re.match(r"\d+\. ", c.source)]
    assert "\n".join(parts) == items
    assert parts[1].startswith(tuple(f"{n}. " for n in range(2, 12)))


def test_a_nearly_empty_slide_left_by_a_split_joins_its_neighbour() -> None:
    """Code that fills a slide under its lead-in, then a two-line output: the output joins
    the next slide of the section instead of a slide of its own."""
    filling = _code(1, 19)
    filling.outputs = [
        nbformat.v4.new_output(
            "stream", name="stdout", text="first line\nsecond line\n"
        )
    ]
    notebook = new_notebook(
        cells=[
            new_markdown_cell(
                "# 99 · Demo", metadata={"slideshow": {"slide_type": "slide"}}
            ),
            *_section("8. Checks", new_markdown_cell("The checks:"), filling),
            new_code_cell(
                "short = 1", metadata={"slideshow": {"slide_type": "subslide"}}
            ),
        ]
    )
    groups = slides.slides_of(slides.deck_notebook(notebook, "student").cells)[1:]
    shown = [[c for c in g if slides._slide_type(c) != "notes"] for g in groups]
    assert [c.source for c in shown[0][1:]] == ["The checks:", filling.source]
    assert not shown[0][2].outputs, "the output did not fit under its code"
    assert len(groups) == 2, [[c.source[:20] for c in g] for g in shown]
    assert [c.source for c in shown[1][1:]] == [filling.source, "short = 1"]
    assert shown[1][1].metadata["transient"]["remove_source"], (
        "the output, not its code"
    )


# --- The Chinese edition's decks (issue 22) ---------------------------------------------------

ZH_NOTEBOOKS = sorted((NOTEBOOK_DIR / "zh").glob("[0-9A-Z]*.ipynb"))
handouts = importlib.import_module("handouts")  # a dataclass: imported, not loaded


def zh_lesson() -> nbformat.NotebookNode:
    """lesson() as the zh edition writes it: 讲者备注, 用时：N 分钟, ## 练习, ## 参考答案; two
    sections with minutes, the second one long enough to continue on a second slide."""
    md, code = new_markdown_cell, new_code_cell
    cells = [
        md(
            "# 99 · 演示\n\n<!-- launch-badges -->\n"
            "[![在Colab中打开](https://colab.research.google.com/assets/colab-badge.svg)](x)",
            metadata={"slideshow": {"slide_type": "slide"}},
        ),
        md(
            "## 1 · 思路：平方的作用\n\n$$L = (\\hat y - y)^2$$",
            metadata={"slideshow": {"slide_type": "slide"}},
        ),
        md(
            "**讲者备注**\n\n讲：平方有什么作用？用时：3 分钟",
            metadata={"slideshow": {"slide_type": "notes"}},
        ),
        md("接下来的数字如下：", metadata={"slideshow": {"slide_type": "subslide"}}),
        code("print(1)", metadata={"slideshow": {"slide_type": "subslide"}}),
        md("## 练习", metadata={"slideshow": {"slide_type": "slide"}}),
        md(
            "**讲者备注**\n\n讲：给大家十分钟。用时：4 分钟",
            metadata={"slideshow": {"slide_type": "notes"}},
        ),
        code(
            'answer = ...\ncheck("99.1", answer)',
            outputs=[
                nbformat.v4.new_output(
                    "execute_result",
                    data={"text/plain": "还没有作答。\n提示：想想e^(-2)。"},
                    execution_count=1,
                )
            ],
        ),
        md(
            "## 参考答案\n\n请先自己做练习。每个答案单元格都是折叠的；点击它的左边缘即可展开。",
            metadata={"slideshow": {"slide_type": "slide"}},
        ),
        code(
            'check("99.1", 0.8807970779778823)',
            metadata={
                "slideshow": {"slide_type": "skip"},
                "jupyter": {"source_hidden": True},
            },
        ),
    ]
    return new_notebook(cells=cells)


@pytest.fixture(scope="module")
def zh_decks(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("decks")
    path = folder / "zh" / "99_demo.ipynb"
    path.parent.mkdir()
    nbformat.write(zh_lesson(), path)
    return {a: slides.export(path, folder, a) for a in slides.AUDIENCES}


def _shown_text(deck: nbformat.NotebookNode) -> str:
    return "\n".join(
        c.source for c in deck.cells if slides._slide_type(c) not in ("notes", "skip")
    )


def test_a_zh_notebook_gets_a_chinese_deck_in_zh_that_loads_the_shared_assets(
    zh_decks,
) -> None:
    for audience, path in zh_decks.items():
        assert path.parent.name == "zh", path
        assert path.name == slides.deck_name(Path("99_demo.ipynb"), audience)
        html = path.read_text(encoding="utf-8")
        urls = loaded_urls(html)
        assert urls and all(u.startswith(("../_static/", "data:")) for u in urls), urls
        assert '<html lang="zh">' in html
        font = re.search(
            r'@font-face \{ font-family: "Course Sans SC"; src: url\("([^"]+)"\)', html
        )
        assert font and font.group(1) == "../" + slides.slide_assets.CJK_FONT
        assert "unicode-range: U+2E80-33FF" in html, "Latin text keeps its fonts"
        for stack in ("--r-main-font", "--jp-content-font-family", "--r-code-font"):
            assert re.search(rf'{stack}: "Course Sans SC",', html), stack
        assert "window.open = function" in html, "the speaker view gets the font"


def test_an_english_deck_brings_no_cjk_font(decks) -> None:
    assert "Course Sans SC" not in decks["student"]
    assert '<html lang="en">' in decks["student"]


def test_the_cjk_font_is_installed_once_beside_the_assets(tmp_path) -> None:
    static = tmp_path / "_static"
    assets.install_font(static)
    font = tmp_path / slides.slide_assets.CJK_FONT
    source = ROOT / "course_utils" / "fonts" / "CourseSansSC-Regular.otf"
    assert font.read_bytes() == source.read_bytes()
    assert (font.parent / "OFL.txt").is_file(), "the licence travels with the font"


def test_zh_class_deck_has_no_solutions_section_or_exercise_outputs(zh_decks) -> None:
    deck = slides.deck_notebook(zh_lesson(), "student", "zh")
    headings = [slides._heading(c) for c in deck.cells if slides._heading(c)]
    assert "参考答案" not in headings and "练习" in headings
    exercise = next(c for c in deck.cells if 'check("99.1", answer)' in c.source)
    assert exercise.outputs == [], "the check's reply (a hint) is not shown in class"
    html = zh_decks["student"].read_text(encoding="utf-8")
    assert "0.8807970779778823" not in html and "参考答案" not in html
    assert "提示：" not in html and "还没有作答" not in html and "99.1" in html


def test_zh_instructor_deck_has_the_solutions_last_unfolded(zh_decks) -> None:
    deck = slides.deck_notebook(zh_lesson(), "instructor", "zh")
    headings = [slides._heading(c) for c in deck.cells if slides._heading(c)]
    assert headings[-1] == "参考答案"
    solution = next(c for c in deck.cells if "0.8807970779778823" in c.source)
    assert slides._slide_type(solution) == "-"
    assert "source_hidden" not in solution.metadata.get("jupyter", {})
    text = _shown_text(deck)
    assert "折叠" not in text and "左边缘" not in text
    assert "请先自己做练习。每个答案都列在对应练习的编号之下。" in text
    html = zh_decks["instructor"].read_text(encoding="utf-8")
    assert "提示：" in html


@pytest.mark.parametrize("audience", slides.AUDIENCES)
def test_zh_notes_carry_the_minutes_of_their_sections_in_chinese(audience) -> None:
    deck = slides.deck_notebook(zh_lesson(), audience, "zh")
    groups = slides.slides_of(deck.cells)
    notes = [[c.source for c in g if slides._slide_type(c) == "notes"] for g in groups]
    assert all(len(n) == 1 for n in notes), "every slide has notes"
    clocks = [n[0].rsplit("\n\n", 1)[-1] for n in notes]
    assert clocks[1] == "*时间安排*：本节3分钟，即全程第0–3分钟（共7分钟）。"
    assert clocks[-1 if audience == "student" else -2] == (
        "*时间安排*：本节4分钟，即全程第3–7分钟（共7分钟）。"
    )
    assert notes[2][0].startswith("**讲者备注** · *1 · 思路：平方的作用，第2/2张*")
    assert "讲：平方有什么作用？" in notes[2][0], (
        "a continuation has its section's notes"
    )
    assert notes[2][0].count("讲者备注") == 1, "the notes cell's own heading is dropped"
    english = ("Running time", "Speaker notes", "slide", "minutes", "section")
    assert not [w for n in notes for w in english if w in n[0]]


def test_zh_continuation_slides_have_chinese_titles_and_keep_a_lead_in() -> None:
    deck = slides.deck_notebook(zh_lesson(), "student", "zh")
    groups = slides.slides_of(deck.cells)
    assert [g[0].source.splitlines()[0] for g in groups] == [
        "# 99 · 演示",
        "## 1 · 思路：平方的作用",
        "### 思路（2/2）",
        "## 练习",
    ]
    assert [c.source for c in groups[2][1:3]] == ["接下来的数字如下：", "print(1)"]
    assert not any(slides.ends_on_lead_in(g) for g in groups), "'：' is a lead-in"


def test_zh_deck_footer_names_the_chinese_course(zh_decks) -> None:
    html = zh_decks["student"].read_text(encoding="utf-8")
    footer = json.loads(re.search(r"var FOOTER_TEXT = (.*);", html).group(1))
    assert footer == "神经网络中的损失函数 · 99 演示"
    readme = (ROOT / "README.zh.md").read_text(encoding="utf-8")
    assert readme.startswith(f"# {slides.EDITIONS['zh'].course_title}\n")


def test_the_cjk_font_draws_every_chinese_word_the_exporter_writes() -> None:
    from fontTools.ttLib import TTFont

    cmap = TTFont(
        ROOT / "course_utils" / "fonts" / "CourseSansSC-Regular.otf"
    ).getBestCmap()
    edition = slides.EDITIONS["zh"]
    written = "".join(map(str, edition._asdict().values()))
    missing = {ch for ch in written if ord(ch) > 0x2E7F and ord(ch) not in cmap}
    assert not missing, missing


@pytest.mark.parametrize("notebook", ZH_NOTEBOOKS, ids=[n.stem for n in ZH_NOTEBOOKS])
@pytest.mark.parametrize("audience", slides.AUDIENCES)
def test_real_zh_decks_orient_the_audience(notebook, audience) -> None:
    """Every slide of every zh deck: a heading, notes with the running time in Chinese, no
    lead-in colon at its end; the class deck has no 参考答案 and no exercise outputs, the
    instructor deck has them last; the minutes are the notes' 用时."""
    source = nbformat.read(notebook, as_version=4)
    deck = slides.deck_notebook(source, audience, "zh")
    groups = slides.slides_of(deck.cells)
    problems = []
    for number, group in enumerate(groups, 1):
        if not slides._heading_level(group[0]):
            problems.append(f"s{number}: no heading")
        notes = [c.source for c in group if slides._slide_type(c) == "notes"]
        if not notes or not all("*时间安排*：本节" in n for n in notes):
            problems.append(f"s{number}: no notes with the running time")
        if any("Running time" in n or "Speaker notes" in n for n in notes):
            problems.append(f"s{number}: English in the notes")
        if slides.ends_on_lead_in(group) and number < len(groups):
            problems.append(f"s{number}: ends on a lead-in colon")
        if re.search(r"\(\d+/\d+\)$", group[0].source.splitlines()[0]):
            problems.append(f"s{number}: an English continuation title")
    assert not problems, problems
    headings = [slides._heading(c) for c in deck.cells if slides._heading(c)]
    planned, section = 0, None
    for cell in source.cells:
        section = slides._heading(cell) or section
        if slides._slide_type(cell) == "notes" and not (
            audience == "student" and section == "参考答案"
        ):
            planned += sum(map(int, re.findall(r"用时：\s*(\d+)\s*分钟", cell.source)))
    last_notes = [c.source for c in groups[-1] if slides._slide_type(c) == "notes"]
    assert planned and f"（共{planned}分钟）。" in last_notes[-1], "minutes from 用时"
    if audience == "student":
        assert "参考答案" not in headings
        at = next(i for i, c in enumerate(deck.cells) if slides._heading(c) == "练习")
        exercises = [c for c in deck.cells[at:] if c.cell_type == "code"]
        assert exercises and not any(c.outputs for c in exercises), "no hints in class"
    else:
        assert headings[-1] == "参考答案"
        shown = _shown_text(deck)
        assert "点击它的左边缘" not in shown


@pytest.mark.parametrize("notebook", ZH_NOTEBOOKS, ids=[n.stem for n in ZH_NOTEBOOKS])
def test_real_zh_class_deck_has_no_badges_solutions_or_hints(
    notebook, tmp_path
) -> None:
    copy = tmp_path / "zh" / notebook.name
    copy.parent.mkdir()
    shutil.copy(notebook, copy)
    html = slides.export(copy, tmp_path, "student").read_text(encoding="utf-8")
    assert "colab-badge.svg" not in html and "badge_logo.svg" not in html
    assert 'id="参考答案"' not in html and "提示：" not in html
    assert all(u.startswith(("../_static/", "data:")) for u in loaded_urls(html))


def test_chinese_line_breaks_follow_the_browser() -> None:
    """Measured in Chromium on a zh deck (scale 1): 49 CJK characters fill a prose line, 47 a
    list item's line, and 54 fit a code line after '# '. The estimate errs a little high (PROSE_WIDE
    is calibrated on whole slides): 47 a prose line, 44 a list line. A code comment breaks
    between CJK characters, not as one long word."""
    text = "损失函数衡量预测值与目标值之间的差距并决定梯度的方向和大小" * 4
    assert layout._lines(text[:47], layout.PROSE_CHARS) == 1
    assert layout._lines(text[:50], layout.PROSE_CHARS) == 2
    assert layout._lines(text[:44], layout.LIST_CHARS) == 1
    assert layout._lines(text[:48], layout.LIST_CHARS) == 2
    assert layout._text_lines("# " + text[:50]) == 1
    assert layout._text_lines("# " + text[:60]) == 2
    # '，' and '）' never start a line: they stay with the character before them
    assert layout._cjk_lines("中" * 47 + "，文", 92) == 2
    assert layout._lines("word " * 30, layout.PROSE_CHARS) == 2, "English as before"


def test_handout_words_count_each_chinese_character() -> None:
    assert handouts.words("损失函数（loss）") == ["损", "失", "函", "数", "loss"]
    slide = handouts.Slide(title="t", images=0, text="损失函数衡量预测值 with Keras")
    assert handouts.missing_on_page(slide, "损失函数衡\n量预测值 with\nKeras", 0) == []
    lost = handouts.missing_on_page(slide, "损失函数衡 with Keras", 0)
    assert lost and "量" in lost[0] and "预" in lost[0]
