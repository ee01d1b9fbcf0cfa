r"""Many γ-configurations × seeds trained as ONE batched network: the engine behind γ-grids.

An :class:`Ensemble` holds M members of the same widths N_1..N_L.  Member m has its own exponents γ^m, its own
initial weights (exactly those of ``GammaMLP(widths, γ^m, ..., seed=seed_m)``) and its own per-layer learning rates
α_m · :func:`gammanet.scaling.learning_rates` (widths, γ^m).  Parameters are stacked per layer::

    W^1: (M, N_1, d)    b^1: (M, N_1)          d = in_features (784)
    W^ℓ: (M, N_ℓ, N_{ℓ-1})   b^ℓ: (M, N_ℓ)      ℓ = 2..L
    C:   (M, K, N_L)    b^C: (M, K)            K = out_features (10)

and every member computes, on a batch of B inputs (shared x: (B, d), or one batch per member: (M, B, d)),
with s^m_ℓ = N_ℓ^{-γ^m_ℓ} and s the input scale::

    A^0 = s·x,   A^ℓ = s^m_ℓ σ(W^ℓ A^{ℓ-1} + b^ℓ)   (M, B, N_ℓ),     logits = C A^L + b^C   (M, B, K)

Training is plain SGD on each member's own batch-mean loss, with the semantics of :func:`gammanet.train.fit`.
The backward pass is written by hand, top-down: for each layer, dZ^ℓ is propagated through W^ℓ before W^ℓ changes,
then the update is fused into one batched GEMM, W^ℓ += uᵀ A^{ℓ-1} with u = -(α_m rate_ℓ / B) dZ^ℓ: (M, B, N_ℓ),
and b^ℓ += Σ_batch u (skipped when the members have no biases, ``bias=False``: b^ℓ stays zero).  Members never
mix: every output element of every GEMM belongs to one member.  A member whose loss turns NaN/inf is frozen: its u
and its layer inputs are zeroed (a NaN-proof select), so its parameters stay exactly as they were and nothing of it
reaches the others.

**Design, chosen by measurement** (2-core AMD EPYC, torch 2.14 CPU, 2 threads, the authors' MLP3 784-100-100-100-10,
batch 20, 27 members; model-steps/s from ``benchmarks/bench_grid.py --alternatives``, machine quiet)::

    torch.func: stack_module_state + vmap(grad(loss)), then an SGD update        5,000
    the same stacked bmm forward + autograd, then an SGD update                  4,800
    hand-written backward, layer 1 as ONE (B, d) @ (d, M·N_1) GEMM              11,300
    hand-written backward, layer 1 as M GEMMs (B, d) @ (d, N_1)   (this one)    12,700

The hand-written step wins because it fuses each update into its GEMM (autograd and vmap write every gradient out
and read it again in the optimizer: 8.5 MB per step for W^1 at M = 27), skips the input gradient of layer 1, and
keeps the small element-wise work cheap: preallocated buffers (on the CPU a fresh (M, B, N) tensor per op costs
more than the op, as glibc hands such blocks back to the OS at every free), a bitwise AND instead of
``torch.where`` for the mask (5x cheaper), the softmax in a (M, K, B) layout (7x faster than over a last axis of
10 classes).  With a shared data order the first layer could be one large GEMM, but at B = 20 rows that shape runs
at 105 GFLOP/s against 140 for M per-member GEMMs (x broadcast, no copy), so training uses ``bmm``; evaluation,
with thousands of shared rows, uses the single GEMM.  The same code runs on CUDA (device from
:func:`gammanet.train.resolve_device`); the only host syncs are once per epoch.

**Seeds**.  Member m's initial weights are fixed by its init seed (``GammaMLP(seed=...)``: the same draw for every
γ, so a grid ``seeds × gamma_grid`` uses common random numbers).  The data order of epoch e is
:func:`gammanet.train.data_order` (n, e, data seed, shuffle), with data seed = ``data_seed`` for every member
(``data_order="shared"``, the authors' setting when ``shuffle=False``) or = the member's init seed
(``data_order="per_member"``, what ``fit(model, data, seed=init_seed)`` does).  Hence member m equals
``fit(GammaMLP(widths, γ^m, seed=seed_m), data, seed=<its data seed>, alpha=α_m)``: same rows, same final
parameters, up to float32 rounding, since the batched GEMMs and the fused update sum in another order.  Measured
at 784-100-100-100-10 after 300 steps: losses within 3e-7 relative, parameters within 1e-5 of their largest
entry (the tests assert 1e-5; an exploding, diverging trajectory amplifies the difference).

**Divergence** (as in ``fit``): if member m's training loss at step k is NaN/inf, that step is not applied, m is
frozen, and its history ends with a row (epoch, step=k, t=k/N_L, train_loss=<that value>, NaNs, "diverged").
The step k and the value are recorded on the device, so the fast path syncs with the host once per epoch.  If the
evaluation after an epoch gives a non-finite training loss, that row is marked "diverged" and m stops.
"""

from __future__ import annotations

import math
from typing import Callable, Optional, Sequence, Union

import pandas as pd
import torch

from . import network
from .data import MNISTData
from .memory import check_memory, training_bytes
from .model import GammaMLP, stack_models
from .network import GEMM_MIN_ROWS
from .presets import Preset, get_preset
from .scaling import layer_names, learning_rates, validate_widths
from .train import HISTORY_COLUMNS, LOSSES, batch_slices, loss_function, loss_input, resolve_device
from .train import data_order as epoch_permutation
from .validation import (
    check_bool,
    check_choice,
    check_gamma_grid,
    check_int,
    check_nonnegative_int,
    check_positive_float,
    check_positive_int,
    check_seed,
    check_seeds,
    check_sequence,
    is_real,
)

DATA_ORDERS = ("shared", "per_member")
#: Largest number of activations (M × chunk × width) held at once by :meth:`Ensemble.evaluate`.
EVAL_BUDGET = 1 << 24
#: The chunk ``fit``'s evaluation uses; we use the same one when memory allows, so the sums match closely.
FIT_EVAL_CHUNK = 10_000


class Ensemble:
    """M γ-scaled MLPs of the same widths, stacked per layer and trained together (see the module docstring).

    Build it from a list of :class:`~gammanet.model.GammaMLP` (:meth:`from_models`) or directly from
    ``gammas`` (one γ-tuple, preset or number per member) and ``seeds`` (one init seed per member).  ``alpha`` is
    one number or one per member.  Attributes: ``widths``, ``gammas`` (M tuples), ``seeds``, ``alphas``,
    ``rates`` (M, L+1) = α_m × the theory's rates in layer order ``W1..WL, C``, ``active`` (M,) bool,
    ``steps`` (SGD steps taken by the ensemble), ``diverged_step`` (M,) (-1 while finite) and ``diverged_loss``.
    """

    def __init__(
        self,
        widths: Sequence[int],
        gammas: Sequence,
        seeds: Sequence[int],
        alpha=1.0,
        *,
        in_features: int = 784,
        out_features: int = 10,
        activation: str = "sigmoid",
        readout: str = "centered",
        input_scale: float = 1.0,
        device=None,
        bias: bool = True,
        init: str = "weights_first",
    ):
        widths = validate_widths(widths)
        gammas = check_sequence("gammas", gammas, "one γ-configuration per member")
        seeds = [
            check_seed(f"seeds[{m}]", s)
            for m, s in enumerate(check_sequence("seeds", seeds, "one init seed per member"))
        ]
        if len(gammas) != len(seeds):
            raise ValueError(f"got {len(gammas)} gammas and {len(seeds)} seeds; give one init seed per member")
        in_features = check_positive_int("in_features", in_features)
        check_memory(
            training_bytes(
                widths,
                in_features,
                check_positive_int("out_features", out_features),
                len(seeds),
                eval_chunk=eval_chunk(len(seeds), widths, in_features),
            ),
            resolve_device(device),
            f"an ensemble of {len(seeds)} members of widths {widths}",
        )
        models = [
            GammaMLP(
                widths, g, in_features, out_features, activation, readout, input_scale, seed=s, bias=bias, init=init
            )
            for g, s in zip(gammas, seeds)
        ]
        self._stack(models, alpha, device)

    @classmethod
    def from_models(cls, models: Sequence[GammaMLP], alpha=1.0, device=None) -> "Ensemble":
        """Stack copies of ``models`` (same widths, features, activation and input scale; any γ's)."""
        self = cls.__new__(cls)
        self._stack(list(models), alpha, device)
        return self

    # ------------------------------------------------------------------------------------------------ building
    def _stack(self, models: list, alpha, device) -> None:
        if not models:
            raise ValueError("an ensemble needs at least one member; got no models")
        first = models[0]
        for m, model in enumerate(models):
            if not isinstance(model, GammaMLP):
                raise ValueError(f"member {m} is a {type(model).__name__}; an Ensemble stacks GammaMLP models")
            for attr in ("widths", "in_features", "out_features", "activation", "input_scale", "bias"):
                if getattr(model, attr) != getattr(first, attr):
                    raise ValueError(
                        f"member {m} has {attr}={getattr(model, attr)!r} but member 0 has "
                        f"{getattr(first, attr)!r}; all members must share it"
                    )
        M = len(models)
        if is_real(alpha):
            alphas = (check_positive_float("alpha", alpha),) * M
        else:
            alpha = check_sequence("alpha", alpha, "a positive finite number or one per member")
            if len(alpha) != M:
                raise ValueError(f"alpha has {len(alpha)} entries for {M} members; give one number or one per member")
            alphas = tuple(check_positive_float(f"alpha[{m}]", a) for m, a in enumerate(alpha))

        self.device = resolve_device(device)
        self.widths, self.depth = first.widths, first.depth
        self.in_features, self.out_features = first.in_features, first.out_features
        self.activation, self.input_scale, self.readout_init = first.activation, first.input_scale, first.readout_init
        self.bias = first.bias
        self.gammas = [tuple(model.gammas) for model in models]
        self.seeds = [model.seed for model in models]
        self.readouts = [model.readout_init for model in models]
        self.inits = [model.init_order for model in models]
        self.alphas = alphas
        names = layer_names(self.depth)
        dev = self.device
        # The members' parameters in the one stacked container of gammanet.network (copies, on the device).
        # Without biases the stacked b^ℓ are zeros that are never updated: one code path for both.
        self.params = stack_models(models, dtype=torch.float32).to(dev)
        self.weights = [w.contiguous() for w in self.params.weights]
        self.biases = [b.contiguous() for b in self.params.biases]
        rates = [[a * learning_rates(self.widths, g)[n] for n in names] for g, a in zip(self.gammas, alphas)]
        self.rates = torch.tensor(rates, dtype=torch.float32, device=dev)  # (M, L+1)
        self.scales = torch.tensor([list(model.scales) for model in models], dtype=torch.float32, device=dev)
        self._scales = [self.scales[:, i].view(M, 1, 1).contiguous() for i in range(self.depth)]  # s_ℓ per member
        self._minus_one = torch.full((1, 1, 1), -1.0, device=dev)
        self._workspaces: dict = {}  # batch size → buffers of the step (see _workspace)
        self.active = torch.ones(M, dtype=torch.bool, device=dev)
        self.diverged_step = torch.full((M,), -1, dtype=torch.int64, device=dev)
        self.diverged_loss = torch.full((M,), math.nan, dtype=torch.float32, device=dev)
        self.steps = 0

    def __len__(self) -> int:
        return len(self.gammas)

    @property
    def n_members(self) -> int:
        return len(self.gammas)

    def __repr__(self) -> str:
        return (
            f"Ensemble({self.n_members} members, widths={self.widths}, activation={self.activation!r}, "
            f"device={self.device}, steps={self.steps})"
        )

    # ------------------------------------------------------------------------------------------------- forward
    def _first_layer(self, x: torch.Tensor, out: Optional[torch.Tensor] = None) -> torch.Tensor:
        """W^1 (s·x) + b^1 for every member, shape (M, B, N_1); x is (B, d) (shared) or (M, B, d)."""
        W1, b1 = self.weights[0], self.biases[0]
        M, N1 = W1.shape[:2]
        if x.dim() == 2 and x.shape[0] >= GEMM_MIN_ROWS:
            # Many shared rows: ONE GEMM (B, d) @ (d, M·N_1), as in the forward pass (gammanet.network.affine).
            return network.affine(x, W1, b1)
        # Few rows (training, B = 20): one (B, d) @ (d, N_1) GEMM per member beats the single skinny GEMM.
        x = x.expand(M, -1, -1) if x.dim() == 2 else x
        return torch.baddbmm(b1.unsqueeze(1), x, W1.transpose(1, 2), out=out)

    def _hidden(self, x: torch.Tensor, work: Optional[dict] = None):
        """The scaled layer inputs A^0..A^L (A^0 = s·x; A^ℓ = s_ℓ H^ℓ, (M, B, N_ℓ)) and the activations
        H^1..H^L (kept for σ' in the backward pass); written into ``work``'s buffers if given."""
        if self.input_scale != 1.0:
            x = self.input_scale * x
        acts, hs = [x], []
        for ell in range(self.depth):
            h_out, a_out = (work["H"][ell], work["A"][ell]) if work else (None, None)
            z = (
                self._first_layer(x, out=h_out)
                if ell == 0
                else torch.baddbmm(
                    self.biases[ell].unsqueeze(1), acts[-1], self.weights[ell].transpose(1, 2), out=h_out
                )
            )
            h = z.sigmoid_() if self.activation == "sigmoid" else z.tanh_()
            hs.append(h)
            acts.append(torch.mul(h, self._scales[ell], out=a_out))
        return acts, hs

    def _workspace(self, B: int) -> dict:
        """Buffers for one step at batch size B, made once: fresh (M, B, N) tensors at every step would cost
        more than the arithmetic on them (on the CPU, glibc returns such blocks to the OS at each free)."""
        if B not in self._workspaces:
            M, dev = self.n_members, self.device
            self._workspaces[B] = {
                key: [torch.empty(M, B, n, device=dev) for n in self.widths] for key in ("H", "A", "D", "U")
            }
            self._workspaces[B]["coef"] = [
                (-self.rates[:, i] / B).view(M, 1, 1).contiguous() for i in range(self.depth + 1)
            ]
        return self._workspaces[B]

    @torch.no_grad()
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of every member, shape (M, B, K), for x of shape (B, d) (or (B, 1, 28, 28)) or (M, B, d): the one
        forward pass of :func:`gammanet.network.forward` with each member's own factors N_ℓ^{-γ^m_ℓ}."""
        return network.forward(
            x.to(self.device, torch.float32), self.weights, self.biases, self._scales, self.activation, self.input_scale
        )

    __call__ = forward

    # ---------------------------------------------------------------------------------------------------- step
    @torch.no_grad()
    def step(self, x: torch.Tensor, y: torch.Tensor, loss: str = "ce", output: str = "logits") -> torch.Tensor:
        """One SGD step of every active member on its own batch-mean loss; returns the losses (M,) (no host sync).

        ``x``: (B, d) and ``y``: (B,) shared by all members, or (M, B, d) and (M, B).  ``loss``, ``output``: as in
        :func:`gammanet.train.fit` (``output="authors"``: MSE on log-probabilities from depth 2 on).  A member
        whose loss is NaN/inf is not updated and becomes inactive; ``diverged_step``/``diverged_loss`` record when
        and what.  The logits are those of :meth:`forward` (tested equal), computed into reused buffers.
        """
        output = loss_input(output, self.depth)
        M, B, K, L = self.n_members, x.shape[-2], self.out_features, self.depth
        work = self._workspace(B)
        acts, hs = self._hidden(x, work)
        y = (y.expand(M, B) if y.dim() == 1 else y).unsqueeze(1)  # (M, 1, B)
        # The readout in the (M, K, B) layout: PyTorch's softmax over an axis of 10 classes is ~7x faster when it
        # is not the last axis, and at M = 27, B = 20 that is 4% of the step.
        logits = torch.baddbmm(self.biases[L].unsqueeze(2), self.weights[L], acts[L].transpose(1, 2))
        if loss == "ce":
            # train.loss_function("ce") along the class axis 1: the per-member batch mean of -log p(y).
            log_p = torch.log_softmax(logits, dim=1)
            value = -log_p.gather(1, y).squeeze(1).mean(-1)  # (M,)
            dz = log_p.exp_()  # softmax
            dz.scatter_add_(1, y, self._minus_one.expand(M, 1, B))  # - onehot
        elif output == "logits":
            value = loss_function(loss)(logits.transpose(1, 2), y.squeeze(1))
            dz = logits * (2.0 / K)  # (logits - onehot)·2/K
            dz.scatter_add_(1, y, self._minus_one.expand(M, 1, B) * (2.0 / K))
        else:
            # MSE on o = log_softmax(z): with r = o - onehot, dL/dz_j = (2/K)(r_j - p_j Σ_k r_k) (times 1/B).
            log_p = torch.log_softmax(logits, dim=1)
            r = log_p.scatter_add(1, y, self._minus_one.expand(M, 1, B))  # o - onehot
            value = (r * r).mean(dim=(1, 2))
            dz = (r - log_p.exp_() * r.sum(1, keepdim=True)) * (2.0 / K)
        dz = dz.transpose(1, 2)  # (M, B, K): dL/dlogits without the 1/B, which is in coef_ℓ = -rate_ℓ/B
        self.steps += 1
        bad = ~torch.isfinite(value) & self.active
        self.diverged_step = torch.where(bad, self.steps, self.diverged_step)
        self.diverged_loss = torch.where(bad, value, self.diverged_loss)
        self.active &= ~bad
        # A NaN-proof select that costs a fifth of torch.where: AND the float32 bits with ~0 (active: unchanged)
        # or 0 (frozen: +0.0, even where the value is NaN or inf).
        keep_bits = self.active.to(torch.int32).neg_().view(M, 1, 1)

        # Top-down: back-propagate through W^ℓ before it changes, then W^ℓ += uᵀ A^{ℓ-1}, b^ℓ += Σ_batch u,
        # with u = -rate_ℓ dZ^ℓ / B, zero for frozen members.
        for ell in range(L, -1, -1):
            u = torch.mul(dz, work["coef"][ell], out=work["U"][ell] if ell < L else None)  # (M, B, N_out)
            u.view(torch.int32).bitwise_and_(keep_bits)
            if ell > 0:
                a_in, h = acts[ell], hs[ell - 1]
                dz = torch.bmm(dz, self.weights[ell], out=work["D"][ell - 1])  # dL/dA^ell
                # σ'(Z)·s = s·h(1-h) = A - A·h (sigmoid) or s(1 - h²) = s - A·h (tanh), then the chain rule.
                dz *= torch.addcmul(
                    a_in if self.activation == "sigmoid" else self._scales[ell - 1], a_in, h, value=-1.0, out=h
                )
                # A frozen member's activations may be NaN, and 0·NaN = NaN would reach its weights.
                a_in.view(torch.int32).bitwise_and_(keep_bits)
            else:
                a_in = acts[0].expand(M, -1, -1) if acts[0].dim() == 2 else acts[0]
            if self.bias:
                self.biases[ell] += u.sum(1)
            self.weights[ell].baddbmm_(u.transpose(1, 2), a_in)
        return value

    # ------------------------------------------------------------------------------------------------ evaluate
    @torch.no_grad()
    def evaluate(
        self, x: torch.Tensor, y: torch.Tensor, loss: str = "ce", chunk: Optional[int] = None, output: str = "logits"
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean loss and accuracy of every member on (x, y) (shared by all), as float64 tensors (M,), (M,).

        Computed in chunks of at most ``chunk`` examples (default: fit's 10,000, less when M × chunk × width
        would exceed ``EVAL_BUDGET`` activations).  ``output``: as in :meth:`step`.
        """
        fn = loss_function(loss, loss_input(output, self.depth))
        M, n = self.n_members, x.shape[0]
        if chunk is None:
            chunk = eval_chunk(M, self.widths, self.in_features)
        total = torch.zeros(M, dtype=torch.float64, device=self.device)
        correct = torch.zeros(M, dtype=torch.int64, device=self.device)
        for i in range(0, n, chunk):
            xx, yy = x[i : i + chunk].to(self.device), y[i : i + chunk].to(self.device)
            logits = self.forward(xx)
            total += fn(logits, yy.expand(M, -1)).double() * yy.shape[0]
            correct += (logits.argmax(-1) == yy).sum(-1)
        return total / n, correct.double() / n

    # --------------------------------------------------------------------------------------- state and members
    def freeze(self, members) -> None:
        """Stop updating the given members (indices or an (M,) bool mask)."""
        mask = torch.zeros(self.n_members, dtype=torch.bool, device=self.device)
        mask[torch.as_tensor(members, device=self.device)] = True
        self.active &= ~mask

    def state_dict(self) -> dict:
        """Parameters (``"W1.weight"``, ``"W1.bias"``, ..., ``"C.bias"``, stacked over members), the divergence
        state and the step count, as clones; plus ``"meta"`` (widths, γ's, seeds, alphas) to check a reload."""
        state: dict = {}
        for name, w, b in zip(layer_names(self.depth), self.weights, self.biases):
            state[f"{name}.weight"], state[f"{name}.bias"] = w.clone(), b.clone()
        state.update(
            active=self.active.clone(),
            diverged_step=self.diverged_step.clone(),
            diverged_loss=self.diverged_loss.clone(),
            steps=self.steps,
            meta=self._meta(),
        )
        return state

    def _meta(self) -> dict:
        return dict(
            widths=list(self.widths),
            gammas=[list(g) for g in self.gammas],
            seeds=list(self.seeds),
            alphas=list(self.alphas),
            activation=self.activation,
            input_scale=self.input_scale,
            in_features=self.in_features,
            out_features=self.out_features,
            bias=self.bias,
        )

    def load_state_dict(self, state: dict) -> None:
        """Restore a :meth:`state_dict` taken from an ensemble with the same members (checked)."""
        if state.get("meta") != self._meta():
            raise ValueError(
                f"this state belongs to another ensemble: its meta {state.get('meta')!r} differs "
                f"from this ensemble's {self._meta()!r}"
            )
        with torch.no_grad():
            for name, w, b in zip(layer_names(self.depth), self.weights, self.biases):
                w.copy_(state[f"{name}.weight"])
                b.copy_(state[f"{name}.bias"])
            self.active.copy_(state["active"])
            self.diverged_step.copy_(state["diverged_step"])
            self.diverged_loss.copy_(state["diverged_loss"])
        self.steps = int(state["steps"])

    def member_model(self, m: int) -> GammaMLP:
        """A :class:`GammaMLP` (on this ensemble's device) carrying member m's current parameters."""
        try:
            m = check_int("member", m, 0, self.n_members - 1)
        except ValueError:
            raise ValueError(f"member {m!r} does not exist; members are 0..{self.n_members - 1}") from None
        model = GammaMLP(
            self.widths,
            self.gammas[m],
            self.in_features,
            self.out_features,
            self.activation,
            self.readouts[m],
            self.input_scale,
            seed=self.seeds[m],
            bias=self.bias,
            init=self.inits[m],
        ).to(self.device)
        with torch.no_grad():
            for i, layer in enumerate(model.layers().values()):
                layer.weight.copy_(self.weights[i][m])
                if self.bias:
                    layer.bias.copy_(self.biases[i][m])
        return model


def eval_chunk(members: int, widths: Sequence[int], in_features: int) -> int:
    """The examples :meth:`Ensemble.evaluate` takes at once: fit's chunk, less when M × chunk × width would exceed
    ``EVAL_BUDGET`` activations."""
    return max(1, min(FIT_EVAL_CHUNK, EVAL_BUDGET // (members * max(tuple(widths) + (in_features,)))))


def resolve_settings(preset: Union[str, Preset, None] = "default", **overrides) -> dict:
    """The training settings of ``preset`` (a name of :data:`gammanet.presets.PRESETS` or a :class:`Preset`) with
    ``overrides`` applied: a dict with every key of :meth:`Preset.settings` (``alpha`` may be one per member)."""
    p = get_preset("default" if preset is None else preset) if not isinstance(preset, Preset) else preset
    settings = p.settings()
    unknown = sorted(set(overrides) - set(settings))
    if unknown:
        raise ValueError(f"train_grid got unknown setting(s) {unknown}; a preset's settings are {sorted(settings)}")
    settings.update(overrides)
    return settings


def train_grid(
    widths: Sequence[int],
    gamma_grid: Sequence,
    seeds: Union[int, Sequence[int]],
    data: MNISTData,
    epochs: int,
    preset: Union[str, Preset, None] = "default",
    *,
    progress: bool = True,
    device: Union[str, torch.device, None] = None,
    data_order: str = "shared",
    data_seed: int = 0,
    out_features: int = 10,
    start_epoch: int = 0,
    initial_state: Optional[dict] = None,
    on_epoch_end: Optional[Callable[[int, Ensemble, list], None]] = None,
    **settings,
) -> pd.DataFrame:
    """Train every (γ, seed) pair of ``gamma_grid`` × ``seeds`` as one :class:`Ensemble`; one tidy DataFrame.

    How to train is the training ``preset`` (a name or a :class:`gammanet.presets.Preset`; default: the library's
    defaults, ``"default"``), with any of its settings overridden by keyword: ``activation``, ``readout``,
    ``init``, ``input_scale``, ``bias`` (the networks), ``alpha``, ``batch_size``, ``shuffle``, ``loss``, ``output``
    (the SGD of :func:`gammanet.train.fit`)::

        train_grid(widths, grid, seeds, data, epochs, preset="fast", alpha=3.0, bias=False)

    Members are numbered γ-major: member = i_γ · len(seeds) + i_seed.  ``alpha`` is one number or one per
    member.  ``data_order="shared"``: every member sees epoch e's permutation ``data_order(n, e, data_seed,
    shuffle)``; ``"per_member"``: member m uses its init seed as data seed (as ``fit(model, data,
    seed=init_seed)``).  With ``shuffle=False`` the order is 0..n-1 every epoch either way (the authors').
    ``bias=False``: networks without biases (the papers' equations).

    Returns ``fit``'s history columns plus ``member, seed, gamma_1..gamma_L, alpha`` (one row per member and
    epoch, epoch 0 = initialization, sorted by member then epoch); the configuration, seeds and preset included, is
    in ``df.attrs["config"]``.

    Resuming: ``on_epoch_end(epoch, ensemble, rows)`` is called once the rows (a list of dicts) of each epoch are
    made, epoch 0 included; save ``ensemble.state_dict()`` there.  Pass the state saved after epoch
    ``start_epoch`` as ``initial_state``: the run then trains epochs ``start_epoch+1..epochs`` and returns only
    their rows, equal to those of an uninterrupted run (the data order depends only on (seed, epoch)).
    """
    chosen = resolve_settings(preset, **settings)
    batch_size, loss, alpha, shuffle = chosen["batch_size"], chosen["loss"], chosen["alpha"], chosen["shuffle"]
    widths = validate_widths(widths)
    grid, seed_list = check_gamma_grid("gamma_grid", gamma_grid, len(widths)), check_seeds("seeds", seeds)
    epochs = check_nonnegative_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    start_epoch = check_nonnegative_int("start_epoch", start_epoch)
    check_choice("loss", loss, LOSSES)
    check_choice("data_order", data_order, DATA_ORDERS)
    data_seed = check_seed("data_seed", data_seed)
    shuffle = check_bool("shuffle", shuffle)
    out_features = check_positive_int("out_features", out_features)
    if not isinstance(data, MNISTData):
        raise ValueError(f"data must be an MNISTData (see gammanet.load_mnist); got {type(data).__name__}")
    data.check_labels(out_features)
    if batch_size > data.n_train:
        raise ValueError(f"batch_size={batch_size} is not allowed; it exceeds the {data.n_train} training examples")
    if start_epoch > epochs:
        raise ValueError(f"start_epoch={start_epoch} is not allowed; it exceeds epochs={epochs}")
    if on_epoch_end is not None and not callable(on_epoch_end):
        raise ValueError(f"on_epoch_end={on_epoch_end!r} is not allowed; give a function (epoch, ensemble, rows)")
    if start_epoch > 0 and initial_state is None:
        raise ValueError(f"start_epoch={start_epoch} needs initial_state, the state saved after that epoch")

    dev = resolve_device(device)
    M, d = len(grid) * len(seed_list), data.x_train.shape[1]
    check_memory(
        training_bytes(widths, d, out_features, M, batch_size, eval_chunk(M, widths, d)),
        dev,
        f"training {M} members of widths {widths} together",
    )
    data = data.to(dev)
    members = [(g, s) for g in grid for s in seed_list]
    ens = Ensemble(
        widths,
        [g for g, _ in members],
        [s for _, s in members],
        alpha,
        in_features=data.x_train.shape[1],
        out_features=out_features,
        activation=chosen["activation"],
        readout=chosen["readout"],
        input_scale=chosen["input_scale"],
        device=dev,
        bias=chosen["bias"],
        init=chosen["init"],
    )
    output = loss_input(chosen["output"], len(widths))
    M, n_last = ens.n_members, widths[-1]
    slices = batch_slices(data.n_train, batch_size)
    if initial_state is not None:
        ens.load_state_dict(initial_state)
        if ens.steps != start_epoch * len(slices):
            raise ValueError(
                f"initial_state has {ens.steps} steps, but start_epoch={start_epoch} × "
                f"{len(slices)} batches = {start_epoch * len(slices)}: not the state after that epoch"
            )
    # Data seeds per member.  When all members share one, each step gathers ONE batch (B, d) and broadcasts it.
    data_seeds = [data_seed] * M if data_order == "shared" else [s for _, s in members]
    distinct = sorted(set(data_seeds)) if shuffle else [data_seed]
    which = torch.tensor([distinct.index(s) if shuffle else 0 for s in data_seeds], device=dev)

    per_member = {
        m: dict(member=m, seed=s, **{f"gamma_{i + 1}": g_i for i, g_i in enumerate(g)}, alpha=ens.alphas[m])
        for m, (g, s) in enumerate(members)
    }
    rows: list[dict] = []

    def evaluate_rows(epoch: int, members_now: list[int]) -> list[dict]:
        tr_loss, tr_acc = (v.tolist() for v in ens.evaluate(data.x_train, data.y_train, loss, output=output))
        te_loss, te_acc = (v.tolist() for v in ens.evaluate(data.x_test, data.y_test, loss, output=output))
        step = ens.steps
        return [
            dict(
                per_member[m],
                epoch=epoch,
                step=step,
                t=step / n_last,
                train_loss=tr_loss[m],
                train_accuracy=tr_acc[m],
                test_loss=te_loss[m],
                test_accuracy=te_acc[m],
                status="ok",
            )
            for m in members_now
        ]

    if start_epoch == 0:
        rows += evaluate_rows(0, list(range(M)))
        if on_epoch_end is not None:
            on_epoch_end(0, ens, list(rows))
    from tqdm.auto import tqdm

    bar = tqdm(
        total=(epochs - start_epoch) * len(slices), unit="step", disable=not progress, desc=f"{M} members N={widths}"
    )
    x_train, y_train, batches = data.x_train, data.y_train, {}

    def gather(idx: torch.Tensor) -> torch.Tensor:
        """x_train[idx] for idx (B,) or (M, B), into a buffer reused at every step (no allocation)."""
        if idx.shape not in batches:
            batches[idx.shape] = torch.empty(*idx.shape, x_train.shape[1], device=dev)
        out = batches[idx.shape]
        torch.index_select(x_train, 0, idx.reshape(-1), out=out.view(-1, x_train.shape[1]))
        return out

    for epoch in range(start_epoch + 1, epochs + 1):
        was_active = ens.active.tolist()
        if not any(was_active):
            break
        orders = torch.stack([epoch_permutation(data.n_train, epoch, s, shuffle, device=dev) for s in distinct])
        # One shared order: (B,) indices, one batch for all members; else (M, B), a batch per member.
        orders = orders[0] if len(distinct) == 1 else orders[which]
        for sl in slices:
            idx = orders[..., sl]
            ens.step(gather(idx), y_train[idx], loss, output)
        bar.update(len(slices))
        # Once per epoch: who diverged during it, then one batched evaluation for the others.
        still = ens.active.tolist()
        bad_step, bad_loss = ens.diverged_step.tolist(), ens.diverged_loss.tolist()
        epoch_rows = [
            dict(
                per_member[m],
                epoch=epoch,
                step=bad_step[m],
                t=bad_step[m] / n_last,
                train_loss=bad_loss[m],
                train_accuracy=math.nan,
                test_loss=math.nan,
                test_accuracy=math.nan,
                status="diverged",
            )
            for m in range(M)
            if was_active[m] and not still[m]
        ]
        ok_rows = evaluate_rows(epoch, [m for m in range(M) if still[m]])
        overflowed = [r["member"] for r in ok_rows if not math.isfinite(r["train_loss"])]
        for r in ok_rows:
            if r["member"] in overflowed:  # the last update overflowed the weights: as fit, mark and stop
                r["status"] = "diverged"
        if overflowed:
            ens.freeze(overflowed)
        epoch_rows = sorted(epoch_rows + ok_rows, key=lambda r: r["member"])
        rows += epoch_rows
        accuracies = [r["test_accuracy"] for r in ok_rows if r["status"] == "ok"]
        if accuracies:
            bar.set_postfix(active=f"{len(accuracies)}/{M}", best_test_acc=f"{max(accuracies):.3f}")
        if on_epoch_end is not None:
            on_epoch_end(epoch, ens, epoch_rows)
    bar.close()

    columns = ["member", "seed"] + [f"gamma_{i + 1}" for i in range(len(widths))] + ["alpha"] + HISTORY_COLUMNS
    df = pd.DataFrame(rows, columns=columns).sort_values(["member", "epoch"], kind="stable", ignore_index=True)
    df.attrs["config"] = dict(
        widths=list(widths),
        gamma_grid=[list(g) for g in grid],
        seeds=seed_list,
        epochs=epochs,
        batch_size=batch_size,
        loss=loss,
        alpha=list(ens.alphas),
        shuffle=bool(shuffle),
        device=str(dev),
        activation=chosen["activation"],
        readout=chosen["readout"],
        input_scale=float(chosen["input_scale"]),
        data_order=data_order,
        data_seed=data_seed,
        out_features=out_features,
        start_epoch=start_epoch,
        bias=bool(chosen["bias"]),
        init=chosen["init"],
        output=chosen["output"],
        preset=preset.name if isinstance(preset, Preset) else (preset or "default"),
        members=[
            dict(member=m, seed=s, gammas=list(g), alpha=ens.alphas[m], data_seed=data_seeds[m])
            for m, (g, s) in enumerate(members)
        ],
        data=dict(source=data.source, n_train=data.n_train, n_test=data.n_test),
    )
    return df
