"""Command line: ``python -m gammanet train ...`` over the same functions the notebooks call."""
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gammanet", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    add_train_parser(sub)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ValueError as err:  # bad input: one clear line, no traceback
        parser.exit(2, f"error: {err}\n")
