"""The theory at initialization: the vectorized networks, the exact variance law and its width slopes (any depth).

Every random draw is seeded; tolerances are stated where they are used and explained in a comment.
"""

import numpy as np
import pytest
import torch

from gammanet import GammaMLP
from gammanet.theory import (
    architectures,
    draw_networks,
    init_output_samples,
    init_variance_law,
    init_variance_vs_width,
    readout_effects,
    stack_models,
    toy_problem,
    variance_with_se,
)

GAMMAS = (0.5, 0.6, 0.75, 0.9, 1.0)


@pytest.fixture(scope="module")
def x():
    return toy_problem().x_test[:4]


@pytest.mark.parametrize(
    "widths, gammas, readout",
    [
        ((40,), (0.75,), "centered"),
        ((40,), (0.6,), "authors"),
        ((12, 9, 7), (0.5, 0.7, 1.0), "centered"),
        ((12, 9, 7), (1.0, 0.6, 0.9), "authors"),
    ],
)
def test_vectorized_forward_equals_gammamlp(widths, gammas, readout, x):
    seeds = [3, 11]
    nets = draw_networks(widths, 2, seeds, out_features=2, init=readout)
    models = [GammaMLP(widths, gammas, in_features=2, out_features=2, readout=readout, seed=s).double() for s in seeds]
    # Same seed, same draw order: network s *is* GammaMLP(seed=s) (values drawn in float32, so exactly equal).
    for ours, theirs in zip(nets.weights + nets.biases, stack_models(models).weights + stack_models(models).biases):
        assert torch.equal(ours, theirs)
    expected = torch.stack([m(x) for m in models]).detach()
    # Both are float64 evaluations of the same sums in a different order: agreement to 1e-12.
    assert torch.allclose(nets.forward(x, gammas), expected, rtol=0, atol=1e-12)


def test_truncation_is_the_nested_subnetwork(x):
    nets = draw_networks((20, 10), 2, [5], init="authors")
    small = nets.truncate((8, 4))
    assert torch.equal(small.weights[1], nets.weights[1][:, :4, :8])
    assert torch.equal(small.weights[2], nets.weights[2][:, :, :4])
    # PyTorch's default bias law U(±1/√fan_in) at the narrower width: the wide draw rescaled by √(fan_wide/fan_small).
    assert torch.allclose(small.biases[1], nets.biases[1][:, :4] * (20 / 8) ** 0.5)
    assert small.biases[1].abs().max() <= 8**-0.5


@pytest.mark.parametrize(
    "depth, widths, init, method",
    [
        (1, (50, 400), "centered", "weights"),
        (1, (50, 400), "authors", "weights"),
        (3, (16, 64), "centered", "weights"),
        (3, (16, 64), "authors", "weights"),
        (3, (16, 200), "centered", "conditional"),
        (3, (16, 200), "authors", "conditional"),
    ],
)
def test_monte_carlo_variance_matches_exact_law(depth, widths, init, method, x):
    gammas = (0.6,) * depth
    archs = architectures(widths, depth)
    samples = init_output_samples(x, archs, gammas, 2000, init=init, method=method, seed=100)  # (S, W, P)
    for j, arch in enumerate(archs):
        law = init_variance_law(x, arch, gammas, init, n_inner=4000, seed=1)
        s = samples[:, j]
        mc, mc_se = (float(v) for v in variance_with_se(s))  # point-averaged variance over seeds, its SE
        exact, exact_se = law.variance.mean(), law.variance_se.mean()
        # 4 standard errors (Monte-Carlo over seeds, and over the inner layers for depth > 1): a false alarm has
        # probability ~1e-4 per comparison, while a wrong term in the law moves the variance by more: dropping the
        # readout bias's 1/(3N) shifts it by 3.7–22 SE here, and E[C]² in place of E[C²] by 3.7–13 SE.
        assert abs(mc - exact) < 4 * np.hypot(mc_se, exact_se), (arch, init, mc, exact)
        mean_se = float(s.mean(-1).std() / len(s) ** 0.5)
        assert abs(float(s.mean()) - law["mean"].mean()) < 4 * mean_se + 4 * exact_se


def test_init_variance_slopes_depth_1(x):
    result = init_variance_vs_width(GAMMAS, widths=(50, 100, 200, 400, 800, 1600), x=x, n_seeds=2000, n_boot=300)
    for row in result.slopes.itertuples():
        # Tolerance ±0.05: the law is exact at every width, so only Monte-Carlo noise moves the fitted slope; with
        # 2000 seeds and nested widths its bootstrap standard error is about 0.01, so ±0.05 is ~5 SE.
        assert abs(row.slope - (1 - 2 * row.gamma)) < 0.05, row
        assert row.ci_high - row.ci_low < 0.1  # the interval is informative, not just wide
    table = result.table
    # The Monte-Carlo variance also sits on the exact law width by width (4 SE, as above).
    assert (np.abs(table.variance - table.law) < 4 * np.hypot(table.variance_se, table.law_se)).all()


@pytest.mark.parametrize("inner", [(0.5, 0.75), (1.0, 0.6)])
def test_init_variance_slopes_depth_3_sigmoid(inner, x):
    result = init_variance_vs_width(
        GAMMAS,
        widths=(50, 100, 200, 400, 800, 1600),
        x=x,
        depth=3,
        inner_gammas=[inner],
        n_seeds=2000,
        n_inner=500,
        n_boot=300,
    )
    for row in result.slopes.itertuples():
        # All three widths grow together, so the prefactor E σ(Z³)² drifts with N (towards σ(0)² = 1/4); the
        # drift is below 0.01 in slope here, and Monte-Carlo noise ~0.012: ±0.05 still separates 1 - 2γ_L
        # from any neighbouring γ (the slopes of two adjacent γ's differ by ≥ 0.2).
        assert abs(row.slope - (1 - 2 * row.gamma)) < 0.05, row


def test_uniform_readout_adds_a_growing_mean_but_keeps_the_variance_slope(x):
    result = readout_effects(
        gammas=(0.75,),
        widths=(50, 100, 200, 400, 800),
        inits=("uniform", "readout_bias"),
        x=x,
        n_seeds=1000,
        n_boot=200,
    )
    slopes = result.slopes.set_index(["init", "statistic"]).slope
    # U(0, 1) readout: E g_0 = N^{1-γ} E[C] E[σ] = N^{1/4}/4 here, so E[g_0²] grows like N^{2-2γ} = N^{1/2} while the
    # variance keeps 1 - 2γ = -1/2.  ±0.05 as for the centred readout (the mean² term is 70–900 times the variance
    # here).
    assert abs(slopes["uniform", "second_moment"] - 0.5) < 0.05
    assert abs(slopes["uniform", "variance"] + 0.5) < 0.05
    table = result.table[result.table.init == "uniform"]
    assert np.allclose(table["mean"], table.law_mean, rtol=0.01)  # the offset itself, to 1% (MC error ~0.1%)
    # PyTorch's default readout bias adds exactly 1/(3N) to the law.
    bias = result.table[result.table.init == "readout_bias"]
    assert np.allclose(bias.bias_term, 1 / (3 * bias.N))


def test_variance_law_at_mnist_images(mnist):
    from gammanet.theory import mnist_problem

    problem = mnist_problem(n_train=8, n_test=4, data=mnist)
    again = mnist_problem(n_train=8, n_test=4, data=mnist)
    assert torch.equal(problem.x_test, again.x_test)  # seeded: the same images every time
    assert set(problem.y_train.tolist()) <= {-1.0, 1.0} and problem.dim == 784
    samples = init_output_samples(problem.x_test, [(64, 64)], (0.5, 0.75), 2000, method="conditional", seed=3)
    law = init_variance_law(problem.x_test, (64, 64), (0.5, 0.75), n_inner=1000)
    q = ((samples[:, 0] - samples[:, 0].mean(0)) ** 2).mean(-1) * 2000 / 1999
    # 4 standard errors, as in test_monte_carlo_variance_matches_exact_law.
    se = np.hypot(float(q.std()) / 2000**0.5, law.variance_se.mean())
    assert abs(float(q.mean()) - law.variance.mean()) < 4 * se


def test_skewed_readout_is_centred_with_unit_variance_and_third_moment_two():
    from gammanet.theory import INIT_LAWS

    law = INIT_LAWS["skewed"]
    assert (law.readout_mean, law.readout_second_moment, law.readout_third_moment) == (0.0, 1.0, 2.0)
    normal = draw_networks([5000], 2, [1, 2], init="centered")
    skewed = draw_networks([5000], 2, [1, 2], init="skewed")
    c = skewed.weights[1].reshape(-1)
    n = c.numel()
    # Moments of Exp(1) - 1 over 10,000 draws, 4 standard errors each (sd of C, C², C³ are 1, √8 ≈ 2.8 and
    # √(E C⁶ − 4) = √261 ≈ 16): E[C³] is known to ±0.65, still far from the normal law's 0.
    for power, expected, sd in ((1, 0.0, 1.0), (2, 1.0, 8**0.5), (3, 2.0, 261**0.5)):
        assert abs(float((c**power).mean()) - expected) < 4 * sd / n**0.5, power
    assert float(c.min()) > -1.0  # E - 1 with E > 0
    # Same seed, same hidden weights; the readout is the monotone transform of the normal draw (coupled laws).
    assert torch.equal(skewed.weights[0], normal.weights[0])
    z = normal.weights[1].reshape(-1)
    order = torch.argsort(z)
    assert torch.all(torch.diff(c[order]) >= 0)
    with pytest.raises(ValueError, match="symmetric"):
        skewed.mirrored()


def test_skewed_readout_keeps_the_variance_law(x):
    # E[C] = 0 and E[C²] = 1, so Var g_0 = N^{1-2γ} E[σ²] exactly as for the normal readout (4 SE, as above).
    samples = init_output_samples(x, [(64,)], (0.75,), 4000, init="skewed", seed=3)[:, 0]
    law = init_variance_law(x, (64,), (0.75,), "skewed")
    assert np.allclose(law.variance.to_numpy(), init_variance_law(x, (64,), (0.75,), "centered").variance.to_numpy())
    q = ((samples - samples.mean(0)) ** 2).mean(-1) * 4000 / 3999
    assert abs(float(q.mean()) - law.variance.mean()) < 4 * float(q.std()) / 4000**0.5
    assert abs(float(samples.mean())) < 4 * float(samples.mean(-1).std()) / 4000**0.5
