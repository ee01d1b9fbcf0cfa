"""Experiments behind ``gammanet/presets.py`` and ``docs/presets.md`` (not part of the test suite).

Every run is seeded and uses the embedded MNIST subset (4,000 train / 1,000 test), on one CPU thread.  Each
experiment writes a tidy CSV under ``--out`` (default ``results/presets``, git-ignored) and prints the table the
research note quotes.  Run one experiment or several::

    .venv/bin/python benchmarks/explore_presets.py shallow_alpha        # Q1: α × γ × (activation, input scale)
    .venv/bin/python benchmarks/explore_presets.py shallow_batch clock  # Q1: batch size; the t = k/N clock
    .venv/bin/python benchmarks/explore_presets.py deep2 deep3          # Q2: 9 and 27 γ-configurations
    .venv/bin/python benchmarks/explore_presets.py plateau preact       # Q3: the plateau and its mechanism
    .venv/bin/python benchmarks/explore_presets.py biases               # biases trained vs frozen at zero
    .venv/bin/python benchmarks/explore_presets.py fast_test            # margin of the behavioural test
    .venv/bin/python benchmarks/explore_presets.py authors_alpha        # Q4: α for the authors' preset
    .venv/bin/python benchmarks/explore_presets.py all

Grids of (γ, seed) pairs are trained as one batched network with :func:`gammanet.ensemble.train_grid` when that
module is available (members equal ``fit(GammaMLP(..., seed=s), data, seed=0, ...)`` up to float32 rounding);
otherwise each member is trained with :func:`gammanet.fit`, which gives the same numbers, more slowly.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gammanet import GammaMLP, fit, load_mnist  # noqa: E402
from gammanet.presets import get_preset  # noqa: E402

SHALLOW_GAMMAS = [0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
DEEP_GAMMAS = [0.5, 0.7, 1.0]
SEEDS = [0, 1, 2]
DATA_SEED = 0
#: (activation, input scale) pairs compared for the shallow net; 1/28 = 1/√784.
SETTINGS = {
    "sigmoid, s=1": ("sigmoid", 1.0),
    "sigmoid, s=1/28": ("sigmoid", 1 / 28),
    "tanh, s=1": ("tanh", 1.0),
    "tanh, s=1/28": ("tanh", 1 / 28),
}


# --------------------------------------------------------------------------------------------------- helpers
def grid(
    data,
    widths,
    gamma_grid,
    seeds,
    epochs,
    alpha,
    activation,
    readout,
    input_scale,
    batch_size=20,
    shuffle=True,
    loss="ce",
) -> pd.DataFrame:
    """One row per (γ, seed, epoch): ``gamma_1..gamma_L, seed, epoch, step, t, test_accuracy, ...``."""
    try:
        from gammanet.ensemble import train_grid
    except ImportError:
        train_grid = None
    if train_grid is not None:
        return train_grid(
            widths,
            gamma_grid,
            seeds,
            data,
            epochs,
            batch_size=batch_size,
            loss=loss,
            alpha=alpha,
            shuffle=shuffle,
            progress=False,
            device="cpu",
            activation=activation,
            readout=readout,
            input_scale=input_scale,
            data_order="shared",
            data_seed=DATA_SEED,
        )
    frames = []
    for g in gamma_grid:
        for s in seeds:
            model = GammaMLP(widths, g, activation=activation, readout=readout, input_scale=input_scale, seed=s)
            h = fit(
                model,
                data,
                epochs,
                batch_size=batch_size,
                loss=loss,
                alpha=alpha,
                seed=DATA_SEED,
                shuffle=shuffle,
                device="cpu",
                progress=False,
            )
            gs = model.gammas
            frames.append(h.assign(seed=s, alpha=alpha, **{f"gamma_{i + 1}": gi for i, gi in enumerate(gs)}))
    return pd.concat(frames, ignore_index=True)


def final(df: pd.DataFrame) -> pd.DataFrame:
    """The last row of every run (a diverged run's last row says so)."""
    keys = [c for c in df.columns if c.startswith("gamma_")] + ["seed"]
    keys += [c for c in ("setting", "alpha", "preset", "N", "batch_size") if c in df.columns]
    return df.sort_values("epoch", kind="stable").groupby(keys, as_index=False).tail(1)


def mean_sd(x: pd.Series) -> str:
    x = x.astype(float)
    if x.isna().any():
        return "div."
    return f"{x.mean():.3f}±{x.std(ddof=1):.3f}" if len(x) > 1 else f"{x.mean():.3f}"


def gamma_label(row, depth) -> str:
    return "(" + ", ".join(f"{row[f'gamma_{i + 1}']:g}" for i in range(depth)) + ")"


def save(df: pd.DataFrame, out: Path, name: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    df.to_csv(out / f"{name}.csv", index=False)


def banner(title: str) -> None:
    print(f"\n=== {title} ===", flush=True)


# -------------------------------------------------------------------------------------------------- Q1 shallow
def shallow_alpha(data, out: Path) -> None:
    """784-100-10, centred readout, batch 20, shuffled, 20 epochs of 4,000 = 4,000 steps (t = 40): test accuracy
    over γ for each (activation, input scale) and α."""
    banner("Q1 shallow 784-100-10: test accuracy after 4,000 steps (t = 40), mean±sd over seeds 0,1,2")
    alphas = {
        "sigmoid, s=1": [1, 10, 100, 1000],
        "sigmoid, s=1/28": [3, 30, 300, 1000],
        "tanh, s=1": [1, 10, 100, 1000],
        "tanh, s=1/28": [1, 3, 10, 30, 100, 300, 1000],
    }
    rows = []
    for name, (act, s) in SETTINGS.items():
        for a in alphas[name]:
            t0 = time.time()
            df = grid(data, [100], SHALLOW_GAMMAS, SEEDS, 20, a, act, "centered", s)
            rows.append(final(df).assign(setting=name, alpha=a))
            print(f"  {name:16s} α={a:<5g} done in {time.time() - t0:.0f}s", flush=True)
    res = pd.concat(rows, ignore_index=True)
    save(res, out, "shallow_alpha")
    table = res.groupby(["setting", "alpha", "gamma_1"]).test_accuracy.apply(mean_sd).unstack("gamma_1")
    print(table.to_string())


def shallow_batch(data, out: Path) -> None:
    """The fast preset's net (tanh, s=1/28) at a fixed 4,000 steps with batch 20, 50, 100."""
    banner("Q1 batch size at 4,000 steps, tanh s=1/28, N=100")
    rows = []
    for bs, a in itertools.product([20, 50, 100], [10, 30]):
        epochs = 4000 * bs // data.n_train
        df = grid(data, [100], SHALLOW_GAMMAS, SEEDS, epochs, a, "tanh", "centered", 1 / 28, batch_size=bs)
        rows.append(final(df).assign(batch_size=bs, alpha=a))
    res = pd.concat(rows, ignore_index=True)
    save(res, out, "shallow_batch")
    print(res.groupby(["alpha", "batch_size", "gamma_1"]).test_accuracy.apply(mean_sd).unstack("gamma_1").to_string())


def clock(data, out: Path) -> None:
    """The theory's clock t = k / N: with the fast preset, accuracy at equal t across widths N = 50..400."""
    banner("Q1 clock: fast preset (tanh, s=1/28, α=ALPHA), test accuracy at equal t = k/N across widths")
    p = get_preset("fast")
    rows = []
    t_max = 32
    for N in [50, 100, 200, 400]:
        epochs = math.ceil(t_max * N / (data.n_train / p.batch_size))
        df = grid(data, [N], [0.5, 0.75, 1.0], SEEDS, epochs, p.alpha, p.activation, p.readout, p.input_scale)
        rows.append(df.assign(N=N))
    res = pd.concat(rows, ignore_index=True)
    save(res, out, "clock")
    for t in [4, 8, 16, 32]:
        sel = res[np.isclose(res.t, t)]
        tab = sel.groupby(["gamma_1", "N"]).test_accuracy.apply(mean_sd).unstack("N")
        print(f"t = {t}:\n{tab.to_string()}")
    # and at equal k for contrast (1,600 steps: t = 32 for N = 50, t = 4 for N = 400)
    sel = res[res.step == 1600]
    print("k = 1,600 steps:\n" + sel.groupby(["gamma_1", "N"]).test_accuracy.apply(mean_sd).unstack("N").to_string())


# ----------------------------------------------------------------------------------------------------- Q2 deep
def deep(data, depth: int, runs, seeds=SEEDS) -> pd.DataFrame:
    """``runs``: (setting name, activation, readout, input scale, alphas, epochs); widths 100 per layer."""
    widths = [100] * depth
    gamma_grid = list(itertools.product(DEEP_GAMMAS, repeat=depth))
    rows = []
    for name, act, readout, s, alphas, epochs in runs:
        for a in alphas:
            t0 = time.time()
            df = grid(data, widths, gamma_grid, seeds, epochs, a, act, readout, s)
            rows.append(df.assign(setting=name, alpha=a))
            print(f"  depth {depth} {name} α={a:g}, {epochs} epochs: {time.time() - t0:.0f}s", flush=True)
    return pd.concat(rows, ignore_index=True)


def summarize_deep(res: pd.DataFrame, depth: int, step: int) -> None:
    """Test accuracy at ``step`` for every (setting, α, γ-configuration), and each γ position's main effect."""
    at = res[res.step == step]
    at = at.assign(config=at.apply(lambda r: gamma_label(r, depth), axis=1))
    print(f"-- test accuracy after {step} steps (t = {step / 100:g}), mean±sd over seeds --")
    with pd.option_context("display.width", 250):
        print(
            at.groupby(["setting", "alpha", "config"])
            .test_accuracy.apply(mean_sd)
            .unstack(["setting", "alpha"])
            .to_string()
        )
    # Main effect of each γ position: mean accuracy over the other positions and seeds, at each level.
    for (name, a), g in at.groupby(["setting", "alpha"]):
        effects = []
        for i in range(depth):
            m = g.groupby(f"gamma_{i + 1}").test_accuracy.mean()
            effects.append(
                f"γ_{i + 1}: "
                + " ".join(f"{lvl:g}→{v:.3f}" for lvl, v in m.items())
                + f" (range {m.max() - m.min():.3f})"
            )
        n_learn = (g.groupby("config").test_accuracy.min() > 0.5).sum()
        print(
            f"  {name} α={a:g}: {n_learn}/{g.config.nunique()} configurations above 50% in every seed; "
            "main effects " + "; ".join(effects)
        )


def deep2(data, out: Path) -> None:
    banner("Q2 depth 2 (100, 100), centred readout, batch 20, shuffled")
    res = deep(
        data,
        2,
        [
            ("tanh, s=1/28", "tanh", "centered", 1 / 28, [1, 2, 3, 5, 10, 30], 40),
            ("sigmoid, s=1", "sigmoid", "centered", 1.0, [3, 10, 30], 20),
        ],
    )
    save(res, out, "deep2")
    summarize_deep(res, 2, 4000)
    summarize_deep(res[res.setting == "tanh, s=1/28"], 2, 8000)


def deep3(data, out: Path) -> None:
    banner("Q2 depth 3 (100, 100, 100), tanh, s=1/28, centred readout, batch 20, shuffled")
    res = deep(data, 3, [("tanh, s=1/28", "tanh", "centered", 1 / 28, [1, 2, 3, 5], 40)])
    save(res, out, "deep3")
    summarize_deep(res, 3, 4000)
    summarize_deep(res, 3, 8000)


# ------------------------------------------------------------------------------------------------- Q3 plateau
def first_above(df: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Per run: the first evaluated epoch where test accuracy exceeds ``threshold`` (``epoch``, ``step``, ``t``),
    and the first from which it stays above it until the end of the run (``epoch_stays``, ``t_stays``); NaN if
    never.  The second is the plateau's end when the accuracy curve is erratic."""
    out = []
    for seed, g in df.sort_values("epoch").groupby("seed"):
        acc = g.test_accuracy.to_numpy()
        above = acc > threshold
        first = int(np.argmax(above)) if above.any() else None
        # stays: the first index after the last evaluation at or below the threshold
        below = np.flatnonzero(~above)
        stays = (int(below[-1]) + 1 if len(below) else 0) if above[-1] else None
        row = lambda i, col, g=g: g[col].iloc[i] if i is not None else math.nan  # noqa: E731
        out.append(
            dict(
                seed=seed,
                threshold=threshold,
                epoch=row(first, "epoch"),
                step=row(first, "step"),
                t=row(first, "t"),
                epoch_stays=row(stays, "epoch"),
                t_stays=row(stays, "t"),
                final_epoch=g.epoch.max(),
                final_acc=acc[-1],
            )
        )
    return pd.DataFrame(out)


def plateau_summary(res: pd.DataFrame) -> pd.DataFrame:
    summary = []
    for (name, g1, g2), sub in res.groupby(["preset", "gamma_1", "gamma_2"], sort=False):
        for thr in (0.2, 0.5):
            summary.append(first_above(sub, thr).assign(preset=name, gammas=f"({g1:g}, {g2:g})"))
    return pd.concat(summary, ignore_index=True)


def plateau(data, out: Path) -> None:
    """How long a depth-2 (100, 100) net with γ = (1, 1) sits at chance, per preset ((0.5, 0.5) for contrast)."""
    banner("Q3 plateau, depth 2 (100, 100), γ = (1, 1) and (0.5, 0.5); evaluated after every epoch (200 steps)")
    runs = [("authors", 200), ("default", 100), ("fast", 20), ("fast_deep", 40)]
    rows = []
    for name, epochs in runs:
        p = get_preset(name)
        t0 = time.time()
        df = grid(
            data,
            [100, 100],
            [(1.0, 1.0), (0.5, 0.5)],
            SEEDS,
            epochs,
            p.alpha,
            p.activation,
            p.readout,
            p.input_scale,
            batch_size=p.batch_size,
            shuffle=p.shuffle,
        )
        df = df.assign(preset=name)
        rows.append(df)
        print(f"  {name}: {epochs} epochs in {time.time() - t0:.0f}s", flush=True)
    res = pd.concat(rows, ignore_index=True)
    save(res, out, "plateau")
    summ = plateau_summary(res)
    save(summ, out, "plateau_summary")
    print("first evaluation above the threshold, and first from which it stays above (NaN: never in the run):")
    print(
        summ[
            [
                "preset",
                "gammas",
                "threshold",
                "seed",
                "epoch",
                "step",
                "t",
                "epoch_stays",
                "t_stays",
                "final_epoch",
                "final_acc",
            ]
        ].to_string(index=False)
    )
    for name, _ in runs:
        sel = res[res.preset == name]
        tab = sel.groupby(["gamma_1", "epoch"]).test_accuracy.mean().unstack("epoch")
        keep = [e for e in tab.columns if e in (0, 1, 2, 4, 6, 8, 10, 15, 20, 30, 40, 50, 75, 100, 125, 150, 175, 200)]
        print(f"{name} (test accuracy by epoch, mean over seeds):\n{tab[keep].round(3).to_string()}")


def biases(data, out: Path) -> None:
    """The biases' role.  (a) tanh, s = 1/28, centred readout (zero biases at init): every bias trained at its
    layer's rate (as the library does) vs frozen at zero (the theory's model has no biases).  (b) The authors'
    preset, depth 2, γ = (1, 1), α = 1, 60 epochs: biases trained vs hidden biases frozen at their initial values
    vs all biases frozen.  Frozen with ``requires_grad_(False)``; trained with :func:`gammanet.fit`."""
    banner("Biases trained at their layer's rate vs frozen")
    fast = dict(activation="tanh", readout="centered", input_scale=1 / 28, batch_size=20, shuffle=True, loss="ce")
    authors = {**get_preset("authors").model_kwargs(), **get_preset("authors").fit_kwargs()}
    cases = [
        ([100], (1.0,), [100, 300], 20, fast),
        ([100, 100], (1.0, 1.0), [10, 30], 20, fast),
        ([100, 100], (1.0, 0.5), [10, 30], 20, fast),
    ]
    cases += [
        ([100] * 3, g, [3], 40, fast)
        for g in [(1.0, 1.0, 1.0), (0.7, 1.0, 1.0), (0.5, 0.5, 1.0), (0.5, 0.5, 0.5), (1.0, 0.5, 0.5)]
    ]
    rows = []
    for widths, g, alphas, epochs, kw in cases:
        for a, frozen, seed in itertools.product(alphas, ["none", "all"], [0, 1]):
            rows.append(_bias_run(data, widths, g, a, epochs, kw, frozen, seed, "tanh, s=1/28"))
    for frozen, seed in itertools.product(["none", "hidden", "all"], [0, 1]):
        rows.append(_bias_run(data, [100, 100], (1.0, 1.0), 1.0, 60, authors, frozen, seed, "authors"))
    res = pd.DataFrame(rows)
    save(res, out, "biases")
    print(
        res.groupby(["setting", "depth", "gammas", "alpha", "steps", "frozen"])
        .test_accuracy.apply(mean_sd)
        .unstack("frozen")
        .to_string()
    )


def _bias_run(data, widths, gammas, alpha, epochs, kw, frozen, seed, setting) -> dict:
    kw = dict(kw)
    model = GammaMLP(
        widths,
        gammas,
        activation=kw.pop("activation"),
        readout=kw.pop("readout"),
        input_scale=kw.pop("input_scale"),
        seed=seed,
    )
    kw.pop("alpha", None)
    for name, layer in model.layers().items():
        if frozen == "all" or (frozen == "hidden" and name != "C"):
            layer.bias.requires_grad_(False)
    h = fit(model, data, epochs, alpha=alpha, seed=DATA_SEED, device="cpu", progress=False, **kw)
    return dict(
        setting=setting,
        depth=len(widths),
        gammas=str(tuple(gammas)),
        alpha=alpha,
        frozen=frozen,
        seed=seed,
        steps=int(h.step.iloc[-1]),
        test_accuracy=h.test_accuracy.iloc[-1],
        curve=" ".join(f"{v:.2f}" for v in h.test_accuracy.iloc[::5]),
    )


@torch.no_grad()
def preact(data, out: Path) -> None:
    """At initialization, depth 2 (N, N): std across inputs of the layer-2 pre-activations Z² vs |b²|, and how
    input-dependent the output is."""
    banner("Q3 mechanism: layer-2 pre-activations at initialization, depth 2 (N, N), 1,000 test images, seeds 0-2")
    x = data.x_test
    rows = []
    for name in ["authors", "default", "fast"]:
        p = get_preset(name)
        for g, N, seed in itertools.product([0.5, 0.7, 1.0], [50, 100, 400, 1600], SEEDS):
            m = GammaMLP([N, N], [g, g], seed=seed, **p.model_kwargs())
            sigma = torch.sigmoid if p.activation == "sigmoid" else torch.tanh
            a1 = m.scales[0] * sigma(m.hidden[0](m.input_scale * x))
            z2 = m.hidden[1](a1)  # (n, N): W² (N^{-γ} H¹) + b²
            logits = m(x)
            rows.append(
                dict(
                    preset=name,
                    gamma=g,
                    N=N,
                    seed=seed,
                    std_x_z2=float(z2.std(0).mean()),  # input-dependent part of Z² (mean over units)
                    abs_mean_x_z2=float(z2.mean(0).abs().mean()),  # input-independent part (incl. bias)
                    abs_b2=float(m.hidden[1].bias.abs().mean()),
                    std_x_logit=float(logits.std(0).mean()),  # input dependence of the output
                    class_offset_sd=float(logits.mean(0).std()),  # spread of the 10 mean logits
                    modal_class_frac=float(torch.bincount(logits.argmax(1), minlength=10).max()) / x.shape[0],
                )
            )
    res = pd.DataFrame(rows)
    save(res, out, "preact")
    tab = res.groupby(["preset", "gamma", "N"]).mean(numeric_only=True).drop(columns="seed")
    with pd.option_context("display.float_format", "{:.4f}".format, "display.width", 200):
        print(tab.to_string())


def fast_test(data, out: Path) -> None:
    """The margin of tests/test_presets.py: `fast`, 784-100-10, γ = 1, 1,000 training images, 24 epochs = 1,200
    steps, init seed = data seed = 0..7."""
    banner("Behavioural test margin: fast preset, γ = 1, 1,000 training images, 1,200 steps, seeds 0-7")
    p = get_preset("fast")
    small = data.subset(1000)
    rows = []
    for seed in range(8):
        model = GammaMLP([100], 1.0, seed=seed, **p.model_kwargs())
        h = fit(model, small, 24, seed=seed, device="cpu", progress=False, **p.fit_kwargs())
        acc = h.test_accuracy.to_numpy()
        rows.append(
            dict(
                seed=seed,
                best_by_1000=h[h.step <= 1000].test_accuracy.max(),
                at_1000=acc[20],
                at_1200=acc[-1],
                largest_drop=float(np.max(acc[:-1] - acc[1:])),
            )
        )
    res = pd.DataFrame(rows)
    save(res, out, "fast_test")
    print(res.round(3).to_string(index=False))


# ------------------------------------------------------------------------------------------ Q4 authors' alpha
def authors_alpha(data, out: Path) -> None:
    """The authors' preset (sigmoid, U(0,1) readout, PyTorch biases, s = 1, batch 20, no shuffling) at α = 1, 10,
    100: shallow 784-100-10 after 20 epochs = 4,000 steps, and depth 2 (100, 100) at γ ∈ {(0.5,0.5), (1,1)}."""
    banner("Q4 authors' preset, α = 1, 10, 100, 4,000 steps (20 epochs), seeds 0-2")
    p = get_preset("authors")
    rows = []
    for a in [1, 10, 100]:
        df = grid(
            data,
            [100],
            SHALLOW_GAMMAS,
            SEEDS,
            20,
            a,
            p.activation,
            p.readout,
            p.input_scale,
            batch_size=p.batch_size,
            shuffle=p.shuffle,
        )
        rows.append(final(df).assign(alpha=a, depth=1, config=df.gamma_1.map(lambda g: f"({g:g})")))
        df = grid(
            data,
            [100, 100],
            [(0.5, 0.5), (1.0, 1.0)],
            SEEDS,
            20,
            a,
            p.activation,
            p.readout,
            p.input_scale,
            batch_size=p.batch_size,
            shuffle=p.shuffle,
        )
        f = final(df)
        rows.append(f.assign(alpha=a, depth=2, config=f.apply(lambda r: gamma_label(r, 2), axis=1)))
    res = pd.concat(rows, ignore_index=True)
    save(res, out, "authors_alpha")
    print(res.groupby(["depth", "config", "alpha"]).test_accuracy.apply(mean_sd).unstack("alpha").to_string())


EXPERIMENTS = dict(
    shallow_alpha=shallow_alpha,
    shallow_batch=shallow_batch,
    clock=clock,
    deep2=deep2,
    deep3=deep3,
    plateau=plateau,
    preact=preact,
    biases=biases,
    fast_test=fast_test,
    authors_alpha=authors_alpha,
)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("experiments", nargs="+", choices=list(EXPERIMENTS) + ["all"])
    parser.add_argument("--out", type=Path, default=Path("results/presets"))
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    data = load_mnist("embedded", device="cpu", verbose=False)
    names = list(EXPERIMENTS) if "all" in args.experiments else args.experiments
    for name in names:
        t0 = time.time()
        EXPERIMENTS[name](data, args.out)
        print(f"[{name}: {time.time() - t0:.0f}s]", flush=True)


if __name__ == "__main__":
    main()
