"""The γ-scaling law and the learning rates it implies.

A network with hidden widths ``widths = (N_1, ..., N_L)`` and exponents ``gammas = (γ_1, ..., γ_L)`` multiplies
the sum over the N_ℓ units of layer ℓ by N_ℓ^{-γ_ℓ} as it feeds the next layer (the last factor multiplies the
output sum).  γ = 1/2 is the Xavier / NTK scaling, γ = 1 the mean-field scaling (Yu & Spiliopoulos 2021, 2023).

Everything here is a pure function of plain numbers: it validates, and it returns floats.  The model and the
optimiser read these numbers; they never recompute them.
"""

from __future__ import annotations

from typing import Sequence, Union, cast

from .validation import GAMMA_MAX, GAMMA_MIN, check_gamma, check_widths, is_real  # noqa: F401  (the γ range, re-exported)

#: Named γ's for a whole network (every layer gets the same γ).  Not to be confused with the training presets of
#: :mod:`gammanet.presets` (``gammanet.get_preset``).
GAMMA_PRESETS = {"xavier": 0.5, "ntk": 0.5, "mean_field": 1.0}

GammasLike = Union[str, float, Sequence[float]]


def layer_names(depth: int) -> tuple[str, ...]:
    """Names of the trainable layers, in the papers' notation: ``("W1", ..., "WL", "C")``.

    ``Wℓ`` maps layer ℓ-1 (the input for ℓ = 1) to layer ℓ; ``C`` is the readout.
    """
    return tuple(f"W{ell}" for ell in range(1, depth + 1)) + ("C",)


def validate_widths(widths: Sequence[int]) -> tuple[int, ...]:
    """Check that ``widths`` is a non-empty sequence of positive integers and return it as a tuple
    (:func:`gammanet.validation.check_widths`)."""
    return check_widths(widths)


def validate_gamma(gamma: float, name: str = "gamma") -> float:
    """Check one exponent: a real number in [1/2, 1] (:func:`gammanet.validation.check_gamma`)."""
    return check_gamma(name, gamma)


def resolve_gammas(gammas: GammasLike, depth: int) -> tuple[float, ...]:
    """Turn a preset name, one number or a sequence into one validated γ per hidden layer.

    >>> resolve_gammas("mean_field", 3)
    (1.0, 1.0, 1.0)
    >>> resolve_gammas([0.5, 0.7], 2)
    (0.5, 0.7)
    """
    if isinstance(gammas, str):
        if gammas not in GAMMA_PRESETS:
            raise ValueError(f"unknown γ preset {gammas!r}; allowed presets: {sorted(GAMMA_PRESETS)}")
        return (GAMMA_PRESETS[gammas],) * depth
    if is_real(gammas):
        return (validate_gamma(cast(float, gammas)),) * depth
    if not hasattr(gammas, "__len__") or (hasattr(gammas, "ndim") and gammas.ndim == 0):
        raise ValueError(f"gammas must be a preset name, a number or a sequence of numbers; got {gammas!r}")
    values = cast(Sequence[float], gammas)
    if len(values) != depth:
        raise ValueError(
            f"got {len(values)} gammas {tuple(values)!r} for {depth} hidden layers: give exactly one γ per hidden layer"
        )
    return tuple(validate_gamma(g, f"gamma_{ell}") for ell, g in enumerate(values, start=1))


def learning_rates(widths: Sequence[int], gammas: GammasLike) -> dict[str, float]:
    r"""The per-layer SGD learning rates that keep a γ-scaled network well-behaved as widths grow.

    With ``widths = (N_1, ..., N_L)`` and ``gammas = (γ_1, ..., γ_L)`` (rates are returned as a dict keyed by
    :func:`layer_names`, ordered from the first hidden layer to the readout):

    - readout: α_C = N_L^{-(2 - 2γ_L)};
    - last hidden layer: α_L = [N_{L-1}^{1-2γ_{L-1}} N_L^{2-2γ_L}]^{-1};
    - ℓ < L: α_ℓ = [N_{ℓ-1}^{1-2γ_{ℓ-1}} N_ℓ^{1-2γ_ℓ} Π_{m=ℓ+1}^{L-1} N_m^{2-2γ_m} · N_L^{3-2γ_L}]^{-1},

    with no N_0 factor for ℓ = 1.  For L = 1 this is the shallow rate N^{-(2-2γ)} for every parameter; for
    L = 2 and L = 3 it is exactly the rule in the authors' code (and, for L = 3, in the deep paper).  The
    general-depth formula is our derivation (it reproduces the three published cases); the paper states a
    general formula that we could not read.

    The theory fixes how the rates scale with the widths, not their constant: multiply by a global α
    (see :func:`gammanet.model.param_groups`).
    """
    N = validate_widths(widths)
    g = resolve_gammas(gammas, len(N))
    L = len(N)

    def factor(m: int, power_offset: float) -> float:
        # N_m^{power_offset - 2 γ_m}, with 1-based layer index m.
        return float(N[m - 1]) ** (power_offset - 2.0 * g[m - 1])

    rates: dict[str, float] = {}
    for ell in range(1, L + 1):
        if ell == L:
            denom = factor(L, 2.0)
        else:
            denom = factor(ell, 1.0)
            for m in range(ell + 1, L):
                denom *= factor(m, 2.0)
            denom *= factor(L, 3.0)
        if ell >= 2:
            denom *= factor(ell - 1, 1.0)
        rates[f"W{ell}"] = 1.0 / denom
    rates["C"] = 1.0 / factor(L, 2.0)
    return rates


def time_scale(widths: Sequence[int]) -> float:
    """The number of SGD steps per unit of the theory's clock: t = k / N_L, so this returns N_L."""
    return float(validate_widths(widths)[-1])
