"""Notebook 06's helpers: KL both ways, Poisson NLL, cosine, overlap, Circle, CTC by brute force."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_utils import other_losses_lessons as ol
from course_utils.losses import EPSILON, get
from course_utils.plotting import artist

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# ----------------------------------------------------------------------------- §1 KL


def test_distributions_sum_to_one_and_reject_bad_shapes():
    for p in (ol.two_mode_distribution(3.0), ol.gaussian_distribution(1.0, 0.8)):
        assert p.shape == ol.KL_GRID.shape and p.sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="separation must be in"):
        ol.two_mode_distribution(-1.0)
    with pytest.raises(ValueError, match="width must be in"):
        ol.gaussian_distribution(0.0, 0.0)
    with pytest.raises(TypeError, match="mean must be a real number"):
        ol.gaussian_distribution("left", 1.0)


def test_kl_both_ways_is_keras_in_each_direction_and_asymmetric():
    p, q = ol.two_mode_distribution(4.0), ol.gaussian_distribution(0.5, 1.2)
    forward, reverse = ol.kl_both_ways(p, q)
    keras_kl = get("kl_divergence").keras
    assert forward == pytest.approx(float(keras_kl(p, q)), rel=1e-5)
    assert reverse == pytest.approx(float(keras_kl(q, p)), rel=1e-5)
    assert forward != pytest.approx(reverse, rel=0.1)


def test_forward_kl_covers_both_modes_reverse_kl_picks_one():
    fits = ol.best_fits(4.0)
    forward_mean, forward_width, _ = fits["forward"]
    reverse_mean, reverse_width, _ = fits["reverse"]
    assert abs(forward_mean) < 0.15 and forward_width > 1.5, (
        "mass-covering: between the modes, wide"
    )
    assert abs(abs(reverse_mean) - 2.0) < 0.15, (
        "mode-seeking: on one of the modes at ±2"
    )
    assert reverse_width == pytest.approx(ol.MODE_WIDTH, abs=0.15)


def test_cross_entropy_is_entropy_plus_kl():
    p = np.array([0.5, 0.3, 0.2])
    q = np.array([0.2, 0.5, 0.3])
    cross = -np.sum(p * np.log(q))
    assert ol.entropy(p) + get("kl_divergence").numpy(p, q) == pytest.approx(cross)
    assert ol.entropy(np.array([1.0, 0.0])) == 0.0
    with pytest.raises(ValueError, match="p must be"):
        ol.entropy(np.array([-0.1, 1.1]))


def test_kl_widget_moves_q_curves_and_markers():
    live = ol.kl_directions_widget()
    first = bytes(live.image.value)
    assert first.startswith(PNG_SIGNATURE)
    live.set(mean=2.0, width=0.6, separation=4.0)
    q_line = artist(live.figure, "q-line").get_ydata()  # type: ignore[attr-defined]
    np.testing.assert_allclose(q_line, ol.gaussian_distribution(2.0, 0.6))
    forward, reverse = ol.kl_both_ways(
        ol.two_mode_distribution(4.0), ol.gaussian_distribution(2.0, 0.6)
    )
    marker = artist(live.figure, "reverse-marker").get_data()  # type: ignore[attr-defined]
    assert marker[0][0] == 2.0 and marker[1][0] == pytest.approx(min(reverse, 12.0))
    assert f"KL(p‖q) = {forward:.2f}" in artist(live.figure, "kl-text").get_text()  # type: ignore[attr-defined]
    assert bytes(live.image.value) != first


# ----------------------------------------------------------------------------- §2 Poisson


def test_poisson_nll_is_the_keras_loss_plus_mean_log_factorial():
    rng = np.random.default_rng(6)
    counts = rng.poisson(3.0, size=(5, 4)).astype(float)
    rates = rng.uniform(0.5, 6.0, size=(5, 4))
    keras_loss = np.asarray(get("poisson").keras(counts, rates))
    constant = np.mean(ol.log_factorial(counts), axis=-1)
    np.testing.assert_allclose(
        ol.poisson_nll(counts, rates) - constant, keras_loss, rtol=1e-5
    )


def test_log_factorial_and_poisson_errors():
    np.testing.assert_allclose(ol.log_factorial([0, 1, 4]), [0.0, 0.0, math.log(24)])
    with pytest.raises(ValueError, match="counts must be"):
        ol.log_factorial([-1.0])
    with pytest.raises(ValueError, match="rate must be > 0"):
        ol.poisson_nll([1.0], [0.0])
    with pytest.raises(ValueError, match="one shape"):
        ol.poisson_nll([1.0, 2.0], [1.0])


# ----------------------------------------------------------------------------- §3 cosine


@pytest.mark.parametrize("length", [0.5, 1.0, 2.5])
def test_cosine_loss_depends_on_the_angle_only_and_gradient_shrinks_with_length(length):
    view = ol.cosine_view(60.0, length)
    assert view["loss"] == pytest.approx(-0.5)
    assert np.linalg.norm(view["gradient"]) == pytest.approx(np.sin(np.pi / 3) / length)
    assert view["loss"] == pytest.approx(
        float(get("cosine_similarity").keras(ol.COSINE_TARGET, view["y_pred"])),
        abs=1e-6,
    )


def test_cosine_of_a_zero_prediction_is_zero_and_the_widget_says_so():
    assert ol.cosine_view(45.0, 0.0)["loss"] == 0.0
    live = ol.cosine_widget()
    live.set(length=0.0)
    assert "L = +0.000" in artist(live.figure, "cosine-text").get_text()  # type: ignore[attr-defined]
    live.set(length=2.0, angle=90.0)
    curve = artist(live.figure, "gradient-curve").get_ydata()  # type: ignore[attr-defined]
    assert curve[90] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="angle must be in"):
        ol.cosine_view(200.0, 1.0)


# ----------------------------------------------------------------------------- §4 overlap


def test_overlap_sums_and_tversky_equal_keras():
    y, p = ol.true_mask(), ol.predicted_mask(3.5)
    sums = ol.overlap_sums(y, p)
    tversky = 1 - sums["TP"] / (
        sums["TP"] + 0.7 * sums["FN"] + 0.3 * sums["FP"] + EPSILON
    )
    keras_value = float(get("tversky").keras(y, p, alpha=0.7, beta=0.3))
    assert tversky == pytest.approx(keras_value, rel=1e-5)
    curve = ol.tversky_by_radius(0.7, 0.3)
    index = int(np.argmin(np.abs(ol.RADII - 3.5)))
    assert curve[index] == pytest.approx(keras_value, rel=1e-5)


def test_alpha_on_misses_moves_the_best_radius_up_beta_on_extras_moves_it_down():
    best = {
        weights: ol.RADII[np.argmin(ol.tversky_by_radius(*weights))]
        for weights in ((0.5, 0.5), (0.9, 0.1), (0.1, 0.9))
    }
    assert best[(0.9, 0.1)] > best[(0.5, 0.5)] > best[(0.1, 0.9)]


def test_overlap_widget_recolours_and_moves_the_curve():
    live = ol.overlap_widget()
    live.set(alpha=0.9, beta=0.1, radius=6.0)
    curve = artist(live.figure, "tversky-curve").get_ydata()  # type: ignore[attr-defined]
    np.testing.assert_allclose(curve, ol.tversky_by_radius(0.9, 0.1))
    image = artist(live.figure, "mask-image").get_array()  # type: ignore[attr-defined]
    np.testing.assert_allclose(image, ol._mask_colours(6.0))
    with pytest.raises(ValueError, match="alpha must be in"):
        ol.tversky_by_radius(1.5, 0.5)
    with pytest.raises(ValueError, match="one shape"):
        ol.overlap_sums(np.ones((2, 2)), np.ones((3, 3)))


# ----------------------------------------------------------------------------- §5 Circle


def test_circle_anchor_loss_equals_keras_on_unit_embeddings():
    """The 2-D anchor (s_p, s_n) gives the loss of unit vectors with those similarities."""
    s_p, s_n = 0.5, 0.2
    anchor = np.array([s_p, s_n, np.sqrt(1 - s_p**2 - s_n**2)])  # a unit vector
    batch = np.stack([anchor, [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    keras_loss = get("circle").keras(
        np.array([0, 0, 1]), batch, gamma=32.0, margin=0.25
    )
    ours = ol.circle_anchor_loss(s_p, s_n, gamma=32.0, margin=0.25)
    # Row 0 of the batch sees the same two pairs (its positive and its negative).
    assert ours[0] == pytest.approx(float(np.asarray(keras_loss)[0]), rel=1e-4)


def test_circle_loss_falls_as_the_positive_pair_gets_closer_and_widget_moves_the_goal():
    loss = ol.circle_anchor_loss(ol.SIMILARITIES, 0.3, gamma=32.0, margin=0.25)
    assert np.all(np.diff(loss) <= 1e-12)
    live = ol.circle_widget()
    live.set(margin=0.4)
    assert artist(live.figure, "positive-goal").get_xdata()[0] == pytest.approx(0.6)  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="negative_similarity must be in"):
        ol.circle_anchor_loss(0.5, 2.0, gamma=32.0, margin=0.25)


# ----------------------------------------------------------------------------- §6 CTC


def test_collapse_merges_then_drops_blanks():
    assert ol.collapse((1, 1, 0, 2, 2)) == (1, 2)
    assert ol.collapse((1, 0, 1)) == (1, 1)
    assert ol.collapse((0, 0)) == ()


def test_ctc_brute_force_equals_keras_and_lists_every_path():
    rng = np.random.default_rng(8)
    logits = rng.normal(size=(4, 3))
    loss, paths, probs = ol.ctc_brute_force([1, 2], logits)
    assert len(paths) == 15 and len(set(paths)) == 15
    assert all(ol.collapse(path) == (1, 2) for path in paths)
    keras_loss = float(
        get("ctc").keras(np.array([[1, 2]]), logits[None].astype("float32"))[0]
    )
    assert loss == pytest.approx(keras_loss, rel=1e-5)
    assert loss == pytest.approx(-np.log(probs.sum()))


def test_keras_label_reads_the_first_n_entries():
    assert ol.keras_label(np.array([2, 0, 3, 1, 0, 0])) == (2, 0, 3)
    assert ol.keras_label(np.array([1, 2, 0, 0])) == (1, 2)
    with pytest.raises(ValueError, match="y_row must be"):
        ol.keras_label(np.array([1.5, 0.0]))


def test_ctc_paths_refuse_bad_input():
    with pytest.raises(ValueError, match="too many"):
        ol.ctc_paths([1], 20, 5)
    with pytest.raises(ValueError, match="label must hold class ids"):
        ol.ctc_paths([0, 1], 3, 3)
    with pytest.raises(TypeError, match="steps must be an integer"):
        ol.ctc_paths([1], 2.5, 3)


def test_ctc_path_figure_draws_one_row_per_path():
    logits = np.log(np.full((3, 3), 1 / 3))
    fig = ol.plot_ctc_paths([1, 2], logits)
    bars = fig.axes[1].patches
    assert len(bars) == len(ol.ctc_paths([1, 2], 3, 3)) == 5


# ----------------------------------------------------------------------------- §7, §8


def test_likelihood_view_covers_notebook_06s_catalog_losses():
    names = {
        "poisson",
        "kl_divergence",
        "cosine_similarity",
        "dice",
        "tversky",
        "circle",
        "ctc",
    }
    assert set(ol.LIKELIHOOD_VIEW) == names
    for name in ("dice", "tversky", "circle"):
        assert ol.LIKELIHOOD_VIEW[name].startswith("not a likelihood")
    assert "von Mises" in ol.LIKELIHOOD_VIEW["cosine_similarity"]


def test_the_article_list_is_out_of_date_for_the_installed_keras():
    classes = ol.keras_loss_classes()
    assert set(ol.ARTICLE_BUILT_INS) <= set(classes), (
        "every name the article lists still exists"
    )
    missing = ol.missing_from_article()
    assert {"Dice", "Tversky", "CTC", "Circle", "SquaredHinge"} <= set(missing)
    assert "Loss" not in classes and len(classes) == len(ol.ARTICLE_BUILT_INS) + len(
        missing
    )


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: ol.kl_both_ways(ol.two_mode_distribution(3.0), "q"), "q"),
        (lambda: ol.entropy(None), "p"),
        (lambda: ol.poisson_nll([1.0], "fast"), "rate"),
        (lambda: ol.circle_anchor_loss(np.nan, 0.1, 32.0, 0.25), "positive_similarity"),
        (lambda: ol.circle_anchor_loss(0.5, 0.1, None, 0.25), "gamma"),
        (lambda: ol.circle_anchor_loss(0.5, 0.1, 32.0, "wide"), "margin"),
        (lambda: ol.collapse("ab"), "path"),
        (lambda: ol.collapse((1, 2.5)), "path"),
        (lambda: ol.ctc_paths(None, 3, 3), "label"),
        (lambda: ol.ctc_brute_force([1], np.full((2, 3), np.nan)), "logits"),
    ],
)
def test_bad_input_gets_one_error_naming_the_argument(call, argument):
    with pytest.raises((TypeError, ValueError), match=argument):
        call()


@pytest.mark.parametrize(
    ("factory", "values"),
    [
        (ol.kl_directions_widget, {"width": 0.0}),
        (ol.cosine_widget, {"angle": 270.0}),
        (ol.overlap_widget, {"alpha": 1.5}),
        (ol.circle_widget, {"margin": -0.1}),
    ],
)
def test_widgets_refuse_values_outside_their_sliders(factory, values):
    live = factory()
    before = live.values
    with pytest.raises(ValueError):
        live.set(**values)
    assert live.values == before
