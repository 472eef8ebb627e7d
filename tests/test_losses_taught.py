"""Every one of the 22 catalog losses is taught in notebook 04, 05 or 06 *with its proof against Keras*.

A loss counts as taught and proven when one **code cell** of those notebooks

* names it: ``keras.losses.<name>`` or ``keras.losses.<KerasClass>`` (called, or bound to a
  name the cell calls), or the catalog name as a string
  (``get("huber")``, or in a tuple a loop walks through), matched as a whole word, so ``hinge`` is not
  found inside ``squared_hinge``;
* calls Keras: ``keras.losses.`` or a catalog entry's ``.keras``;
* and asserts: a line starting with ``assert``, or ``np.testing.assert_…``.

Drop a loss's proof from the notebooks and its test here fails. Each loss has a home notebook (its
catalog family: regression → 04, classification → 05, the rest → 06); while a home notebook has not
been written yet, its losses are reported as skipped with the notebook's name, and the check starts
on its own once the notebook exists.
"""

from __future__ import annotations

import io
import re
import tokenize

import nbformat
import pytest
from notebook_rules import NOTEBOOK_DIR, code_cells, read

from course_utils.losses import catalog

HOME = {
    "regression": "04_regression_losses.ipynb",
    "classification": "05_classification_losses.ipynb",
    "probabilistic": "06_divergence_similarity_and_other_losses.ipynb",
    "similarity": "06_divergence_similarity_and_other_losses.ipynb",
    "segmentation": "06_divergence_similarity_and_other_losses.ipynb",
    "metric learning": "06_divergence_similarity_and_other_losses.ipynb",
    "sequence": "06_divergence_similarity_and_other_losses.ipynb",
}
TEACHING_NOTEBOOKS = sorted(set(HOME.values()))

#: Keras class names that are not the CamelCase of the function name.
SPECIAL_CLASS_NAMES = {"kl_divergence": "KLDivergence", "ctc": "CTC"}

CALLS_KERAS = re.compile(r"keras\.losses\.|\.keras\b")
ASSERTS = re.compile(r"^\s*assert\b|np\.testing\.assert_|\bassert_allclose\(", re.M)

ENTRIES = catalog()


def keras_class_name(name: str) -> str:
    """``mean_squared_error`` → ``MeanSquaredError`` (the Keras loss class of a catalog name)."""
    return SPECIAL_CLASS_NAMES.get(
        name, "".join(part.capitalize() for part in name.split("_"))
    )


def _word(text: str) -> str:
    return rf"(?<![A-Za-z0-9_]){re.escape(text)}(?![A-Za-z0-9_])"


def names_a_loss(source: str, name: str) -> bool:
    """The cell's code refers to the loss ``name`` (function, class, or catalog string)."""
    forms = (
        rf"keras\.losses\.{_word(name)}",
        rf"keras\.losses\.{_word(keras_class_name(name))}",
        rf"[\"']{re.escape(name)}[\"']",
    )
    return any(re.search(form, source) for form in forms)


def without_comments(source: str) -> str:
    """The cell's code with its comments removed (IPython magics and shell lines dropped first)."""
    lines = [
        line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
    ]
    code = "\n".join(lines) + "\n"
    try:
        tokens = tokenize.generate_tokens(io.StringIO(code).readline)
        kept = [token for token in tokens if token.type != tokenize.COMMENT]
        return tokenize.untokenize(kept)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return re.sub(r"#.*$", "", code, flags=re.M)


def proven_names(notebook: nbformat.NotebookNode, names: list[str]) -> set[str]:
    """The names among ``names`` that some code cell of ``notebook`` calls in Keras and asserts on."""
    proven = set()
    for cell in code_cells(notebook):
        source = without_comments(cell.source)
        if not (CALLS_KERAS.search(source) and ASSERTS.search(source)):
            continue
        proven |= {name for name in names if names_a_loss(source, name)}
    return proven


def _existing() -> dict[str, nbformat.NotebookNode]:
    return {
        name: read(NOTEBOOK_DIR / name)
        for name in TEACHING_NOTEBOOKS
        if (NOTEBOOK_DIR / name).exists()
    }


NOTEBOOKS = _existing()


def test_the_catalog_is_the_22_keras_losses_and_each_has_a_home_notebook():
    assert len(ENTRIES) == 22
    assert {entry.family for entry in ENTRIES.values()} <= set(HOME)
    assert len({keras_class_name(name) for name in ENTRIES}) == 22


@pytest.mark.parametrize("name", list(ENTRIES))
def test_every_catalog_loss_is_taught_with_its_proof_against_keras(name):
    home = HOME[ENTRIES[name].family]
    if home not in NOTEBOOKS:
        pytest.skip(f"{home} is not written yet: {name} is checked once it exists")
    where = [
        nb
        for nb, notebook in NOTEBOOKS.items()
        if name in proven_names(notebook, [name])
    ]
    assert where, (
        f"{name} ({keras_class_name(name)}) is not proven against Keras in any of "
        f"{sorted(NOTEBOOKS)}: no code cell that names it, calls Keras and asserts."
    )


# ----------------------------------------------------------------------------- the rule itself


def _notebook(*sources: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(s) for s in sources]
    )


NAMES = list(ENTRIES)


def test_a_cell_that_calls_keras_and_asserts_proves_the_losses_it_names():
    notebook = _notebook(
        "ours = huber_by_hand(y, p)\n"
        "assert np.isclose(ours, keras.losses.huber(y, p, delta=1.0))",
        'for name in ("dice", "tversky"):\n'
        "    entry = get(name)\n"
        "    np.testing.assert_allclose(entry.numpy(y, p), entry.keras(y, p))",
        "value = keras.losses.KLDivergence()(p, q)\nassert value > 0",
        "gce_keras = keras.losses.categorical_generalized_cross_entropy\n"
        "np.testing.assert_allclose(scratch, gce_keras(ids, probs, q=0.5))",
    )
    assert proven_names(notebook, NAMES) == {
        "huber",
        "dice",
        "tversky",
        "kl_divergence",
        "categorical_generalized_cross_entropy",
    }


@pytest.mark.parametrize(
    "source",
    [
        "print(keras.losses.poisson(y, p))",  # no assertion
        'entry = get("poisson")\nassert entry.numpy(y, p) > 0',  # never calls Keras
        "# keras.losses.poisson(y, p) is checked elsewhere\nassert True",  # a comment only
    ],
)
def test_a_cell_without_keras_or_without_an_assertion_proves_nothing(source):
    assert proven_names(_notebook(source), NAMES) == set()


def test_names_are_matched_as_whole_words():
    hinge_only_inside = _notebook(
        "assert np.isclose(keras.losses.squared_hinge(y, p), ours)\n"
        "assert np.isclose(keras.losses.CategoricalHinge()(y, p), ours)"
    )
    proven = proven_names(hinge_only_inside, NAMES)
    assert proven == {"squared_hinge", "categorical_hinge"}, (
        "hinge is not squared_hinge"
    )
    assert "binary_crossentropy" not in proven_names(
        _notebook("assert keras.losses.binary_focal_crossentropy(y, p) > 0"), NAMES
    )
    assert "categorical_crossentropy" not in proven_names(
        _notebook("assert keras.losses.sparse_categorical_crossentropy(y, p) > 0"),
        NAMES,
    )
    assert proven_names(_notebook("print('dice')"), NAMES) == set()


def test_dropping_a_loss_from_notebook_06_is_caught():
    """Remove every cell that proves Tversky from notebook 06: the rule no longer finds it."""
    home = "06_divergence_similarity_and_other_losses.ipynb"
    if home not in NOTEBOOKS:
        pytest.skip(f"{home} is not written yet")
    notebook = NOTEBOOKS[home]
    assert "tversky" in proven_names(notebook, NAMES)
    kept = [
        cell
        for cell in notebook.cells
        if not (cell.cell_type == "code" and names_a_loss(cell.source, "tversky"))
    ]
    assert "tversky" not in proven_names(nbformat.v4.new_notebook(cells=kept), NAMES)
