"""V-pretraining, exactly as ../shared/docs/vpretraining.md specifies, in PyTorch.

Symbols: N counted positions of a batch, V vocabulary, C learner width, K = ``top_k``,
H = designer hidden width, D = C + 2(K+1) + 1 designer inputs, m_max = ``mass_max``.

Targets are kept sparse: per position an index matrix ``idx`` (N, K+1) — column 0 the true
token y_t, columns 1…K the alternatives a_1…a_K — and weights ``w`` (N, K+1), so
q_t = Σ_j w_tj·onehot(idx_tj). ``baseline`` is idx = y, w = 1 (one column). The learner loss
is (1/N) Σ_t −Σ_j w_tj log p_t(idx_tj); its logit gradient is (p_t·Σ_j w_tj − q_t)/N, i.e.
(p_t − q_t)/N.

The designer follows ``Sources/Training/Designer/TaskDesigner.swift`` feature for feature
(so the cross-engine test can compare them):

    x_t = [h_t ; ℓ(y_t), ℓ(a_1…K) ; ρ(y_t), ρ(a_1…K) ; H(p_t)/ln V],  ℓ(c) = max(ln p_t(c), −4 ln V)/ln V
    a_t = tanh(W1 x_t + b1);  o_t = W2 a_t + b2;  m_t = m_max σ(o_t0);  r_t = softmax(o_t1…K)
    q_t = (1 − m_t) onehot(y_t) + m_t Σ_j r_tj onehot(a_j)

All designer inputs are detached learner quantities. V = (1/N) Σ_t u_tᵀ(p_t − q_t) with u the
tangent of the logits along g_down (``tangent``); the designer ascends J = V + λ·mean H(r_t).
"""
from __future__ import annotations

import contextlib
import math
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

ARMS = ("baseline", "vpt", "uniform_topk", "self_distill", "random_feedback")
DESIGNER_ARMS = ("vpt", "random_feedback")


# ---------------------------------------------------------------------------------------------
# Candidates and targets
# ---------------------------------------------------------------------------------------------

def candidates(probs: torch.Tensor, y: torch.Tensor, K: int) -> torch.Tensor:
    """The K most probable tokens of each row of ``probs`` (N, V) other than y (N), in
    decreasing probability: (N, K). (Exact ties: torch.topk's order; the Swift engine breaks
    them to the lower id. Ties of float32 probabilities do not occur in practice.)"""
    p = probs.detach().clone()
    p.scatter_(1, y[:, None], -1.0)
    return torch.topk(p, K, dim=1).indices


def onehot_targets(y: torch.Tensor):
    """``baseline``: idx (N,1) = y, w = 1."""
    return y[:, None], torch.ones(y.shape[0], 1, dtype=torch.float32, device=y.device)


def control_targets(kind: str, probs: torch.Tensor, y: torch.Tensor, K: int, mass: float):
    """``uniform_topk`` and ``self_distill`` targets from the detached p (N, V): (idx, w)."""
    cand = candidates(probs, y, K)
    idx = torch.cat([y[:, None], cand], dim=1)
    N = y.shape[0]
    w = torch.zeros(N, K + 1, dtype=probs.dtype, device=probs.device)
    w[:, 0] = 1.0 - mass
    if mass > 0:
        if kind == "uniform_topk":
            w[:, 1:] = mass / K
        elif kind == "self_distill":
            pa = probs.detach().gather(1, cand)
            total = pa.sum(1, keepdim=True)
            w[:, 1:] = torch.where(total > 0, mass * pa / total.clamp_min(torch.finfo(pa.dtype).tiny),
                                   torch.full_like(pa, mass / K))
        else:
            raise ValueError(kind)
    return idx, w


def soft_ce(logits: torch.Tensor, idx: torch.Tensor, w: torch.Tensor, denom: float | int) -> torch.Tensor:
    """Σ_t −Σ_j w_tj log softmax(z_t)[idx_tj] / denom (log-softmax in float32, or float64 for
    float64 logits)."""
    logp = F.log_softmax(logits if logits.dtype == torch.float64 else logits.float(), dim=-1)
    return -(w.detach().to(logp.dtype) * logp.gather(1, idx)).sum() / denom


def dense_q(idx: torch.Tensor, w: torch.Tensor, V: int) -> torch.Tensor:
    """q (N, V) from the sparse (idx, w) (for tests and the probe)."""
    q = torch.zeros(idx.shape[0], V, dtype=w.dtype, device=w.device)
    return q.scatter_add(1, idx, w)


# ---------------------------------------------------------------------------------------------
# Designer
# ---------------------------------------------------------------------------------------------

def designer_features(probs: torch.Tensor, hidden: torch.Tensor, y: torch.Tensor, cand: torch.Tensor) -> torch.Tensor:
    """x_t (N, D) from detached p (N, V), h (N, C), y (N), candidates (N, K)."""
    p = probs.detach()
    V = p.shape[1]
    K = cand.shape[1]
    lnV = math.log(V)
    floor = -4.0 * lnV

    def scaled_log(t):
        return torch.clamp(torch.log(t), min=floor) / lnV

    py = p.gather(1, y[:, None])  # (N,1)
    pa = p.gather(1, cand)        # (N,K)
    precedes = (pa > py) | ((pa == py) & (cand < y[:, None]))
    j = torch.arange(K, device=p.device, dtype=p.dtype)[None]
    rank_a = (j + (~precedes).to(p.dtype)) / K
    rank_y = precedes.to(p.dtype).sum(1, keepdim=True) / K
    plogp = torch.where(p > 0, p * torch.log(torch.where(p > 0, p, torch.ones_like(p))), torch.zeros_like(p))
    entropy = -plogp.sum(1, keepdim=True) / lnV
    return torch.cat([hidden.detach().to(p.dtype), scaled_log(py), scaled_log(pa), rank_y, rank_a, entropy], dim=1)


class Designer(nn.Module):
    """The task designer φ: a one-hidden-layer MLP (parameter names as the Swift layout:
    ``fc`` = designer.fc.{w,b} (H, D), ``out`` = designer.out.{w,b} (K+1, H))."""

    def __init__(self, d_model: int, top_k: int, hidden: int, mass_max: float, entropy: float = 0.0,
                 seed: int = 0):
        super().__init__()
        self.K, self.H, self.mass_max, self.entropy = top_k, hidden, float(mass_max), float(entropy)
        self.D = d_model + 2 * (top_k + 1) + 1
        self.fc = nn.Linear(self.D, hidden)
        self.out = nn.Linear(hidden, top_k + 1)
        g = torch.Generator().manual_seed(int(seed) & 0x7FFF_FFFF_FFFF_FFFF)
        with torch.no_grad():
            # W1 ~ N(0, 1/D), W2 ~ N(0, 0.01/H), zero biases (the Swift designer's distribution).
            self.fc.weight.copy_(torch.randn(hidden, self.D, generator=g) / math.sqrt(self.D))
            self.out.weight.copy_(torch.randn(top_k + 1, hidden, generator=g) * (0.1 / math.sqrt(hidden)))
            self.fc.bias.zero_()
            self.out.bias.zero_()

    def forward(self, x: torch.Tensor):
        """x (N, D) → m (N), r (N, K), log r (N, K)."""
        a = torch.tanh(self.fc(x))
        o = self.out(a)
        m = self.mass_max * torch.sigmoid(o[:, 0])
        log_r = F.log_softmax(o[:, 1:], dim=1)
        return m, log_r.exp(), log_r

    def targets(self, probs, hidden, y):
        """(idx (N, K+1), w (N, K+1) with graph to φ, mean H(r)) for detached p, h and true y."""
        cand = candidates(probs, y, self.K)
        x = designer_features(probs, hidden, y, cand).to(self.fc.weight.dtype)
        m, r, log_r = self(x)
        idx = torch.cat([y[:, None], cand], dim=1)
        w = torch.cat([(1 - m)[:, None], m[:, None] * r], dim=1)
        mix_entropy = -(r * log_r).sum(1).mean() if y.shape[0] else r.sum() * 0
        return idx, w, mix_entropy


def alignment_value(u: torch.Tensor, probs: torch.Tensor, idx: torch.Tensor, w: torch.Tensor,
                    denom: float | int) -> torch.Tensor:
    """V = Σ_t u_tᵀ (p_t − q_t) / denom, differentiable in w (u, p constants)."""
    u = u.detach()
    up = (u * probs.detach().to(u.dtype)).sum(1)
    uq = (w.to(u.dtype) * u.gather(1, idx)).sum(1)
    return (up - uq).sum() / denom


# ---------------------------------------------------------------------------------------------
# The tangent u = J·g
# ---------------------------------------------------------------------------------------------

def _math_sdpa():
    """SDPA's fused kernels (flash, memory-efficient, cuDNN, CPU flash) have neither a
    forward-mode nor a double-backward formula; the MATH backend is composite and has both."""
    try:
        from torch.nn.attention import SDPBackend, sdpa_kernel
        return sdpa_kernel(SDPBackend.MATH)
    except ImportError:  # pragma: no cover - old torch
        return contextlib.nullcontext()


def tangent_forward(logits_of: Callable[[dict], torch.Tensor], params: dict, direction: dict) -> torch.Tensor:
    """u = J·g by forward-mode AD (``torch.func.jvp``): the logits' derivative along
    ``direction`` (name → tensor, same shapes as ``params``)."""
    names = list(direction)
    primals = tuple(params[n].detach() for n in names)
    tangents = tuple(direction[n].to(params[n].dtype) for n in names)

    def f(*ps):
        return logits_of(dict(zip(names, ps)))

    with _math_sdpa():
        _, u = torch.func.jvp(f, primals, tangents)
    return u


def tangent_double_backward(logits_of: Callable[[dict], torch.Tensor], params: dict, direction: dict) -> torch.Tensor:
    """u = J·g by two reverse passes: s(w) = gᵀ(Jᵀw) is linear in w, so ∂s/∂w = J·g."""
    names = list(direction)
    ps = {n: params[n].detach().requires_grad_(True) for n in names}
    with torch.enable_grad(), _math_sdpa():
        z = logits_of(ps)
        w = torch.zeros_like(z, requires_grad=True)
        jt = torch.autograd.grad(z, [ps[n] for n in names], grad_outputs=w, create_graph=True, allow_unused=True)
        s = sum((j * direction[n].to(j.dtype)).sum() for n, j in zip(names, jt) if j is not None)
        (u,) = torch.autograd.grad(s, w)
    return u


def head_tangent(hidden: torch.Tensor, g_weight: torch.Tensor, g_bias: torch.Tensor | None = None) -> torch.Tensor:
    """``align.params: head``: z = h·Wᵀ (+ b) is linear in the head, so u = h·g_Wᵀ (+ g_b),
    with h the final hidden state (the tangent through the head alone, not the tied embedding)."""
    u = hidden.detach().to(g_weight.dtype) @ g_weight.T
    return u if g_bias is None else u + g_bias
