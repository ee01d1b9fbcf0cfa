"""Command line over the same functions the notebooks call.

``python -m gammanet train ...``          one network (gammanet.train.fit)
``python -m gammanet configs [NAME]``     the named experiments (gammanet.experiments), or one as JSON
``python -m gammanet run NAME|FILE.json [--shard K/N] [--store DIR] [--device DEV]``   run / resume a sweep
``python -m gammanet show NAME``          what is finished in the store
``python -m gammanet plot NAME --out F``  test accuracy against epochs, one curve per γ-configuration
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Optional, Sequence


def add_train_parser(sub) -> None:
    p = sub.add_parser("train", help="train one γ-scaled network and write its history and configuration",
                       description="Train one GammaMLP on MNIST; writes DIR/history.csv and DIR/config.json.")
    p.add_argument("--widths", type=int, nargs="+", required=True, help="hidden widths N_1 ... N_L")
    p.add_argument("--gammas", nargs="+", required=True,
                   help="one γ per hidden layer in [0.5, 1], or one preset: xavier | mean_field")
    p.add_argument("--epochs", type=int, required=True)
    p.add_argument("--batch-size", type=int, default=20)
    p.add_argument("--loss", choices=["ce", "mse"], default="ce")
    p.add_argument("--alpha", type=float, default=1.0, help="global constant multiplying the theory's rates")
    p.add_argument("--seed", type=int, default=0, help="seeds both the initial weights and the data order")
    p.add_argument("--no-shuffle", action="store_true", help="the authors' fixed data order")
    p.add_argument("--activation", choices=["sigmoid", "tanh"], default="sigmoid")
    p.add_argument("--readout", choices=["centered", "authors"], default="centered")
    p.add_argument("--input-scale", type=float, default=1.0)
    p.add_argument("--no-bias", action="store_true", help="networks without biases (the papers' equations)")
    p.add_argument("--data", choices=["auto", "torchvision", "embedded"], default=None,
                   help="data source (default: $GAMMANET_DATA, else auto)")
    p.add_argument("--data-root", default=None)
    p.add_argument("--n-train", type=int, default=None)
    p.add_argument("--n-test", type=int, default=None)
    p.add_argument("--device", default=None, help="cpu, cuda, cuda:1 ... (default: CUDA when available)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_train)


def parse_gammas(values: Sequence[str]):
    if len(values) == 1 and not _is_number(values[0]):
        return values[0]
    bad = [v for v in values if not _is_number(v)]
    if bad:
        raise ValueError(f"--gammas value {bad[0]!r} is not a number; give numbers in [0.5, 1] or one preset")
    if len(values) == 1:  # one γ for every layer
        return float(values[0])
    return [float(v) for v in values]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def cmd_train(args) -> int:
    from .data import load_mnist
    from .model import GammaMLP
    from .train import fit

    model = GammaMLP(args.widths, parse_gammas(args.gammas), activation=args.activation, readout=args.readout,
                     input_scale=args.input_scale, seed=args.seed, bias=not args.no_bias)
    data = load_mnist(args.data, root=args.data_root, device=args.device, n_train=args.n_train, n_test=args.n_test)
    print(data.describe(), file=sys.stderr)
    history = fit(model, data, args.epochs, batch_size=args.batch_size, loss=args.loss, alpha=args.alpha,
                  seed=args.seed, shuffle=not args.no_shuffle, device=args.device, progress=not args.quiet)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    history.to_csv(out / "history.csv", index=False)
    config = dict(history.attrs["config"], command="train")
    config["data"]["note"] = data.note
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    last = history.iloc[-1]
    print(f"epoch {int(last.epoch)}  step {int(last.step)}  t={last.t:.2f}  test accuracy {last.test_accuracy:.4f}"
          f"  status {last.status}\nwrote {out / 'history.csv'} and {out / 'config.json'}")
    return 0


# ------------------------------------------------------------------------------------------------ experiments
EXPERIMENT_HELP = "a registered experiment name (see `configs`) or the path of an experiment JSON file"


def _add_store_args(p) -> None:
    p.add_argument("--store", default=None,
                   help="results store (default: $GAMMANET_STORE, else ~/.cache/gammanet/store)")
    p.add_argument("--data", choices=["auto", "torchvision", "embedded"], default=None,
                   help="data source (default: $GAMMANET_DATA, else auto)")


def add_experiment_parsers(sub) -> None:
    p = sub.add_parser("configs", help="list the named experiments, or print one as JSON",
                       description="Without NAME: a table of the registered experiments.  With NAME: its full "
                                   "configuration as JSON (a file `run` accepts).")
    p.add_argument("name", nargs="?", help=EXPERIMENT_HELP)
    p.set_defaults(func=cmd_configs)

    p = sub.add_parser("run", help="run or resume an experiment in the results store",
                       description="Train every unit of the experiment (or of one shard) that the store does not "
                                   "hold yet, resuming from checkpoints.  Safe to kill and rerun.")
    p.add_argument("name", help=EXPERIMENT_HELP)
    p.add_argument("--shard", default=None,
                   help="K/N with 0 <= K < N: run units K, K+N, ... (Slurm: $SLURM_ARRAY_TASK_ID/N, --array=0-(N-1))")
    _add_store_args(p)
    p.add_argument("--device", default=None, help="cpu, cuda, cuda:1 ... (default: CUDA when available)")
    p.add_argument("--checkpoint-seconds", type=float, default=None,
                   help="least seconds between checkpoints (default: every epoch on the CPU, 120 s on a GPU)")
    p.add_argument("--threads", type=int, default=None, help="CPU threads for torch (default: torch's choice)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("show", help="what is finished of an experiment in the store")
    p.add_argument("name", help=EXPERIMENT_HELP)
    _add_store_args(p)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("plot", help="test accuracy against epochs, one curve per γ-configuration, seed bands")
    p.add_argument("name", help=EXPERIMENT_HELP)
    _add_store_args(p)
    p.add_argument("--out", required=True, help="image file to write (.png, .pdf, .svg)")
    p.add_argument("--x", choices=["epoch", "t"], default="epoch", help="x axis: epochs or the clock t = k/N_L")
    p.set_defaults(func=cmd_plot)


def _store_root(args):
    from .course import store_dir

    return Path(args.store).expanduser() if args.store else store_dir()


def cmd_configs(args) -> int:
    from .experiments.catalog import load_experiment
    from .experiments.report import catalog_table

    if args.name:
        print(json.dumps(load_experiment(args.name).to_dict(), indent=2))
        return 0
    import pandas as pd

    with pd.option_context("display.width", 200, "display.max_colwidth", 70, "display.max_rows", None):
        print(catalog_table().to_string(index=False))
    return 0


def cmd_run(args) -> int:
    from .experiments.catalog import load_experiment
    from .experiments.configs import parse_shard
    from .experiments.sweep import run_experiment

    experiment = load_experiment(args.name)
    parse_shard(args.shard)                     # a bad shard is reported before the data is loaded
    if args.threads is not None:
        if args.threads < 1:
            raise ValueError(f"--threads {args.threads} is not allowed; give a positive integer")
        import torch

        torch.set_num_threads(args.threads)
    data = None
    if args.data:
        from .data import load_mnist

        data = load_mnist(args.data, device="cpu", verbose=not args.quiet)
    results = run_experiment(experiment, store=_store_root(args), shard=args.shard, device=args.device, data=data,
                             progress=not args.quiet, checkpoint_seconds=args.checkpoint_seconds)
    if args.quiet:                              # otherwise run_experiment printed it
        print(results.summary_text())
    return 0


def cmd_show(args) -> int:
    import pandas as pd

    from .experiments.catalog import load_experiment
    from .experiments.report import configuration_table, mean_sd, unit_table
    from .experiments.results import load_results
    from .experiments.store import locate

    experiment = load_experiment(args.name)
    root = _store_root(args)
    store = locate(root, experiment, args.data)
    if store is None:
        print(f"{experiment.name}: nothing stored under {root} (0/{len(experiment.units())} units)")
        return 0
    units = unit_table(experiment, store)
    done = int((units.state == "done").sum())
    print(f"{experiment.name} (key {store.key}, data {store.data_identity['source']} "
          f"{store.data_identity['n_train']}/{store.data_identity['n_test']}) in {store.folder}")
    print(f"units finished: {done}/{len(units)}\n")
    print(units.to_string(index=False))
    history = load_results(experiment, root, source=store.data_identity["source"], partial=True).history
    table = configuration_table(history)
    if not table.empty:
        table["final test acc"] = [mean_sd(m, s) for m, s in zip(table.final_mean, table.final_sd)]
        table["best test acc"] = table.best_mean.map(lambda v: f"{v:.3f}" if pd.notna(v) else "-")
        table = table.drop(columns=["final_mean", "final_sd", "best_mean"])
        print("\nper configuration (mean ± sd over seeds; units still running count at their last saved epoch):")
        with pd.option_context("display.width", 200, "display.max_rows", None):
            print(table.to_string(index=False))
        print(f"\ndiverged members: {int(table.diverged.sum())} of {int(table.seeds.sum())}")
    return 0


def cmd_plot(args) -> int:
    import matplotlib

    matplotlib.use("Agg")                       # a command writes a file: no window, whatever the machine has
    from .experiments.catalog import load_experiment
    from .experiments.report import plot_accuracy
    from .experiments.results import load_results

    experiment = load_experiment(args.name)
    results = load_results(experiment, _store_root(args), source=args.data, partial=True)
    if results.history.empty:
        raise ValueError(f"nothing of experiment {experiment.name!r} is stored under {_store_root(args)}; "
                         f"run `python -m gammanet run {args.name}` first")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    plot_accuracy(results.history, out, title=experiment.name, x=args.x)
    summary = results.summary
    state = "complete" if results.complete else f"{summary['units_done']}/{summary['units_total']} units"
    print(f"wrote {out} ({state})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gammanet", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    add_train_parser(sub)
    add_experiment_parsers(sub)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ValueError as err:  # bad input: one clear line, no traceback
        parser.exit(2, f"error: {err}\n")
    except BrokenPipeError:  # output piped into `head` and the pipe closed: not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())   # no second error at interpreter exit
        return 0
