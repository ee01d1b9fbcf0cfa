"""How fast does a γ-grid train?  The authors' loop, a plain per-model loop and the batched engine, side by side.

    python benchmarks/bench_grid.py [--quick] [--device cpu|cuda] [--alternatives] [--json FILE]

Setting (the authors' MLP3): 784-100-100-100-10 sigmoid, batch 20, cross-entropy, authors' readout and rates,
α = 1, no shuffling, 27 members γ_i ∈ {0.5, 0.7, 1.0}³; then MLP3 with N = 1000 and the shallow 784-100-10.

(a) a re-creation of the authors' training loop: torchvision MNIST (IDX files of the embedded subset written to
    a temporary folder) through a DataLoader with their transforms, batch 20, no shuffling, one model after
    another, log-softmax output + CrossEntropyLoss, zero_grad / backward / step;
(b) a plain per-model loop on preloaded tensors (fit's inner loop, one GammaMLP at a time);
(c) the engine: gammanet.ensemble.Ensemble.step on all members at once (train_grid's inner loop).

Every variant runs a fixed number of SGD steps after a warm-up; the set is measured five times, interleaved,
and the best of each is reported (other processes on a 2-core machine only ever slow a run down).  On CUDA every
timing is bracketed by torch.cuda.synchronize (kernels run asynchronously), GEMMs run in full float32 (TF32 off,
as the library's results assume), and the peak is measured with 4096x4096 products (2048 on the CPU).
FLOP count per model-step: forward 2·B·Σ fan_in·fan_out, backward 2× forward, so 6·B·Σ fan_in·fan_out
(nominal; the engine skips the input gradient of layer 1, so it executes 2·B·d·N_1 fewer).
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from gammanet.data import MNIST_MEAN, MNIST_STD, embedded_arrays, load_mnist, write_idx  # noqa: E402
from gammanet.devices import resolve_device  # noqa: E402
from gammanet.ensemble import Ensemble  # noqa: E402
from gammanet.model import GammaMLP, param_groups  # noqa: E402
from gammanet.scaling import learning_rates  # noqa: E402
from gammanet.train import batch_slices, loss_function  # noqa: E402

MLP3_GRID = [(a, b, c) for a in (0.5, 0.7, 1.0) for b in (0.5, 0.7, 1.0) for c in (0.5, 0.7, 1.0)]
SHALLOW_GRID = [(g,) for g in (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)]
BATCH = 20


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def gemm_size(device: torch.device) -> int:
    """Side of the square products that measure the peak: large enough to saturate the device."""
    return 4096 if device.type == "cuda" else 2048


def gemm_peak(device: torch.device, seconds: float) -> float:
    """fp32 GFLOP/s of a large square torch.mm (best of a few repetitions) at the current thread count."""
    n = gemm_size(device)
    a, b = torch.randn(n, n, device=device), torch.randn(n, n, device=device)
    c = torch.empty(n, n, device=device)
    torch.mm(a, b, out=c)
    sync(device)
    best, stop = 0.0, time.perf_counter() + seconds
    while time.perf_counter() < stop:
        t = time.perf_counter()
        for _ in range(3):
            torch.mm(a, b, out=c)
        sync(device)
        best = max(best, 3 * 2 * n**3 / (time.perf_counter() - t) / 1e9)
    return best


def flops_per_model_step(widths, d=784, k=10, batch=BATCH) -> int:
    sizes = (d,) + tuple(widths) + (k,)
    return 6 * batch * sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))


# ----------------------------------------------------------------------------------------------------- (a)
class AuthorsMLP(nn.Module):
    """The authors' MLP/MLP2/MLP3 forward pass, re-created: N(0,1) hidden weights, U(0,1) readout, default biases,
    N_ℓ^{-γ_ℓ} after each sigmoid, log-softmax output."""

    def __init__(self, widths, gammas):
        super().__init__()
        sizes = (784,) + tuple(widths)
        self.fcs = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.out = nn.Linear(widths[-1], 10)
        for fc in self.fcs:
            nn.init.normal_(fc.weight, 0.0, 1.0)
        nn.init.uniform_(self.out.weight, 0.0, 1.0)
        self.scalings = [n ** (-g) for n, g in zip(widths, gammas)]

    def forward(self, x):
        x = x.view(-1, 28 * 28)
        for fc, scaling in zip(self.fcs, self.scalings):
            x = scaling * torch.sigmoid(fc(x))
        return F.log_softmax(self.out(x), dim=1)


def authors_loop(widths, grid, root, steps, n_models, device):
    """Model-steps/s of the authors' loop: DataLoader over torchvision MNIST with their transforms."""
    from torch.utils.data import DataLoader
    from torchvision import datasets, transforms

    transformation = transforms.Compose(
        [transforms.Resize(28), transforms.ToTensor(), transforms.Normalize((MNIST_MEAN,), (MNIST_STD,))]
    )
    train_data = datasets.MNIST(root, train=True, transform=transformation, download=False)
    criterion = nn.CrossEntropyLoss()
    total_steps, total_time = 0, 0.0
    for gammas in grid[:n_models]:
        model = AuthorsMLP(widths, gammas).to(device)
        rates = learning_rates(widths, gammas)
        groups = [{"params": list(fc.parameters()), "lr": rates[f"W{i + 1}"]} for i, fc in enumerate(model.fcs)]
        optimizer = torch.optim.SGD(groups + [{"params": list(model.out.parameters()), "lr": rates["C"]}], lr=1.0)
        loader = DataLoader(train_data, batch_size=BATCH)
        model.train()
        sync(device)
        t = time.perf_counter()
        for i, (inputs, targets) in enumerate(loader):
            if i == steps:
                break
            inputs, targets = inputs.to(device), targets.to(device)
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
        sync(device)
        total_time += time.perf_counter() - t
        total_steps += steps
    return total_steps / total_time


# ----------------------------------------------------------------------------------------------------- (b)
def per_model_loop(widths, grid, data, steps, n_models, device):
    """Model-steps/s of fit's inner loop, one GammaMLP after another, data as tensors on the device."""
    loss_fn = loss_function("ce")
    slices = batch_slices(data.n_train, BATCH)
    order = torch.arange(data.n_train, device=device)
    total_steps, total_time = 0, 0.0
    for gammas in grid[:n_models]:
        model = GammaMLP(widths, gammas, readout="authors", seed=0).to(device)
        optimizer = torch.optim.SGD(param_groups(model, 1.0), lr=1.0)
        sync(device)
        t = time.perf_counter()
        for i in range(steps):
            idx = order[slices[i % len(slices)]]
            value = loss_fn(model(data.x_train[idx]), data.y_train[idx])
            if not torch.isfinite(value):
                break
            optimizer.zero_grad(set_to_none=True)
            value.backward()
            optimizer.step()
        sync(device)
        total_time += time.perf_counter() - t
        total_steps += steps
    return total_steps / total_time


# ----------------------------------------------------------------------------------------------------- (c)
def engine_loop(ensemble, data, steps, device):
    """Model-steps/s of the engine: train_grid's inner loop with a shared data order."""
    slices = batch_slices(data.n_train, BATCH)
    order = torch.arange(data.n_train, device=device)
    sync(device)
    t = time.perf_counter()
    for i in range(steps):
        idx = order[slices[i % len(slices)]]
        ensemble.step(data.x_train[idx], data.y_train[idx])
    sync(device)
    return ensemble.n_members * steps / (time.perf_counter() - t)


def make_ensemble(widths, grid, device):
    return Ensemble(widths, grid, [0] * len(grid), readout="authors", device=device)


# ------------------------------------------------------------------------------------------- alternatives
class SingleGemmEnsemble(Ensemble):
    """The engine with layer 1 always as ONE (B, d) @ (d, M·N_1) GEMM, also at B = 20 (into a reused buffer)."""

    def _first_layer(self, x, out=None):
        W1, b1 = self.weights[0], self.biases[0]
        M, N1 = W1.shape[:2]
        buffers = self.__dict__.setdefault("_gemm_out", {})
        if x.shape[0] not in buffers:
            buffers[x.shape[0]] = torch.empty(x.shape[0], M * N1, device=x.device)
        z = torch.addmm(b1.view(-1), x, W1.view(M * N1, -1).t(), out=buffers[x.shape[0]])
        return z.view(x.shape[0], M, N1).transpose(0, 1)


def func_loop(widths, grid, data, steps, device):
    """torch.func: stack_module_state + vmap(grad(loss)) + a per-member SGD update."""
    from torch.func import functional_call, grad, stack_module_state, vmap

    models = [GammaMLP(widths, g, readout="authors", seed=0).to(device) for g in grid]
    params, _ = stack_module_state(models)
    base = copy.deepcopy(models[0]).to("meta")
    names = [n for n, _ in models[0].named_parameters()]
    layer = {n: (int(n.split(".")[1]) if n.startswith("hidden") else len(widths)) for n in names}
    rates = torch.tensor([list(learning_rates(widths, g).values()) for g in grid], device=device)
    lrs = {n: rates[:, layer[n]].view(-1, *[1] * (params[n].dim() - 1)) for n in names}
    scales = torch.tensor([m.scales for m in models], device=device)
    loss_fn = loss_function("ce")

    def member_loss(p, s, x, y):
        base.scales = tuple(s[i] for i in range(len(widths)))  # the member's N^-γ as traced values
        return loss_fn(functional_call(base, p, (x,)), y)

    step = vmap(grad(member_loss), in_dims=(0, 0, None, None))
    slices = batch_slices(data.n_train, BATCH)

    def run(n):
        for i in range(n):
            sl = slices[i % len(slices)]
            grads = step(params, scales, data.x_train[sl], data.y_train[sl])
            with torch.no_grad():
                for n_ in names:
                    params[n_].sub_(lrs[n_] * grads[n_])

    run(5)
    sync(device)
    t = time.perf_counter()
    run(steps)
    sync(device)
    return len(grid) * steps / (time.perf_counter() - t)


def autograd_loop(widths, grid, data, steps, device):
    """The engine's stacked bmm forward, but autograd for the backward and a separate SGD update."""
    ens = make_ensemble(widths, grid, device)
    Ws = [w.clone().requires_grad_() for w in ens.weights]
    bs = [b.clone().requires_grad_() for b in ens.biases]
    M, L = len(grid), len(widths)
    rates = [ens.rates[:, i] for i in range(L + 1)]
    loss_fn = loss_function("ce")
    slices = batch_slices(data.n_train, BATCH)

    def run(n):
        for i in range(n):
            sl = slices[i % len(slices)]
            h = data.x_train[sl].expand(M, -1, -1)
            for ell in range(L):
                h = torch.sigmoid(torch.baddbmm(bs[ell].unsqueeze(1), h, Ws[ell].transpose(1, 2))) * ens._scales[ell]
            logits = torch.baddbmm(bs[L].unsqueeze(1), h, Ws[L].transpose(1, 2))
            grads = torch.autograd.grad(loss_fn(logits, data.y_train[sl].expand(M, -1)).sum(), Ws + bs)
            with torch.no_grad():
                for ell in range(L + 1):
                    Ws[ell].sub_(rates[ell].view(M, 1, 1) * grads[ell])
                    bs[ell].sub_(rates[ell].view(M, 1) * grads[L + 1 + ell])

    run(5)
    sync(device)
    t = time.perf_counter()
    run(steps)
    sync(device)
    return M * steps / (time.perf_counter() - t)


# ------------------------------------------------------------------------------------------------------ main
def measure(name, widths, grid, data, root, device, steps, repeats):
    """Run (a), (b), (c) `repeats` times, interleaved; keep the best rate of each."""
    n_models = min(3, len(grid))
    ens = make_ensemble(widths, grid, device)
    engine_loop(ens, data, max(5, steps["c"] // 10), device)  # warm-up
    per_model_loop(widths, grid, data, max(5, steps["b"] // 10), 1, device)
    best = {"a": 0.0, "b": 0.0, "c": 0.0}
    for _ in range(repeats):
        best["a"] = max(best["a"], authors_loop(widths, grid, root, steps["a"], n_models, device))
        best["b"] = max(best["b"], per_model_loop(widths, grid, data, steps["b"], n_models, device))
        best["c"] = max(best["c"], engine_loop(ens, data, steps["c"], device))
    return best


def report(title, widths, grid, rates, peak) -> dict:
    flops = flops_per_model_step(widths)
    executed = flops - 2 * BATCH * 784 * widths[0]
    gflops = rates["c"] * flops / 1e9
    print(
        f"\n{title}: 784-{'-'.join(map(str, widths))}-10 sigmoid, {len(grid)} members, batch {BATCH}, CE, "
        f"authors' readout and rates, α = 1"
    )
    print(f"  (a) authors' loop (DataLoader + transforms, one model after another) {rates['a']:10,.0f} model-steps/s")
    print(f"  (b) per-model loop on preloaded tensors (fit's inner loop)           {rates['b']:10,.0f} model-steps/s")
    print(
        f"  (c) engine (Ensemble.step, {len(grid):2d} members at once)                    {rates['c']:10,.0f} "
        f"model-steps/s"
    )
    print(f"  (c)/(a) = {rates['c'] / rates['a']:.1f}x   (c)/(b) = {rates['c'] / rates['b']:.1f}x")
    print(
        f"  (c) at {gflops:.0f} GFLOP/s = {100 * gflops / peak:.0f}% of the measured GEMM peak "
        f"[count: 6·B·Σ fan_in·fan_out = {flops / 1e6:.2f} MFLOP per model-step; executed "
        f"{executed / 1e6:.2f}, i.e. {rates['c'] * executed / 1e9:.0f} GFLOP/s]"
    )
    return dict(
        case=title,
        widths=list(widths),
        members=len(grid),
        model_steps_per_s=rates,
        engine_gflops=gflops,
        peak_fraction=gflops / peak,
        mflop_per_model_step=flops / 1e6,
    )


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    import platform

    return platform.processor() or platform.machine()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a ~30-second version (fewer steps, one pass)")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument(
        "--alternatives",
        action="store_true",
        help="also time the designs the engine was chosen against (MLP3, 27 members)",
    )
    parser.add_argument("--json", default=None, metavar="FILE", help="also write the measurements to FILE (JSON)")
    args = parser.parse_args(argv)
    device = resolve_device(args.device)
    torch.manual_seed(0)
    torch.set_float32_matmul_precision("highest")  # full float32, no TF32
    quick = args.quick
    print(
        f"gammanet grid benchmark: torch {torch.__version__}, device {device} ({device_name(device)}), "
        f"{torch.get_num_threads()} threads, load average {os.getloadavg()[0]:.2f} at start"
        + (", --quick" if quick else "")
    )
    peak = gemm_peak(device, 1.0 if quick else 3.0)
    n = gemm_size(device)
    print(f"fp32 GEMM peak ({n}x{n} torch.mm, {torch.get_num_threads()} threads): {peak:.0f} GFLOP/s")
    results = dict(
        device=str(device),
        device_name=device_name(device),
        torch=torch.__version__,
        cuda=torch.version.cuda,
        threads=torch.get_num_threads(),
        quick=quick,
        gemm_peak_gflops=peak,
        gemm_size=n,
        tf32=torch.backends.cuda.matmul.allow_tf32,
        cases=[],
    )

    data = load_mnist("embedded", device=device, verbose=False)
    with tempfile.TemporaryDirectory() as root:
        x_tr, y_tr, x_te, y_te = embedded_arrays()
        write_idx(root, (x_tr, y_tr), (x_te, y_te))
        repeats = 1 if quick else 5
        cases = [
            ("MLP3", (100, 100, 100), MLP3_GRID, dict(a=60, b=150, c=80) if quick else dict(a=120, b=300, c=200)),
            (
                "MLP3, N = 1000",
                (1000, 1000, 1000),
                MLP3_GRID,
                dict(a=15, b=20, c=4) if quick else dict(a=30, b=40, c=10),
            ),
            ("Shallow", (100,), SHALLOW_GRID, dict(a=60, b=150, c=150) if quick else dict(a=120, b=300, c=400)),
        ]
        for title, widths, grid, steps in cases:
            rates = measure(title, widths, grid, data, root, device, steps, repeats)
            results["cases"].append(report(title, widths, grid, rates, peak))
            sys.stdout.flush()

    if args.alternatives:
        widths, grid, steps = (100, 100, 100), MLP3_GRID, 40 if quick else 150
        print(f"\nDesign alternatives, MLP3, {len(grid)} members (model-steps/s, best of 3):")
        engine, single = (
            make_ensemble(widths, grid, device),
            SingleGemmEnsemble(widths, grid, [0] * len(grid), readout="authors", device=device),
        )
        for label, fn in [
            ("engine (per-member GEMMs for layer 1)", lambda: engine_loop(engine, data, steps, device)),
            ("engine, layer 1 as ONE (B,d)@(d,M·N1) GEMM", lambda: engine_loop(single, data, steps, device)),
            ("stacked bmm + autograd + separate update", lambda: autograd_loop(widths, grid, data, steps, device)),
            ("torch.func vmap(grad) + update", lambda: func_loop(widths, grid, data, steps, device)),
        ]:
            print(f"  {label:46s} {max(fn() for _ in range(3)):10,.0f}")
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")
    if args.json:
        import json

        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
