"""The loss catalog's shape: it covers every Keras loss, and every entry is complete and documented."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

from course_utils.losses import EPSILON, FAMILIES, catalog, get

ENTRIES = catalog()


def _keras_loss_functions() -> dict[str, str]:
    """Keras loss class name -> the functional loss it wraps, read off the installed keras.losses."""
    import keras

    functions = {}
    for class_name in dir(keras.losses):
        cls = getattr(keras.losses, class_name)
        if (
            not (inspect.isclass(cls) and issubclass(cls, keras.losses.Loss))
            or cls is keras.losses.Loss
        ):
            continue
        functions[class_name] = cls().fn.__name__
    return functions


def test_catalog_covers_every_loss_class_keras_ships():
    wrapped = _keras_loss_functions()
    assert len(wrapped) >= 22
    missing = {cls: fn for cls, fn in wrapped.items() if fn not in ENTRIES}
    assert not missing, f"losses Keras ships that the catalog lacks: {missing}"
    assert set(ENTRIES) <= set(wrapped.values()), (
        "the catalog names a loss Keras does not ship"
    )


def test_catalog_has_the_22_losses_of_keras_3_15():
    assert len(ENTRIES) == 22


@pytest.mark.parametrize("name", ENTRIES)
def test_entry_is_complete(name):
    entry = ENTRIES[name]
    assert entry.family in FAMILIES
    assert entry.display_name and entry.when_to_use.endswith(".")
    assert entry.latex.count("{") == entry.latex.count("}"), (
        "unbalanced braces in the formula"
    )
    assert "L" in entry.latex or "\\ell" in entry.latex
    assert entry.keras is getattr(__import__("keras").losses, name)
    if entry.grad is None:
        assert entry.notes, (
            "an entry without an analytic gradient says why in its notes"
        )


@pytest.mark.parametrize("name", ENTRIES)
def test_tf_has_the_keras_signature(name):
    """Same parameter names, order and defaults: the tf version can stand in for the Keras function."""
    entry = ENTRIES[name]
    ours = inspect.signature(entry.tf).parameters
    theirs = inspect.signature(entry.keras).parameters
    assert list(ours) == list(theirs)
    for parameter in theirs:
        assert ours[parameter].default == theirs[parameter].default, parameter
    keras_defaults = {
        parameter: value.default
        for parameter, value in theirs.items()
        if value.default is not inspect.Parameter.empty
    }
    assert entry.defaults == {key: keras_defaults[key] for key in entry.defaults}
    assert set(entry.defaults) <= set(keras_defaults)
    for param in entry.params:
        assert param.name in theirs, (
            f"{param.name} is not a parameter of the Keras function"
        )
        assert param.required == (
            theirs[param.name].default is inspect.Parameter.empty
        ), param.name


@pytest.mark.parametrize("name", ENTRIES)
def test_numpy_and_grad_take_the_same_parameters_as_tf(name):
    entry = ENTRIES[name]
    tf_parameters = list(inspect.signature(entry.tf).parameters)
    assert list(inspect.signature(entry.numpy).parameters) == tf_parameters
    if entry.grad is not None:
        assert list(inspect.signature(entry.grad).parameters) == tf_parameters


@pytest.mark.parametrize("name", ENTRIES)
def test_every_implementation_has_a_docstring_with_a_formula(name):
    entry = ENTRIES[name]
    for function in (entry.numpy, entry.tf, entry.grad):
        if function is not None:
            assert function.__doc__ and len(function.__doc__.strip()) > 20, (
                function.__name__
            )


def test_epsilon_is_keras_epsilon():
    import keras

    assert EPSILON == keras.config.epsilon()


def test_get_returns_an_entry_and_names_the_choices_on_a_typo():
    assert get("huber").name == "huber"
    with pytest.raises(KeyError, match="mean_squared_error"):
        get("mse_loss")


def test_parameter_checks_name_the_parameter():
    with pytest.raises(ValueError, match="delta"):
        get("huber").param("delta").validate(-1.0)
    get("huber").param("delta").validate(0.5)


def test_importing_the_losses_does_not_import_tensorflow_or_keras():
    code = (
        "import sys, course_utils.losses as losses; losses.catalog(); "
        "import course_utils.article_errata; import course_utils.losses.vae; "
        "import course_utils.losses.confusion_aware; "
        "bad = [m for m in ('tensorflow', 'keras') if m in sys.modules]; "
        "assert not bad, bad"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def _library_modules():
    import importlib
    import pkgutil

    import course_utils.losses as package

    names = [
        f"course_utils.losses.{m.name}" for m in pkgutil.iter_modules(package.__path__)
    ]
    return [
        importlib.import_module(name)
        for name in [*names, "course_utils.article_errata"]
    ]


@pytest.mark.parametrize(
    "module", _library_modules(), ids=lambda module: module.__name__
)
def test_every_public_function_of_the_library_has_a_docstring(module):
    assert module.__doc__, module.__name__
    undocumented = [
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and inspect.isfunction(value)
        and value.__module__ == module.__name__
        and not (value.__doc__ or "").strip()
    ]
    assert not undocumented, f"{module.__name__}: {undocumented}"
