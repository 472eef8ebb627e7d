"""The explorer of all 22 catalog losses, driven without a browser."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from course_utils import loss_explorer as le
from course_utils.losses import catalog, get
from course_utils.plotting import artist
from course_utils.widgets import WIDGET_FACTORIES

NAMES = list(catalog())
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def live():
    return le.loss_explorer_widget("huber")


def _numerical_slope(name, target, params, x, step=1e-6):
    cut = le.SLICES[name]
    ahead = cut.build(x + step, target, params)
    behind = cut.build(x - step, target, params)

    def value(inputs):
        return le._evaluate(name, inputs, params, cut.per_sample)

    return (value(ahead) - value(behind)) / (2 * step)


def test_every_catalog_loss_has_a_slice():
    assert sorted(le.SLICES) == sorted(NAMES) and len(NAMES) == 22


@pytest.mark.parametrize("name", NAMES)
def test_plotted_loss_is_the_catalog_numpy_on_the_stated_inputs(name):
    curves = le.slice_curves(name)
    assert np.all(np.isfinite(curves.loss)) and np.all(np.isfinite(curves.gradient))
    target = le.SLICES[name].target.default
    params = {p: le.param_default(name, p) for p in le.controlled_params(name)}
    picks = np.array([3, len(curves.x) // 3, len(curves.x) // 2, len(curves.x) - 4])
    inputs = le.SLICES[name].build(curves.x[picks], target, params)
    kwargs = {**inputs.fixed_kwargs, **params}
    entry = get(name)
    if name == "circle":  # the anchor's loss (row 0) of each three-embedding batch
        expected = [
            entry.numpy(labels, batch, **kwargs)[0]
            for labels, batch in zip(inputs.y_true, inputs.y_pred)
        ]
    else:
        expected = entry.numpy(inputs.y_true, inputs.y_pred, **kwargs)
    np.testing.assert_allclose(curves.loss[picks], expected, rtol=1e-12, atol=1e-12)


def test_simple_slices_are_what_their_titles_say():
    mse = le.slice_curves("mean_squared_error", target=1.0)
    np.testing.assert_allclose(mse.loss, (mse.x - 1.0) ** 2)
    np.testing.assert_allclose(mse.gradient, 2 * (mse.x - 1.0))
    assert "target y = 1" in mse.title and mse.x_label == "prediction ŷ"
    cce = le.slice_curves("categorical_crossentropy", target=2)
    np.testing.assert_allclose(cce.loss, -np.log((1 - cce.x) / 2), rtol=1e-6)
    logits = le.slice_curves("categorical_crossentropy", target=0, from_logits=True)
    np.testing.assert_allclose(
        logits.loss, np.log(np.exp(logits.x) + 2) - logits.x, rtol=1e-9
    )
    cosine = le.slice_curves("cosine_similarity", target=30.0)
    np.testing.assert_allclose(
        cosine.loss, -np.cos(np.radians(cosine.x - 30.0)), atol=1e-12
    )


def test_ctc_slice_equals_a_brute_force_sum_over_paths():
    """Label '1 1' over 5 frames: sum the probabilities of every path that collapses to it."""
    from itertools import product

    curves = le.slice_curves("ctc", target=2, points=5)
    for z, loss in zip(curves.x, curves.loss):
        probs = np.exp([0.0, z, 0.0]) / np.exp([0.0, z, 0.0]).sum()
        total = 0.0
        for path in product(range(3), repeat=le.CTC_FRAMES):
            merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
            if [c for c in merged if c != 0] == [1, 1]:
                total += np.prod(probs[list(path)])
        np.testing.assert_allclose(loss, -np.log(total), rtol=1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_plotted_gradient_matches_finite_differences(name):
    curves = le.slice_curves(name)
    target = le.SLICES[name].target.default
    params = {p: le.param_default(name, p) for p in le.controlled_params(name)}
    x = curves.x[np.linspace(5, len(curves.x) - 6, 7).astype(int)]
    numeric = _numerical_slope(name, target, params, x)
    coarse = _numerical_slope(name, target, params, x, step=1e-4)
    smooth = np.isclose(numeric, coarse, rtol=1e-3, atol=1e-6)  # not at a kink
    assert smooth.sum() >= 4
    plotted = curves.gradient[np.searchsorted(curves.x, x)]  # x lies on the grid
    np.testing.assert_allclose(plotted[smooth], numeric[smooth], rtol=2e-4, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_analytic_gradient_is_used_where_the_catalog_has_one(name):
    curves = le.slice_curves(name)
    expected = "analytic" if get(name).grad is not None else "finite differences"
    assert curves.gradient_source == expected
    assert ("finite differences" in curves.note) == (get(name).grad is None)


@pytest.mark.parametrize("name", NAMES)
def test_widget_shows_each_loss_and_follows_its_sliders(live, name):
    live.set(loss=name)
    assert live.loss == name
    spec = le.SLICES[name].target
    live.set(target=spec.high)
    params = {}
    for param in le.controlled_params(name):
        control = live.controls[param]
        assert control.layout.display != "none"
        if param in le.FLAG_PARAMS:
            value = not control.value
        else:
            value = control.max if control.value != control.max else control.min
        live.set(**{param: value})
        params[param] = value
    expected = le.slice_curves(name, spec.high, **params)
    x, loss = artist(live.figure, "loss-curve").get_data()
    np.testing.assert_allclose(x, expected.x)
    np.testing.assert_allclose(loss, expected.loss)
    np.testing.assert_allclose(
        artist(live.figure, "gradient-curve").get_data()[1], expected.gradient
    )
    assert le.figure_title(live.figure) == expected.title
    assert " vs " in expected.title
    for ax, values in zip(live.figure.axes, (expected.loss, expected.gradient)):
        low, high = ax.get_ylim()
        finite = values[np.isfinite(values)]
        assert low <= finite.min() and finite.max() <= high
    hidden = set(le.NUMERIC_PARAMS + le.FLAG_PARAMS) - set(le.controlled_params(name))
    assert all(live.controls[p].layout.display == "none" for p in hidden)
    assert bytes(live.image.value).startswith(PNG_SIGNATURE)


def test_a_new_loss_starts_at_its_defaults(live):
    live.set(loss="huber", delta=2.5)
    live.set(loss="binary_focal_crossentropy")
    live.set(loss="huber")
    assert live.controls["delta"].value == 1.0
    assert live.controls["target"].value == le.SLICES["huber"].target.default


def test_going_back_reuses_the_background_and_the_first_frame():
    fresh = le.loss_explorer_widget("huber")
    fresh.set(loss="ctc")
    fresh.set(loss="circle")
    drawn = len(fresh._renderer.backgrounds)
    fresh.set(loss="huber")
    assert len(fresh._renderer.backgrounds) == drawn
    assert bytes(fresh.image.value) == fresh.first_view_png


def test_dragging_a_slider_keeps_the_axes_until_the_curve_leaves_them():
    fresh = le.loss_explorer_widget("huber")
    limits = fresh.figure.axes[0].get_ylim()
    fresh.set(target=0.9)
    assert fresh.figure.axes[0].get_ylim() == limits
    fresh.set(delta=3.0)  # the loss grows past the old top
    assert fresh.figure.axes[0].get_ylim()[1] > limits[1]


def test_set_refuses_bad_values_instead_of_clamping(live):
    live.set(loss="huber")
    with pytest.raises(ValueError, match=r"delta must be in \[0.0, 3.0\]"):
        live.set(delta=5.0)
    for bad, error in ((float("nan"), ValueError), ("1", TypeError), (True, TypeError)):
        with pytest.raises(error, match="target"):
            live.set(target=bad)
    with pytest.raises(ValueError, match="target"):  # checked against ctc's range first
        live.set(loss="ctc", target=0.5)
    assert live.loss == "huber" and live.controls["target"].value == 1.0
    with pytest.raises(ValueError, match="target"):
        live.set(target=-10.0)
    with pytest.raises(KeyError, match="gamma"):
        live.set(gamma=1.0)  # a control of another loss
    with pytest.raises(KeyError, match="No control named"):
        live.set(weight=1.0)
    with pytest.raises(ValueError, match="loss must be one of"):
        live.set(loss="mse")
    live.set(loss="binary_crossentropy")
    with pytest.raises(TypeError, match="from_logits must be True or False"):
        live.set(from_logits=1)


def test_slice_curves_rejects_bad_arguments_by_name():
    with pytest.raises(KeyError, match="name must be the Keras name"):
        le.slice_curves("mse")
    with pytest.raises(ValueError, match="target"):
        le.slice_curves("hinge", target=3.0)
    with pytest.raises(TypeError, match="target must be a number"):
        le.slice_curves("huber", target="1")
    with pytest.raises(KeyError, match="takes the parameters"):
        le.slice_curves("huber", gamma=2.0)
    with pytest.raises(TypeError, match="from_logits must be True or False"):
        le.slice_curves("binary_crossentropy", from_logits="yes")
    with pytest.raises(ValueError, match="delta of huber must be in"):
        le.slice_curves("huber", delta=-1.0)


def test_the_explorer_is_registered_for_the_benchmark():
    assert "loss_explorer_widget" in WIDGET_FACTORIES
    live = WIDGET_FACTORIES["loss_explorer_widget"]()
    first = next(iter(live.controls.values()))
    first.value = first.max  # what test_widgets does with every registered widget
    assert live.redraw_seconds and bytes(live.image.value) != live.first_view_png
    assert live._repr_mimebundle_()["text/plain"].startswith("[interactive figure]")


def test_nice_limits_include_zero_and_snap():
    assert le.nice_limits(np.array([0.0, 3.2])) == (-0.25, 5.0)
    low, high = le.nice_limits(np.array([-1.2, 0.4]))
    assert (low, high) == (-1.5, 0.5)
    assert le.nice_limits(np.zeros(4)) == (-1.0, 1.0)


@pytest.mark.parametrize("bad", [1, 0, 2.5, True])
def test_slice_curves_needs_a_whole_number_of_points(bad):
    with pytest.raises((TypeError, ValueError), match="points"):
        le.slice_curves("huber", points=bad)


@pytest.mark.parametrize("bad", ["curve", None, np.zeros((2, 2))])
def test_nice_limits_needs_a_curve_of_numbers(bad):
    with pytest.raises(TypeError, match="values must be a 1-D array"):
        le.nice_limits(bad)


#: The plot areas are about 230 pixels tall at LIVE_DPI: a change below 1/500 of an axis's span
#: would not move a curve by half a pixel, so it is not a change a learner can see.
VISIBLE = 1 / 500


def _plotted(live):
    """The data of both curves and the panels' y spans, as the learner sees them now."""
    lines = [
        artist(live.figure, gid).get_data() for gid in ("loss-curve", "gradient-curve")
    ]
    spans = [np.ptp(ax.get_ylim()) for ax in live.figure.axes]
    return [np.asarray(part, dtype=float) for line in lines for part in line], spans


def _change(before, after):
    """How far the curves moved, as a share of their panel's span (inf: a new x axis)."""
    (old, spans), (new, _) = before, after
    if any(a.shape != b.shape for a, b in zip(old, new)) or not np.allclose(
        old[0], new[0]
    ):
        return np.inf
    return max(
        np.nanmax(np.abs(new[i] - old[i]), initial=0.0) / span
        for i, span in ((1, spans[0]), (3, spans[1]))
    )


def _step(control):
    """Where one arrow-key press (or a click on a check box) takes a control."""
    if isinstance(control.value, bool):
        return not control.value
    if control.value + control.step <= control.max + 1e-9:
        return min(control.value + control.step, control.max)
    return max(control.value - control.step, control.min)


def _drags(control):
    """The ends and the middle of a slider's range (the other state of a check box)."""
    if isinstance(control.value, bool):
        return [not control.value]
    middle = control.min + round((control.max - control.min) / 2 / control.step) * (
        control.step
    )
    return sorted({control.min, middle, control.max} - {control.value})


def _states(name):
    """Every combination of the loss's flags at its lowest, default and highest target and ½."""
    flags = [p for p in le.controlled_params(name) if p in le.FLAG_PARAMS]
    spec = le.SLICES[name].target
    targets = sorted({float(spec.low), float(spec.default), float(spec.high), 0.5})
    targets = [t for t in targets if spec.low <= t <= spec.high]
    for combo in itertools.product((False, True), repeat=len(flags)):
        for target in targets:
            yield {"target": target, **dict(zip(flags, combo))}


@pytest.mark.parametrize("name", NAMES)
def test_every_control_shown_changes_the_curves_when_moved(name):
    """What the browser test checks with key presses, for every loss, flag and target.

    One step of a parameter's control changes the curves, and dragging it (to an end or the
    middle of its range) moves them visibly; a greyed-out control changes nothing. One step of
    the target changes the title's value; dragging it moves the curves visibly, though not every
    step does: on the categorical slices classes 1 and 2 are mirror images (ŷ₁ = ŷ₂), Circle
    gives a negative below −margin no weight, and the angles ±180° are the same direction.
    """
    live = le.loss_explorer_widget(name)
    moved = 0
    for state in _states(name):
        live.set(**state)
        for param in ("target", *le.NUMERIC_PARAMS, *le.FLAG_PARAMS):
            control = live.controls[param]
            if control.layout.display == "none":
                continue
            assert param in ("target", *le.controlled_params(name))
            old, disabled = control.value, control.disabled
            before, title = _plotted(live), le.figure_title(live.figure)
            changes = []
            for value in [_step(control), *_drags(control)]:  # each from `old`'s curves
                live.set(**{param: value})
                changes.append(_change(before, _plotted(live)))
                if param == "target" and len(changes) == 1:
                    assert le.figure_title(live.figure) != title, (name, state)
            live.set(**{param: old})
            where = f"{name}: {param} moved from {old} at {state}: changes {changes}"
            if disabled:  # greyed out: it must change nothing at all
                assert max(changes) < 1e-12, where
                continue
            if param != "target":
                assert changes[0] > 1e-9, where
            assert max(changes) > VISIBLE, where
            moved += 1
    assert moved >= len(list(_states(name)))  # at least the target, in every state


def test_binary_focal_alpha_is_shown_only_with_class_balancing():
    live = le.loss_explorer_widget("binary_focal_crossentropy")
    alpha = live.controls["alpha"]
    assert alpha.layout.display == "none"  # Keras ignores alpha without class balancing
    unbalanced = le.slice_curves("binary_focal_crossentropy", alpha=0.25)
    np.testing.assert_array_equal(
        le.slice_curves("binary_focal_crossentropy", alpha=0.9).loss, unbalanced.loss
    )
    with pytest.raises(
        ValueError, match="alpha of binary_focal_crossentropy has no effect"
    ):
        live.set(alpha=0.5)
    assert alpha.value == 0.25 and live.loss == "binary_focal_crossentropy"
    live.set(alpha=0.75, apply_class_balancing=True)  # the flag is set first
    assert alpha.layout.display != "none" and not alpha.disabled
    expected = le.slice_curves(
        "binary_focal_crossentropy", alpha=0.75, apply_class_balancing=True
    )
    np.testing.assert_allclose(
        artist(live.figure, "loss-curve").get_ydata(), expected.loss
    )
    live.set(apply_class_balancing=False)
    assert alpha.layout.display == "none"
    np.testing.assert_allclose(
        artist(live.figure, "loss-curve").get_ydata(), unbalanced.loss
    )
    live.set(loss="huber")
    with pytest.raises(ValueError, match="apply_class_balancing"):
        live.set(loss="binary_focal_crossentropy", alpha=0.5)  # starts unbalanced
    assert live.loss == "huber"


def test_label_smoothing_is_greyed_out_at_a_target_of_one_half():
    live = le.loss_explorer_widget("binary_crossentropy")
    smoothing = live.controls["label_smoothing"]
    assert not smoothing.disabled
    live.set(target=0.5)
    assert smoothing.disabled and smoothing.layout.display != "none"
    live.set(label_smoothing=0.4)  # allowed: it acts again once the target moves
    live.set(target=0.8)
    assert not smoothing.disabled
    expected = le.slice_curves("binary_crossentropy", 0.8, label_smoothing=0.4)
    np.testing.assert_allclose(
        artist(live.figure, "loss-curve").get_ydata(), expected.loss
    )


def test_inert_rules_are_exact():
    """A parameter named inert changes nothing at all; where no rule applies, it does."""
    for rule in le.INERT:
        low, high, _ = le.PARAM_RANGES[(rule.loss, rule.param)]
        flags = [p for p in le.controlled_params(rule.loss) if p in le.FLAG_PARAMS]
        for combo in itertools.product((False, True), repeat=len(flags)):
            settings = dict(zip(flags, combo))
            for target in (0.0, 0.5, 0.8):
                ends = [
                    le.slice_curves(rule.loss, target, **settings, **{rule.param: v})
                    for v in (low, high)
                ]
                moved = max(
                    np.max(np.abs(ends[1].loss - ends[0].loss)),
                    np.max(np.abs(ends[1].gradient - ends[0].gradient)),
                )
                inert = le.inert_params(rule.loss, target, settings)
                where = (rule.loss, rule.param, target, settings, moved)
                if rule.when(target, settings):
                    assert rule.param in inert and moved < 1e-12, where
                elif rule.param not in inert:
                    assert moved > 1e-3, where
    assert le.inert_params("binary_focal_crossentropy", 0.8, {}) == {
        "alpha": le.INERT[0]
    }
    assert not le.inert_params(
        "binary_focal_crossentropy", 0.8, {"apply_class_balancing": True}
    )


def test_circle_remove_diagonal_would_not_move_the_curves_visibly():
    """Why the explorer has no check box for it: at most ln 2 on a loss axis of about 300."""
    assert "remove_diagonal" not in le.controlled_params("circle")
    entry, cut = get("circle"), le.SLICES["circle"]
    x = np.linspace(-0.98, 0.98, 41)

    def loss(x, s_n, flag):
        inputs = cut.build(x, s_n, {})
        pairs = zip(inputs.y_true, inputs.y_pred)
        return np.array([entry.numpy(y, p, remove_diagonal=flag)[0] for y, p in pairs])

    def slope(s_n, flag, h=1e-5):
        return (loss(x + h, s_n, flag) - loss(x - h, s_n, flag)) / (2 * h)

    for s_n in (-1.0, 0.2, 0.6, 1.0):
        shown = le.slice_curves("circle", s_n, points=len(x))
        np.testing.assert_allclose(loss(x, s_n, True), shown.loss, rtol=1e-12)
        extra = loss(x, s_n, False) - loss(x, s_n, True)
        assert np.all(extra >= -1e-12) and np.all(extra <= np.log(2) + 1e-12)
        assert extra.max() < VISIBLE * np.ptp(le.nice_limits(shown.loss))
        bend = np.abs(slope(s_n, False) - slope(s_n, True))
        assert bend.max() < 0.02 * np.ptp(le.nice_limits(shown.gradient))
