"""Notebook 04's helpers: losses of the error, best constants, likelihoods, robust fits, figures."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from matplotlib.figure import Figure

from course_utils import regression_lessons as rl
from course_utils.losses import get
from course_utils.plotting import artist

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_losses_of_the_error_are_the_textbook_formulas():
    e = np.array([-2.5, -1.0, -0.2, 0.0, 0.7, 3.0])
    np.testing.assert_allclose(rl.loss_of_error("mean_squared_error", e), e**2)
    np.testing.assert_allclose(rl.loss_of_error("mean_absolute_error", e), np.abs(e))
    huber = np.where(np.abs(e) <= 0.5, 0.5 * e**2, 0.5 * np.abs(e) - 0.125)
    np.testing.assert_allclose(rl.loss_of_error("huber", e, delta=0.5), huber)
    np.testing.assert_allclose(rl.loss_of_error("log_cosh", e), np.log(np.cosh(e)))
    np.testing.assert_allclose(rl.slope_of_error("log_cosh", e), np.tanh(e))
    np.testing.assert_allclose(
        rl.slope_of_error("huber", e, delta=0.5), np.clip(e, -0.5, 0.5)
    )


@pytest.mark.parametrize("name", rl.ERROR_LOSSES)
def test_slopes_match_finite_differences(name):
    e, h = np.array([-2.2, -0.4, 0.3, 1.7]), 1e-6
    numeric = (rl.loss_of_error(name, e + h) - rl.loss_of_error(name, e - h)) / (2 * h)
    np.testing.assert_allclose(rl.slope_of_error(name, e), numeric, rtol=1e-6)


def test_loss_of_error_rejects_other_losses_and_bad_delta():
    with pytest.raises(ValueError, match="name must be one of"):
        rl.loss_of_error("mean_absolute_percentage_error", [1.0])
    with pytest.raises(ValueError, match="delta must be > 0"):
        rl.loss_of_error("huber", [1.0], delta=0.0)
    with pytest.raises(TypeError, match="error"):
        rl.loss_of_error("huber", "big")


def test_best_constant_is_the_mean_the_median_and_in_between():
    values = rl.outlier_data(20.0)
    mean, median = values.mean(), np.median(values)
    assert rl.best_constant(values, "mean_squared_error") == pytest.approx(
        mean, abs=1e-9
    )
    assert rl.best_constant(values, "mean_absolute_error") == pytest.approx(
        median, abs=1e-9
    )
    huber = rl.best_constant(values, "huber", delta=1.0)
    assert median < huber < mean
    # the mean slope is zero there: the first-order condition, independently of bisection
    assert abs(np.sum(np.clip(huber - values, -1.0, 1.0))) < 1e-9
    # δ large: Huber is MSE on these values; δ tiny: Huber tends to the median
    assert rl.best_constant(values, "huber", delta=100.0) == pytest.approx(mean)
    assert rl.best_constant(values, "huber", delta=1e-4) == pytest.approx(
        median, abs=1e-3
    )


def test_best_constants_are_minima_of_the_mean_loss():
    values = np.array([0.3, 1.2, 1.9, 2.4, 9.0])
    grid = np.linspace(-1, 10, 11001)
    for name in rl.ERROR_LOSSES:
        costs = [np.mean(rl.loss_of_error(name, c - values)) for c in grid]
        assert rl.best_constant(values, name) == pytest.approx(
            grid[int(np.argmin(costs))], abs=2e-3
        )


def test_best_constants_of_many_rows_match_one_at_a_time():
    rows = np.array([[1.0, 2.0, 7.0], [0.0, 5.0, 6.0]])
    many = rl.best_constants(rows, "huber", 1.0)
    assert many.shape == (2,)
    for row, value in zip(rows, many):
        assert rl.best_constant(row, "huber", 1.0) == pytest.approx(value)
    with pytest.raises(ValueError, match="shape"):
        rl.best_constants(np.zeros((2, 2, 2)), "huber")


def test_outlier_moves_the_mean_but_hardly_the_median_or_huber():
    near = {n: rl.best_constant(rl.outlier_data(4.0), n) for n in rl.ESTIMATORS}
    far = {n: rl.best_constant(rl.outlier_data(30.0), n) for n in rl.ESTIMATORS}
    assert far["mean_squared_error"] - near["mean_squared_error"] == pytest.approx(
        26.0 / 11
    )
    assert abs(far["mean_absolute_error"] - near["mean_absolute_error"]) < 0.5
    assert abs(far["huber"] - near["huber"]) < 0.5


def test_outlier_widget_follows_its_sliders():
    live = rl.outlier_estimates_widget()
    live.set(outlier=25.0, delta=2.0)
    estimates = rl.best_constants(rl.outlier_data(25.0)[None], "huber", 2.0)[0]
    x_data = artist(live.figure, "estimate-huber").get_xdata()
    np.testing.assert_allclose(x_data, [estimates, estimates])
    np.testing.assert_allclose(artist(live.figure, "outlier").get_xdata(), [25.0])
    positions, curve = artist(live.figure, "curve-huber").get_data()
    fresh = rl.plot_outlier_estimates(25.0, 2.0)
    np.testing.assert_allclose(curve, artist(fresh, "curve-huber").get_data()[1])
    assert bytes(live.image.value).startswith(PNG_SIGNATURE)


def test_error_widget_moves_huber_and_the_delta_lines():
    live = rl.error_losses_widget()
    live.set(delta=2.0)
    x, y = artist(live.figure, "huber-loss").get_data()
    np.testing.assert_allclose(y, rl.loss_of_error("huber", x, 2.0))
    np.testing.assert_allclose(artist(live.figure, "delta-1-True").get_xdata(), [2, 2])
    assert bytes(live.image.value) != live.first_view_png


def test_likelihoods_from_densities_are_the_losses_plus_constants():
    rng = np.random.default_rng(3)
    y, y_hat = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    from course_utils.losses import get

    mse = get("mean_squared_error").numpy(y, y_hat)
    mae = get("mean_absolute_error").numpy(y, y_hat)
    log_cosh = get("log_cosh").numpy(y, y_hat)
    for sigma in (0.5, 2.0):
        nll = rl.gaussian_nll(y, y_hat, sigma).mean(axis=-1)
        np.testing.assert_allclose(
            nll, 0.5 * np.log(2 * np.pi * sigma**2) + mse / (2 * sigma**2)
        )
    nll = rl.laplace_nll(y, y_hat, 1.5).mean(axis=-1)
    np.testing.assert_allclose(nll, np.log(3.0) + mae / 1.5)
    np.testing.assert_allclose(
        rl.sech_nll(y, y_hat).mean(axis=-1), np.log(np.pi) + log_cosh
    )
    with pytest.raises(ValueError, match="sigma must be > 0"):
        rl.gaussian_nll(y, y_hat, 0.0)
    with pytest.raises(ValueError, match="same shape"):
        rl.laplace_nll(y, y_hat[:, :2])


def test_the_densities_integrate_to_one():
    grid = np.linspace(-60, 60, 240001)
    step = grid[1] - grid[0]
    zeros = np.zeros_like(grid)
    for nll in (
        rl.gaussian_nll(grid, zeros, 1.7),
        rl.laplace_nll(grid, zeros, 0.8),
        rl.sech_nll(grid, zeros),
    ):
        assert np.sum(np.exp(-nll)) * step == pytest.approx(1.0, abs=1e-6)


def test_outlier_line_data_is_seeded():
    x, y, outliers = rl.outlier_line_data()
    x2, y2, _ = rl.outlier_line_data()
    np.testing.assert_array_equal(y, y2)
    assert x.shape == (40,) and outliers.sum() == 4
    assert np.all(y[outliers] < rl.TRUE_SLOPE * x[outliers] - 15)


def _least_absolute_deviation(x, y):
    """The exact LAD line: an optimum passes through two data points, so try every pair."""
    best = (np.inf, 0.0, 0.0)
    for i, j in itertools.combinations(range(len(x)), 2):
        if x[i] == x[j]:
            continue
        w = (y[j] - y[i]) / (x[j] - x[i])
        b = y[i] - w * x[i]
        cost = np.mean(np.abs(y - w * x - b))
        best = min(best, (cost, w, b))
    return best


def test_gradient_descent_finds_the_least_squares_and_the_lad_lines():
    x, y, _ = rl.outlier_line_data()
    mse = rl.fit_line(x, y, "mean_squared_error")
    w, b = np.polyfit(x, y, 1)
    assert mse.w == pytest.approx(w, abs=1e-3) and mse.b == pytest.approx(b, abs=1e-2)
    mae = rl.fit_line(x, y, "mean_absolute_error")
    cost, w, b = _least_absolute_deviation(x, y)
    assert mae.costs[-1] == pytest.approx(cost, rel=1e-3)
    assert mae.w == pytest.approx(w, abs=0.03)


def test_robust_losses_keep_the_slope_near_the_truth():
    x, y, _ = rl.outlier_line_data()
    slopes = {name: rl.fit_line(x, y, name).w for name in rl.ERROR_LOSSES}
    assert slopes["mean_squared_error"] < 1.2
    for name in ("mean_absolute_error", "huber", "log_cosh"):
        assert abs(slopes[name] - rl.TRUE_SLOPE) < 0.25
    for name in (
        "huber",
        "log_cosh",
    ):  # smooth losses: at the optimum the gradient is ~0
        fit = rl.fit_line(x, y, name)
        assert np.all(np.abs(rl.cost_gradient(x, y, name, fit.w, fit.b)) < 1e-3)


def test_cost_gradient_matches_finite_differences():
    x, y, _ = rl.outlier_line_data()
    h = 1e-6
    for name in rl.ERROR_LOSSES:

        def cost(w, b, name=name):
            return np.mean(rl.loss_of_error(name, w * x + b - y))

        numeric = [
            (cost(1.3 + h, 0.4) - cost(1.3 - h, 0.4)) / (2 * h),
            (cost(1.3, 0.4 + h) - cost(1.3, 0.4 - h)) / (2 * h),
        ]
        np.testing.assert_allclose(
            rl.cost_gradient(x, y, name, 1.3, 0.4), numeric, rtol=1e-5, atol=1e-8
        )


def test_fit_line_rejects_bad_input_by_name():
    with pytest.raises(ValueError, match="same shape"):
        rl.fit_line([1.0, 2.0], [1.0], "huber")
    with pytest.raises(ValueError, match="learning_rate"):
        rl.fit_line([1.0, 2.0], [1.0, 2.0], "huber", learning_rate=-1.0)
    with pytest.raises(TypeError, match="steps"):
        rl.fit_line([1.0, 2.0], [1.0, 2.0], "huber", steps=2.5)


def test_relative_losses_and_their_asymmetry():
    losses = rl.relative_losses(10.0, [5.0, 15.0, 0.0, 30.0])
    np.testing.assert_allclose(
        losses["mean_absolute_percentage_error"], [50.0, 50.0, 100.0, 200.0]
    )
    msle = losses["mean_squared_logarithmic_error"]
    assert msle[0] > msle[1]  # same absolute error, under-prediction costs more
    np.testing.assert_allclose(msle[:2], np.log([6.0 / 11.0, 16.0 / 11.0]) ** 2)


def test_figures_have_labelled_axes():
    x, y, outliers = rl.outlier_line_data()
    fits = [rl.fit_line(x, y, name, steps=50) for name in rl.ERROR_LOSSES]
    figures = [
        rl.plot_error_losses(),
        rl.plot_outlier_estimates(),
        rl.plot_line_fits(x, y, outliers, fits),
        rl.plot_asymmetry(),
        rl.plot_mape_blowup(),
    ]
    for fig in figures:
        assert isinstance(fig, Figure)
        for ax in fig.axes:
            assert ax.get_xlabel()
    with pytest.raises(ValueError, match="y_true must be > 0"):
        rl.plot_asymmetry(0.0)


def test_mape_blowup_curve_is_the_catalog_mape():
    fig = rl.plot_mape_blowup(0.5)
    targets, mape = fig.axes[0].get_lines()[0].get_data()
    np.testing.assert_allclose(mape, 100 * 0.5 / np.maximum(targets, 1e-7), rtol=1e-9)


@pytest.mark.parametrize("label", ["3", "4", "5", "6a", "13"])
def test_erratum_reports_run_broken_then_fixed(label):
    report = rl.erratum_report(label)
    assert report.startswith(f"Mistake {label},")
    assert "broken:" in report and "fixed:  returned" in report


#: A valid call of every public helper of notebook 04 (the bad-input sweep starts from these).
VALID_CALLS = {
    "loss_of_error": dict(name="huber", error=[1.0], delta=1.0),
    "slope_of_error": dict(name="huber", error=[1.0], delta=1.0),
    "plot_error_losses": dict(delta=1.0),
    "best_constants": dict(values=[1.0, 2.0], name="huber", delta=1.0),
    "best_constant": dict(values=[1.0, 2.0], name="huber", delta=1.0),
    "outlier_data": dict(outlier=3.0),
    "plot_outlier_estimates": dict(outlier=3.0, delta=1.0),
    "gaussian_nll": dict(y_true=[1.0], y_pred=[0.0], sigma=1.0),
    "laplace_nll": dict(y_true=[1.0], y_pred=[0.0], scale=1.0),
    "sech_nll": dict(y_true=[1.0], y_pred=[0.0]),
    "outlier_line_data": dict(seed=0),
    "fit_line": dict(x=[0.0, 1.0], y=[1.0, 2.0], name="huber", steps=5),
    "cost_gradient": dict(x=[0.0, 1.0], y=[1.0, 2.0], name="huber", w=1.0, b=0.0),
    "relative_losses": dict(y_true=1.0, y_pred=[1.0]),
    "plot_asymmetry": dict(y_true=10.0),
    "plot_mape_blowup": dict(error=0.5),
}
SWEEP = [
    (function, argument, bad)
    for function, call in VALID_CALLS.items()
    for argument in call
    for bad in ("a string", None, float("nan"))
    if argument != "name"  # names are checked against a list (tested above)
]


def test_every_public_helper_has_a_valid_call():
    import inspect

    public = {
        name
        for name, function in inspect.getmembers(rl, inspect.isfunction)
        if function.__module__ == rl.__name__
        and not name.startswith(("_", "update_"))
        and not name.endswith("_widget")
    }
    assert public - set(VALID_CALLS) == {"plot_line_fits", "erratum_report"}
    for name, call in VALID_CALLS.items():
        getattr(rl, name)(**call)


@pytest.mark.parametrize(("function", "argument", "bad"), SWEEP)
def test_bad_input_raises_one_error_naming_the_argument(function, argument, bad):
    call = dict(VALID_CALLS[function], **{argument: bad})
    with pytest.raises((TypeError, ValueError), match=argument):
        getattr(rl, function)(**call)


def test_best_constants_of_msle_and_mape_are_below_the_mean():
    """Notebook 04 §5: for the targets 1, 2, 3, 4, 40 the best constants are MAPE 2 (a median
    weighted by 1/y), median 3, MSLE 4.475 (exp of the mean of ln(1 + y), minus 1), mean 10."""
    values = np.array([1.0, 2.0, 3.0, 4.0, 40.0])
    msle = rl.best_constant(values, "mean_squared_logarithmic_error")
    mape = rl.best_constant(values, "mean_absolute_percentage_error")
    assert msle == pytest.approx(np.expm1(np.mean(np.log1p(values))), abs=1e-9)
    assert msle == pytest.approx(4.4751, abs=1e-4)
    assert mape == pytest.approx(2.0, abs=1e-9)
    grid = np.linspace(0.5, 40.0, 79001)
    for name, best in [
        ("mean_squared_logarithmic_error", msle),
        ("mean_absolute_percentage_error", mape),
    ]:
        loss = get(name)
        costs = [
            float(np.mean(loss.numpy(values[:, None], np.full((5, 1), c))))
            for c in grid
        ]
        assert best == pytest.approx(grid[int(np.argmin(costs))], abs=1e-3)
