"""Course figures and their sliders, driven without a browser."""

from __future__ import annotations

import base64
import io

import ipywidgets
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from course_utils import prediction_loss as pl
from course_utils.plotting import artist, new_figure
from course_utils.widgets import WIDGET_FACTORIES, BlitRenderer, LivePlot, float_slider

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_prediction_loss_formulas():
    y_pred = np.array([-1.0, 0.3, 1.0, 2.5])
    np.testing.assert_allclose(pl.squared_error(1.0, y_pred), [4.0, 0.49, 0.0, 2.25])
    np.testing.assert_allclose(pl.absolute_error(1.0, y_pred), [2.0, 0.7, 0.0, 1.5])
    np.testing.assert_allclose(
        pl.squared_error_slope(1.0, y_pred), [-4.0, -1.4, 0.0, 3.0]
    )
    np.testing.assert_array_equal(
        pl.absolute_error_slope(1.0, y_pred), [-1.0, -1.0, 0.0, 1.0]
    )


def test_slopes_match_finite_differences():
    y_pred, h = np.array([-0.8, 0.4, 1.7]), 1e-6
    numeric = (
        pl.squared_error(1.0, y_pred + h) - pl.squared_error(1.0, y_pred - h)
    ) / (2 * h)
    np.testing.assert_allclose(pl.squared_error_slope(1.0, y_pred), numeric, rtol=1e-6)
    numeric = (
        pl.absolute_error(1.0, y_pred + h) - pl.absolute_error(1.0, y_pred - h)
    ) / (2 * h)
    np.testing.assert_allclose(pl.absolute_error_slope(1.0, y_pred), numeric, rtol=1e-6)


def test_plot_draws_the_formulas_at_the_prediction():
    fig = pl.plot_prediction_loss(y_true=1.0, y_pred=0.3)
    assert isinstance(fig, Figure)
    x, y = artist(fig, "squared-loss").get_data()
    np.testing.assert_allclose(y, (x - 1.0) ** 2)
    np.testing.assert_allclose(
        artist(fig, "squared-loss-marker").get_data(), [[0.3], [0.49]]
    )
    np.testing.assert_allclose(
        artist(fig, "absolute-slope-marker").get_data(), [[0.3], [-1.0]]
    )
    assert "squared error 0.490" in artist(fig, "summary").get_text()
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel()


def test_update_matches_a_fresh_plot():
    moved = pl.plot_prediction_loss(1.0, 0.3)
    pl.update_prediction_loss(moved, y_true=-0.5, y_pred=2.0)
    fresh = pl.plot_prediction_loss(-0.5, 2.0)
    for gid in (
        "squared-loss",
        "absolute-slope",
        "squared-loss-marker",
        "absolute-loss-marker",
        "target-True",
    ):
        np.testing.assert_allclose(
            artist(moved, gid).get_data(), artist(fresh, gid).get_data()
        )
    assert artist(moved, "summary").get_text() == artist(fresh, "summary").get_text()


@pytest.mark.parametrize("bad", ["abc", float("nan"), None])
def test_plot_rejects_bad_values_by_name(bad):
    with pytest.raises((TypeError, ValueError), match="y_pred"):
        pl.plot_prediction_loss(y_true=1.0, y_pred=bad)


def test_slider_moves_the_figure_and_swaps_the_frame():
    live = pl.prediction_loss_widget()
    first_frame = bytes(live.image.value)
    assert first_frame.startswith(PNG_SIGNATURE) and first_frame == live.first_view_png
    live.set(y_pred=1.5)
    assert live.values == {"y_true": 1.0, "y_pred": 1.5}
    np.testing.assert_allclose(
        artist(live.figure, "squared-loss-marker").get_data(), [[1.5], [0.25]]
    )
    assert (
        bytes(live.image.value).startswith(PNG_SIGNATURE)
        and bytes(live.image.value) != first_frame
    )
    assert len(live.redraw_seconds) == 1


def test_moving_back_gives_the_first_frame_again():
    live = pl.prediction_loss_widget()
    live.set(y_pred=2.0)
    live.set(y_pred=0.3)
    assert bytes(live.image.value) == live.first_view_png


def test_display_carries_a_static_fallback_and_a_stable_text():
    live = pl.prediction_loss_widget()
    bundle = live._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_SIGNATURE)
    assert (
        bundle["application/vnd.jupyter.widget-view+json"]["model_id"]
        == live.widget.model_id
    )
    assert bundle["text/plain"] == f"[interactive figure] {live.title}"


def test_live_plot_rejects_unknown_controls_and_bad_plots():
    live = pl.prediction_loss_widget()
    with pytest.raises(KeyError, match="y_true"):
        live.set(weight=1.0)
    with pytest.raises(ValueError, match="at least one"):
        LivePlot(pl.plot_prediction_loss, pl.update_prediction_loss, {}, title="empty")
    with pytest.raises(TypeError, match="Figure"):
        LivePlot(
            lambda **_: None,
            pl.update_prediction_loss,
            {"y_pred": float_slider("ŷ", 0.0, -1, 1, 0.1)},
            title="x",
        )


def test_renderer_needs_something_that_moves():
    fig, (ax,) = new_figure()
    ax.plot([0, 1], [0, 1])
    with pytest.raises(ValueError, match="gid"):
        BlitRenderer(fig)


def test_slider_value_outside_its_range_is_rejected():
    with pytest.raises(ValueError, match="outside"):
        float_slider("ŷ", 5.0, 0.0, 1.0, 0.1)


def test_every_registered_widget_builds_and_redraws():
    assert "prediction_loss_widget" in WIDGET_FACTORIES
    for factory in WIDGET_FACTORIES.values():
        live = factory()
        assert isinstance(live.widget, ipywidgets.VBox)
        name, control = next(iter(live.controls.items()))
        if hasattr(control, "max"):
            control.value = control.max
        else:  # a dropdown or toggle buttons: another of its options
            values = [o[1] if isinstance(o, tuple) else o for o in control.options]
            control.value = next(v for v in values if v != control.value)
        assert live.redraw_seconds and bytes(live.image.value) != live.first_view_png


def test_helpers_answer_a_scalar_with_a_python_float():
    from course_utils import backprop as bp
    from course_utils import neuron as nn

    answers = {
        "squared_error": pl.squared_error(1.0, 0.3),
        "absolute_error_slope": pl.absolute_error_slope(1.0, 0.3),
        "sigmoid": nn.sigmoid(0.0),
        "sigmoid_slope": nn.sigmoid_slope(0.0),
        "naive_sigmoid": nn.naive_sigmoid(0.0),
        "relu": nn.relu(-2.0),
        "bce_output_gradient": bp.bce_output_gradient(0.0, 1.0),
        "mse_output_gradient": bp.mse_output_gradient(0.0, 1.0),
    }
    assert {name: type(value) for name, value in answers.items()} == dict.fromkeys(
        answers, float
    )
    assert answers["squared_error"] == pytest.approx(0.49)
    assert answers["bce_output_gradient"] == -0.5
    assert isinstance(nn.sigmoid(np.zeros(3)), np.ndarray)
    assert isinstance(pl.squared_error(1.0, np.zeros(1)), np.ndarray)


def test_live_plot_reads_its_texts_and_markers_as_plain_values():
    live = pl.prediction_loss_widget()
    live.set(y_pred=1.5)
    x, y = live.point("squared-loss-marker")
    assert (type(x), type(y)) == (float, float)
    assert (x, y) == pytest.approx((1.5, 0.25))
    assert live.text("summary") == artist(live.figure, "summary").get_text()
    assert "ŷ = 1.50" in live.text("summary")
    with pytest.raises(ValueError, match="squared-loss"):
        live.point("squared-loss")  # the curve: many points, not a marker
    with pytest.raises(TypeError, match="summary"):
        live.point("summary")


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(bytes(png))).convert("RGBA"))


def _other_values(control: ipywidgets.ValueWidget) -> list:
    """Two values a learner could move ``control`` to, then back to where it was."""
    if isinstance(control.value, bool):
        return [not control.value, control.value]
    if hasattr(control, "max"):
        up = control.value + control.step <= control.max
        near = control.value + (control.step if up else -control.step)
        far = control.min if up else control.max
        return [type(control.value)(near), type(control.value)(far), control.value]
    values = [o[1] if isinstance(o, tuple) else o for o in control.options]
    return [v for v in values if v != control.value][:2] + [control.value]


def test_frames_redrawn_in_part_are_the_full_redraws_pixel_for_pixel():
    """The renderer redraws only what changed (and what overlaps it): every frame of every widget
    must equal the frame with every moving artist redrawn, and the first view must come back."""
    from course_utils import (  # noqa: F401  (their widgets register themselves)
        backprop,
        classification_lessons,
        gradient_descent,
        keras_losses_lessons,
        loss_explorer,
        neuron,
        other_losses_lessons,
        regression_lessons,
    )

    assert len(WIDGET_FACTORIES) >= 12
    for name, factory in sorted(WIDGET_FACTORIES.items()):
        partial, full = factory(), factory()
        full._renderer.partial = False
        assert partial.first_view_png == full.first_view_png
        for key, control in partial.controls.items():
            if getattr(control.layout, "display", None) == "none":
                continue  # a control the figure hides (the loss explorer's other losses)
            for value in _other_values(control):
                control.value = value
                full.controls[key].value = value
                np.testing.assert_array_equal(
                    _pixels(partial.image.value),
                    _pixels(full.image.value),
                    err_msg=f"{name}: {key} = {value!r}",
                )
            assert bytes(partial.image.value) == bytes(full.image.value)
        assert partial.redraw_seconds, name


def test_live_frames_are_plain_pngs_of_the_canvas():
    live = pl.prediction_loss_widget()
    live.set(y_pred=2.0)
    frame = Image.open(io.BytesIO(bytes(live.image.value)))
    assert frame.mode == "RGB"  # the figure is opaque: no alpha channel to send
    canvas = np.asarray(live._renderer.canvas.buffer_rgba())
    full = pl.prediction_loss_widget()
    full._renderer.partial = False
    full.set(y_pred=2.0)
    np.testing.assert_array_equal(np.asarray(frame), _pixels(full.image.value)[..., :3])
    assert canvas.shape[:2] == np.asarray(frame).shape[:2]
    assert live._renderer.render_frame() == bytes(live.image.value)  # nothing moved


def test_a_transparent_figure_keeps_its_alpha_channel():
    def plot(x: float) -> Figure:
        fig, (ax,) = new_figure()
        fig.patch.set_alpha(0.0)
        ax.plot([x], [x], "o", gid="dot")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        return fig

    def update(fig: Figure, x: float) -> None:
        artist(fig, "dot").set_data([x], [x])

    live = LivePlot(plot, update, {"x": float_slider("x", 0.5, 0, 1, 0.1)}, title="t")
    live.set(x=0.8)
    frame = Image.open(io.BytesIO(bytes(live.image.value)))
    assert frame.mode == "RGBA" and np.asarray(frame)[0, 0, 3] == 0
    live.set(x=0.5)
    assert bytes(live.image.value) == live.first_view_png
