"""Command line over the same functions the notebooks call.

``python -m gammanet train ...``          one network (gammanet.train.fit)
``python -m gammanet configs [NAME]``     the named experiments (gammanet.experiments), or one as JSON
``python -m gammanet run NAME|FILE.json [--shard K/N] [--store DIR] [--device DEV]``   run / resume a sweep
``python -m gammanet show NAME``          what is finished in the store
``python -m gammanet verify NAME``        check every unit of the store (exit 1 if anything is damaged)
``python -m gammanet plot NAME --out F``  test accuracy against epochs, one curve per γ-configuration

A user error (a bad value, a missing or damaged data file, a device this machine lacks, a path that cannot be
written, not enough memory) is one line on stderr that names the value and what is allowed, exit code 2; a
damaged store file is one line naming the file, exit code 1.  Everything that can be checked is checked before any
work.  Anything else is a bug of ours and shows its traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Optional, Sequence

from .grading.cli import add_parser as add_grade_parser


def add_train_parser(sub) -> None:
    p = sub.add_parser(
        "train",
        help="train one γ-scaled network and write its history and configuration",
        description="Train one GammaMLP on MNIST; writes DIR/history.csv and DIR/config.json.",
    )
    p.add_argument("--widths", type=int, nargs="+", required=True, help="hidden widths N_1 ... N_L")
    p.add_argument(
        "--gammas",
        nargs="+",
        required=True,
        help="one γ per hidden layer in [0.5, 1], or one preset: xavier | mean_field",
    )
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
    p.add_argument(
        "--data",
        choices=["auto", "torchvision", "embedded"],
        default=None,
        help="data source (default: $GAMMANET_DATA, else auto)",
    )
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
    from .validation import check_device, check_output_dir, check_positive_float, check_positive_int

    check_positive_int("epochs", args.epochs)  # everything checked before the data and the training
    check_positive_int("batch_size", args.batch_size)
    if args.n_train is not None and check_positive_int("n_train", args.n_train) < args.batch_size:
        # the same rule fit applies, said before the data is loaded (and its note printed)
        raise ValueError(
            f"batch_size={args.batch_size} is not allowed; it exceeds the {args.n_train} training examples"
        )
    check_positive_float("alpha", args.alpha)
    check_device(args.device)
    out = check_output_dir("--out", args.out)
    model = GammaMLP(
        args.widths,
        parse_gammas(args.gammas),
        activation=args.activation,
        readout=args.readout,
        input_scale=args.input_scale,
        seed=args.seed,
        bias=not args.no_bias,
    )
    try:  # made now, not after training: a folder that cannot be made must not cost the run
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ValueError(f"--out {str(out)!r} cannot be created ({err.strerror or type(err).__name__})") from None
    data = load_mnist(args.data, root=args.data_root, device=args.device, n_train=args.n_train, n_test=args.n_test)
    print(data.describe(), file=sys.stderr)
    history = fit(
        model,
        data,
        args.epochs,
        batch_size=args.batch_size,
        loss=args.loss,
        alpha=args.alpha,
        seed=args.seed,
        shuffle=not args.no_shuffle,
        device=args.device,
        progress=not args.quiet,
    )
    out.mkdir(parents=True, exist_ok=True)
    history.to_csv(out / "history.csv", index=False)
    config = dict(history.attrs["config"], command="train")
    config["data"]["note"] = data.note
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    last = history.iloc[-1]
    print(
        f"epoch {int(last.epoch)}  step {int(last.step)}  t={last.t:.2f}  test accuracy {last.test_accuracy:.4f}"
        f"  status {last.status}\nwrote {out / 'history.csv'} and {out / 'config.json'}"
    )
    return 0


# ------------------------------------------------------------------------------------------------ experiments
EXPERIMENT_HELP = "a registered experiment name (see `configs`) or the path of an experiment JSON file"


def _add_store_args(p) -> None:
    p.add_argument(
        "--store", default=None, help="results store (default: $GAMMANET_STORE, else ~/.cache/gammanet/store)"
    )
    p.add_argument(
        "--data",
        choices=["auto", "torchvision", "embedded"],
        default=None,
        help="data source (default: $GAMMANET_DATA, else auto)",
    )


def add_experiment_parsers(sub) -> None:
    p = sub.add_parser(
        "configs",
        help="list the named experiments, or print one as JSON",
        description="Without NAME: a table of the registered experiments.  With NAME: its full "
        "configuration as JSON (a file `run` accepts).",
    )
    p.add_argument("name", nargs="?", help=EXPERIMENT_HELP)
    p.set_defaults(func=cmd_configs)

    p = sub.add_parser(
        "run",
        help="run or resume an experiment in the results store",
        description="Train every unit of the experiment (or of one shard) that the store does not "
        "hold yet, resuming from checkpoints.  Safe to kill and rerun.",
    )
    p.add_argument("name", help=EXPERIMENT_HELP)
    p.add_argument(
        "--shard",
        default=None,
        help="K/N with 0 <= K < N: run units K, K+N, ... (Slurm: $SLURM_ARRAY_TASK_ID/N, --array=0-(N-1))",
    )
    _add_store_args(p)
    p.add_argument("--device", default=None, help="cpu, cuda, cuda:1 ... (default: CUDA when available)")
    p.add_argument(
        "--checkpoint-seconds",
        type=float,
        default=None,
        help="least seconds between checkpoints (default: every epoch on the CPU, 120 s on a GPU)",
    )
    p.add_argument("--threads", type=int, default=None, help="CPU threads for torch (default: torch's choice)")
    p.add_argument(
        "--wait",
        action="store_true",
        help="wait for units that another process is training (locked) instead of skipping them",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars (facts about the data are still printed)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("show", help="what is finished of an experiment in the store")
    p.add_argument("name", help=EXPERIMENT_HELP)
    _add_store_args(p)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser(
        "verify",
        help="check every unit of an experiment in the store; exit 1 if any is damaged",
        description="Check every finished unit against the checksum in its done.json and every "
        "checkpoint against the one in its name; print what is damaged.  Changes "
        "nothing (`run` sets damaged units aside and recomputes them).",
    )
    p.add_argument("name", help=EXPERIMENT_HELP)
    _add_store_args(p)
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("plot", help="test accuracy against epochs, one curve per γ-configuration, seed bands")
    p.add_argument("name", help=EXPERIMENT_HELP)
    _add_store_args(p)
    p.add_argument("--out", required=True, help="image file to write (.png, .pdf, .svg)")
    p.add_argument("--x", choices=["epoch", "t"], default="epoch", help="x axis: epochs or the clock t = k/N_L")
    p.set_defaults(func=cmd_plot)


def _store_root(args):
    from .course import store_dir

    if args.store is None:
        return store_dir()
    if not str(args.store).strip():
        raise ValueError("--store '' is not allowed; give the path of a folder (or leave --store out)")
    return Path(args.store).expanduser()


def _existing_store(args, missing_ok: bool = False) -> Path:
    """The store root that show/verify read: a folder; for verify it must exist, so that a typo does not pass as
    'nothing to verify' (show says 'nothing stored under <path>', which names the typo)."""
    root = _store_root(args)
    if args.store is None:  # the default store: not there yet is "nothing stored"
        return root
    if not root.exists() and not missing_ok:
        raise ValueError(f"--store {str(root)!r} does not exist")
    if root.exists() and not root.is_dir():
        raise ValueError(f"--store {str(root)!r} is a file, not a folder")
    return root


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
    from .validation import check_device, check_output_dir, check_positive_int

    experiment = load_experiment(args.name)
    parse_shard(args.shard)  # a bad shard, device or store is reported before the data is loaded
    check_device(args.device)
    check_output_dir("--store", _store_root(args))
    if args.threads is not None:
        import torch

        torch.set_num_threads(check_positive_int("--threads", args.threads))
    data = None
    if args.data:
        from .data import load_mnist

        data = load_mnist(args.data, device="cpu", verbose=True)  # its note is a fact, printed even --quiet
    results = run_experiment(
        experiment,
        store=_store_root(args),
        shard=args.shard,
        device=args.device,
        data=data,
        progress=not args.quiet,
        checkpoint_seconds=args.checkpoint_seconds,
        wait=args.wait,
    )
    if args.quiet:  # otherwise run_experiment printed it
        print(results.summary_text())
    return 0


def cmd_show(args) -> int:
    import pandas as pd

    from .experiments.records import StoreError

    from .experiments.catalog import load_experiment
    from .experiments.report import configuration_table, mean_sd, unit_table
    from .experiments.results import load_results
    from .experiments.store import locate

    experiment = load_experiment(args.name)
    root = _existing_store(args, missing_ok=True)
    store = locate(root, experiment, args.data)
    if store is None:
        print(f"{experiment.name}: nothing stored under {root} (0/{len(experiment.units())} units)")
        return 0
    from .experiments.store import read_json

    try:  # the description is not needed to read the units (each carries its store key), but damage is said
        store.check_description(read_json(store.folder / "experiment.json"), store.folder / "experiment.json")
    except StoreError as err:
        print(f"damaged (`python -m gammanet run {args.name}` writes it again): {err}", file=sys.stderr)
    units = unit_table(experiment, store)
    done = int((units.state == "done").sum())
    print(
        f"{experiment.name} (key {store.key}, data {store.data_identity['source']} "
        f"{store.data_identity['n_train']}/{store.data_identity['n_test']}) in {store.folder}"
    )
    print(f"units finished: {done}/{len(units)}\n")
    print(units.to_string(index=False))
    results = load_results(experiment, root, source=store.data_identity["source"], partial=True, on_damage="skip")
    _print_damage(results.summary.damaged, args.name)
    history = results.history
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


def _print_damage(lines: Sequence[str], name: str) -> None:
    for line in lines:
        print(f"damaged (left out; `python -m gammanet run {name}` recomputes it): {line}", file=sys.stderr)


def cmd_verify(args) -> int:
    from .experiments.catalog import load_experiment
    from .experiments.store import locate

    experiment = load_experiment(args.name)
    root = _existing_store(args)
    store = locate(root, experiment, args.data)
    if store is None:
        print(f"{experiment.name}: nothing stored under {root} (0/{len(experiment.units())} units); nothing to verify")
        return 0
    report = store.verify()
    for line in report["problems"]:
        print(f"damaged: {line}")
    states = list(report["units"].values())
    counts = ", ".join(f"{states.count(s)} {s}" for s in ("intact", "running", "missing", "damaged"))
    print(
        f"{experiment.name} in {store.folder}: {len(states)} units — {counts}"
        + (f"; {report['temporaries']} temporary file(s)" if report["temporaries"] else "")
        + (f"; set aside earlier: {', '.join(report['set_aside'])}" if report["set_aside"] else "")
    )
    if report["problems"]:
        print(f"`python -m gammanet run {args.name}` sets the damaged units aside and recomputes them")
        return 1
    return 0


def cmd_plot(args) -> int:
    import matplotlib

    matplotlib.use("Agg")  # a command writes a file: no window, whatever the machine has
    from .experiments.catalog import load_experiment
    from .experiments.report import plot_accuracy
    from .experiments.results import load_results
    from .validation import check_output_file

    experiment = load_experiment(args.name)
    out = check_output_file("--out", args.out)
    from matplotlib.figure import Figure

    formats = Figure().canvas.get_supported_filetypes()
    if out.suffix.lstrip(".").lower() not in formats:
        raise ValueError(
            f"--out {str(out)!r} is not allowed: give a file name ending in one of "
            f"{', '.join('.' + f for f in sorted(formats))}"
        )
    results = load_results(experiment, _store_root(args), source=args.data, partial=True, on_damage="skip")
    _print_damage(results.summary.damaged, args.name)
    if results.history.empty:
        raise ValueError(
            f"nothing of experiment {experiment.name!r} is stored under {_store_root(args)}; "
            f"run `python -m gammanet run {args.name}` first"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    plot_accuracy(results.history, out, title=experiment.name, x=args.x)
    state = "complete" if results.complete else f"{results.summary.units_done}/{results.summary.units_total} units"
    print(f"wrote {out} ({state})")
    return 0


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m gammanet", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    add_train_parser(sub)
    add_experiment_parsers(sub)
    add_grade_parser(sub)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    from .data import DataError
    from .experiments.records import StoreError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, DataError) as err:  # bad input, a bad data file: one clear line, no traceback
        parser.exit(2, f"error: {_one_line(err)}\n")
    except StoreError as err:  # a damaged store file: named, one line
        parser.exit(1, f"error: {_one_line(err)}\n")
    except KeyboardInterrupt:  # Ctrl-C: what was written is whole (every write is atomic); say how to go on
        parser.exit(
            130,
            "interrupted: every file written so far is complete; for `run`, the same command resumes from the last "
            "checkpoint\n",
        )
    except BrokenPipeError:  # output piped into `head` and the pipe closed: not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at interpreter exit
        return 0
