#!/usr/bin/env python3
"""Independent float64 numpy reference of the vsweep GPT learner.

Implements, from the written model spec only (scripts/reference/README.md):
forward pass, soft-target masked cross-entropy, a hand-written backward pass
for every layer, global-norm clipping, AdamW (PyTorch semantics) and the
warmup+cosine learning-rate schedule. Fixtures are computed in float64 (the
functions keep their inputs' dtype, which --float32-estimate uses); no autograd.

Layers are pairs of free functions `<layer>_forward` / `<layer>_backward`.
A forward returns (output, cache); the matching backward takes the upstream
gradient and that cache and returns the input gradient plus parameter
gradients. Shapes are given in comments as (B, T, C) etc.

Usage:
    python3 scripts/reference/gpt_reference.py --check   # finite-difference self-check
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass

import numpy as np

LN_EPS = 1e-5
GELU_SCALE = math.sqrt(2.0 / math.pi)
GELU_CUBIC = 0.044715
FD_STEP = 1e-3  # finite-difference step of the self-check (fourth-order stencil)

# Only these parameter kinds (2-D Linear weights) receive weight decay.
DECAYED_SUFFIXES = ("attn.qkv.w", "attn.proj.w", "mlp.fc.w", "mlp.proj.w")


@dataclass(frozen=True)
class Config:
    vocab: int = 256
    d_model: int = 16
    n_layer: int = 2
    n_head: int = 2
    context: int = 8

    @property
    def head_size(self) -> int:
        return self.d_model // self.n_head


def param_layout(cfg: Config) -> list[tuple[str, tuple[int, ...]]]:
    """The canonical (name, shape) list, in canonical order."""
    C, V = cfg.d_model, cfg.vocab
    layout: list[tuple[str, tuple[int, ...]]] = [("wte", (V, C)), ("wpe", (cfg.context, C))]
    for l in range(cfg.n_layer):
        p = f"h{l}."
        layout += [
            (p + "ln1.w", (C,)), (p + "ln1.b", (C,)),
            (p + "attn.qkv.w", (3 * C, C)), (p + "attn.qkv.b", (3 * C,)),
            (p + "attn.proj.w", (C, C)), (p + "attn.proj.b", (C,)),
            (p + "ln2.w", (C,)), (p + "ln2.b", (C,)),
            (p + "mlp.fc.w", (4 * C, C)), (p + "mlp.fc.b", (4 * C,)),
            (p + "mlp.proj.w", (C, 4 * C)), (p + "mlp.proj.b", (C,)),
        ]
    layout += [("lnf.w", (C,)), ("lnf.b", (C,))]
    return layout


def is_decayed(name: str) -> bool:
    return name.endswith(DECAYED_SUFFIXES)


# --------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------

def encoder_forward(tokens, wte, wpe):
    """x[b,t] = wte[tokens[b,t]] + wpe[t].  tokens (B,T) -> x (B,T,C)."""
    T = tokens.shape[1]
    return wte[tokens] + wpe[None, :T, :], tokens


def encoder_backward(dx, cache, wte_shape, wpe_shape):
    tokens = cache
    T = tokens.shape[1]
    C = dx.shape[-1]
    dwte = np.zeros(wte_shape, dtype=dx.dtype)
    # Repeated tokens must accumulate, hence add.at rather than fancy assignment.
    np.add.at(dwte, tokens.reshape(-1), dx.reshape(-1, C))
    dwpe = np.zeros(wpe_shape, dtype=dx.dtype)
    dwpe[:T] = dx.sum(axis=0)
    return dwte, dwpe


def layernorm_forward(x, w, b):
    """y = (x - mean) / sqrt(var + eps) * w + b over the last axis, biased variance."""
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    rstd = 1.0 / np.sqrt(var + LN_EPS)
    xhat = (x - mean) * rstd
    return xhat * w + b, (xhat, rstd, w)


def layernorm_backward(dy, cache):
    """dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), dxhat = dy * w."""
    xhat, rstd, w = cache
    C = xhat.shape[-1]
    dw = (dy * xhat).reshape(-1, C).sum(axis=0)
    db = dy.reshape(-1, C).sum(axis=0)
    dxhat = dy * w
    dx = rstd * (dxhat
                 - dxhat.mean(axis=-1, keepdims=True)
                 - xhat * (dxhat * xhat).mean(axis=-1, keepdims=True))
    return dx, dw, db


def linear_forward(x, W, b):
    """y = x W^T + b;  x (..., in), W (out, in), b (out) or None."""
    y = x @ W.T
    if b is not None:
        y = y + b
    return y, (x, W)


def linear_backward(dy, cache):
    x, W = cache
    dx = dy @ W
    dW = dy.reshape(-1, dy.shape[-1]).T @ x.reshape(-1, x.shape[-1])
    db = dy.reshape(-1, dy.shape[-1]).sum(axis=0)
    return dx, dW, db


def attention_forward(qkv, n_head):
    """Causal multi-head attention.  qkv (B,T,3C) columns [q | k | v] -> out (B,T,C).

    (1) split q,k,v and heads: (B,NH,T,hs)
    (2) scores = q k^T / sqrt(hs), future positions (s > t) set to -inf
    (3) att = softmax over s
    (4) out = att v, heads concatenated in head order
    """
    B, T, C3 = qkv.shape
    C = C3 // 3
    hs = C // n_head
    scale = 1.0 / math.sqrt(hs)

    def heads(m):  # (B,T,C) -> (B,NH,T,hs)
        return m.reshape(B, T, n_head, hs).transpose(0, 2, 1, 3)

    q, k, v = heads(qkv[..., :C]), heads(qkv[..., C:2 * C]), heads(qkv[..., 2 * C:])  # (1)
    scores = (q @ k.transpose(0, 1, 3, 2)) * scale  # (2)
    future = np.triu(np.ones((T, T), dtype=bool), k=1)
    scores = np.where(future, -np.inf, scores)
    scores = scores - scores.max(axis=-1, keepdims=True)  # (3)
    att = np.exp(scores)
    att = att / att.sum(axis=-1, keepdims=True)
    out = att @ v  # (4)
    out = out.transpose(0, 2, 1, 3).reshape(B, T, C)
    return out, (q, k, v, att, scale)


def attention_backward(dout, cache):
    """Reverse of attention_forward's numbered passes; returns dqkv (B,T,3C)."""
    q, k, v, att, scale = cache
    B, NH, T, hs = q.shape
    C = NH * hs
    dout = dout.reshape(B, T, NH, hs).transpose(0, 2, 1, 3)  # undo (4)'s concat
    datt = dout @ v.transpose(0, 1, 3, 2)  # (4) out = att v
    dv = att.transpose(0, 1, 3, 2) @ dout
    # (3) softmax: dscores = att * (datt - sum_s att * datt); masked entries have att = 0.
    dscores = att * (datt - (att * datt).sum(axis=-1, keepdims=True))
    dq = (dscores @ k) * scale  # (2) scores = q k^T * scale
    dk = (dscores.transpose(0, 1, 3, 2) @ q) * scale

    def merge(m):  # (B,NH,T,hs) -> (B,T,C), undo (1)
        return m.transpose(0, 2, 1, 3).reshape(B, T, C)

    return np.concatenate([merge(dq), merge(dk), merge(dv)], axis=-1)


def gelu_forward(x):
    """0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    t = np.tanh(GELU_SCALE * (x + GELU_CUBIC * x ** 3))
    return 0.5 * x * (1.0 + t), (x, t)


def gelu_backward(dy, cache):
    """d/dx = 0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2)."""
    x, t = cache
    local = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_SCALE * (1.0 + 3.0 * GELU_CUBIC * x * x)
    return dy * local


def lm_head_forward(h, wte):
    """Tied head: logits = h wte^T, no bias.  h (B,T,C) -> (B,T,V)."""
    return h @ wte.T, (h, wte)


def lm_head_backward(dlogits, cache):
    h, wte = cache
    dh = dlogits @ wte
    dwte = dlogits.reshape(-1, dlogits.shape[-1]).T @ h.reshape(-1, h.shape[-1])
    return dh, dwte


def log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def soft_cross_entropy_forward(logits, q, mask):
    """loss = (1/N) sum_{unmasked t} -sum_v q_t(v) log p_t(v), N = #unmasked.

    logits, q (B,T,V); mask (B,T) with 1 = counted.  Returns (loss, cache).
    """
    logp = log_softmax(logits)
    m = mask.astype(logits.dtype)
    n = m.sum()
    if n == 0:
        raise ValueError("every position is masked: the loss is undefined")
    per_pos = -(q * logp).sum(axis=-1)
    return float((per_pos * m).sum() / n), (np.exp(logp), q, m, n)


def soft_cross_entropy_backward(cache):
    """dloss/dlogits_t = (p_t - q_t)/N for unmasked t, 0 for masked t (rows of q sum to 1)."""
    p, q, m, n = cache
    return (p - q) * (m[..., None] / n)


# --------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------

def forward(params, tokens, cfg: Config):
    """Returns logits (B,T,V) and the caches that backward walks in reverse."""
    B, T = tokens.shape
    if T > cfg.context:
        raise ValueError(f"sequence length {T} exceeds context {cfg.context}")
    caches = {}
    x, caches["encoder"] = encoder_forward(tokens, params["wte"], params["wpe"])
    for l in range(cfg.n_layer):
        p = f"h{l}."
        c = {}
        a, c["ln1"] = layernorm_forward(x, params[p + "ln1.w"], params[p + "ln1.b"])
        qkv, c["qkv"] = linear_forward(a, params[p + "attn.qkv.w"], params[p + "attn.qkv.b"])
        att, c["attn"] = attention_forward(qkv, cfg.n_head)
        y, c["proj"] = linear_forward(att, params[p + "attn.proj.w"], params[p + "attn.proj.b"])
        x = x + y
        mm, c["ln2"] = layernorm_forward(x, params[p + "ln2.w"], params[p + "ln2.b"])
        f, c["fc"] = linear_forward(mm, params[p + "mlp.fc.w"], params[p + "mlp.fc.b"])
        g, c["gelu"] = gelu_forward(f)
        y, c["mlp_proj"] = linear_forward(g, params[p + "mlp.proj.w"], params[p + "mlp.proj.b"])
        x = x + y
        caches[l] = c
    h, caches["lnf"] = layernorm_forward(x, params["lnf.w"], params["lnf.b"])
    logits, caches["head"] = lm_head_forward(h, params["wte"])
    return logits, caches


def backward(dlogits, caches, params, cfg: Config):
    """Gradients of every parameter, in canonical order, given dloss/dlogits."""
    grads = {name: np.zeros(shape, dtype=dlogits.dtype) for name, shape in param_layout(cfg)}
    dh, dwte_head = lm_head_backward(dlogits, caches["head"])
    grads["wte"] += dwte_head
    dx, grads["lnf.w"], grads["lnf.b"] = layernorm_backward(dh, caches["lnf"])
    for l in reversed(range(cfg.n_layer)):
        p = f"h{l}."
        c = caches[l]
        # x = x + mlp_proj(gelu(fc(ln2(x)))): the residual passes dx through unchanged.
        dg, grads[p + "mlp.proj.w"], grads[p + "mlp.proj.b"] = linear_backward(dx, c["mlp_proj"])
        df = gelu_backward(dg, c["gelu"])
        dmm, grads[p + "mlp.fc.w"], grads[p + "mlp.fc.b"] = linear_backward(df, c["fc"])
        dres, grads[p + "ln2.w"], grads[p + "ln2.b"] = layernorm_backward(dmm, c["ln2"])
        dx = dx + dres
        # x = x + proj(attn(qkv(ln1(x))))
        datt, grads[p + "attn.proj.w"], grads[p + "attn.proj.b"] = linear_backward(dx, c["proj"])
        dqkv = attention_backward(datt, c["attn"])
        da, grads[p + "attn.qkv.w"], grads[p + "attn.qkv.b"] = linear_backward(dqkv, c["qkv"])
        dres, grads[p + "ln1.w"], grads[p + "ln1.b"] = layernorm_backward(da, c["ln1"])
        dx = dx + dres
    dwte_enc, dwpe = encoder_backward(dx, caches["encoder"], params["wte"].shape, params["wpe"].shape)
    grads["wte"] += dwte_enc
    grads["wpe"] += dwpe
    return grads


def loss_only(params, tokens, q, mask, cfg: Config) -> float:
    logits, _ = forward(params, tokens, cfg)
    loss, _ = soft_cross_entropy_forward(logits, q, mask)
    return loss


def loss_and_grads(params, tokens, q, mask, cfg: Config):
    """Returns (loss, logits, grads) for soft targets q (B,T,V) and mask (B,T)."""
    logits, caches = forward(params, tokens, cfg)
    loss, ce_cache = soft_cross_entropy_forward(logits, q, mask)
    dlogits = soft_cross_entropy_backward(ce_cache)
    return loss, logits, backward(dlogits, caches, params, cfg)


def onehot_targets(targets, vocab):
    """targets (B,T) ints with -1 = masked -> (q (B,T,V), mask (B,T))."""
    targets = np.asarray(targets)
    mask = (targets >= 0).astype(np.int64)
    q = np.zeros(targets.shape + (vocab,))
    b, t = np.nonzero(mask)
    q[b, t, targets[b, t]] = 1.0
    return q, mask


# --------------------------------------------------------------------------
# Optimiser
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class AdamWHyper:
    lr: float
    beta1: float = 0.9
    beta2: float = 0.95
    eps: float = 1e-8
    weight_decay: float = 0.1
    clip: float = 1.0
    warmup: int = 0
    total: int = 1
    lr_min: float = 0.0


def lr_at(step: int, lr: float, warmup: int, total: int, lr_min: float) -> float:
    """0-based step s: linear warmup lr (s+1)/W for s < W, then cosine to lr_min at s = S."""
    if step < warmup:
        return lr * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return lr_min + 0.5 * (lr - lr_min) * (1.0 + math.cos(math.pi * min(1.0, progress)))


def global_norm(grads) -> float:
    return math.sqrt(sum(float((g * g).sum()) for g in grads.values()))


def clip_grads(grads, clip: float):
    """coef = min(1, clip / (total + 1e-6)); returns (clipped grads, total norm before clipping)."""
    total = global_norm(grads)
    if clip <= 0:
        return dict(grads), total
    coef = min(1.0, clip / (total + 1e-6))
    return {k: g * coef for k, g in grads.items()}, total


def adamw_step(params, grads, m, v, t: int, lr_t: float, hp: AdamWHyper):
    """One AdamW step, t 1-based. Returns new (params, m, v); inputs are not modified.

    p <- p - lr_t (mhat / (sqrt(vhat) + eps) + wd p), wd only on 2-D Linear weights.
    """
    new_p, new_m, new_v = {}, {}, {}
    for name, p in params.items():
        g = grads[name]
        mn = hp.beta1 * m[name] + (1.0 - hp.beta1) * g
        vn = hp.beta2 * v[name] + (1.0 - hp.beta2) * g * g
        mhat = mn / (1.0 - hp.beta1 ** t)
        vhat = vn / (1.0 - hp.beta2 ** t)
        wd = hp.weight_decay if is_decayed(name) else 0.0
        new_p[name] = p - lr_t * (mhat / (np.sqrt(vhat) + hp.eps) + wd * p)
        new_m[name], new_v[name] = mn, vn
    return new_p, new_m, new_v


def train_steps(params, tokens, q, mask, cfg: Config, hp: AdamWHyper, steps: int):
    """Runs `steps` AdamW steps from fresh moments; gradients recomputed at each step's params.

    Returns (params after, [grad norm before clipping per step], [lr per step], [clipped grads per step]).
    """
    m = {k: np.zeros_like(p) for k, p in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    norms, lrs, clipped_all = [], [], []
    for s in range(steps):
        _, _, grads = loss_and_grads(params, tokens, q, mask, cfg)
        clipped, total = clip_grads(grads, hp.clip)
        lr_t = lr_at(s, hp.lr, hp.warmup, hp.total, hp.lr_min)
        params, m, v = adamw_step(params, clipped, m, v, s + 1, lr_t, hp)
        norms.append(total)
        lrs.append(lr_t)
        clipped_all.append(clipped)
    return params, norms, lrs, clipped_all


# --------------------------------------------------------------------------
# Self-check
# --------------------------------------------------------------------------

def init_params(cfg: Config, seed: int):
    """Seeded weights, rounded to float32 and returned as float64.

    Matrices use std 0.2 and embeddings std 0.1 (larger than GPT-2's 0.02) so that
    attention is far from uniform and GELU is far from linear: every path then carries
    a gradient that a float32 engine comparison can resolve. LN weights are 1 + 0.1 N(0,1)
    and all biases (LN biases included) are 0.02 N(0,1), so no path is trivially zero.
    """
    rng = np.random.default_rng(seed)
    params = {}
    for name, shape in param_layout(cfg):
        if name in ("wte", "wpe"):
            x = 0.1 * rng.standard_normal(shape)
        elif name.endswith(".w") and len(shape) == 1:  # LayerNorm weight
            x = 1.0 + 0.1 * rng.standard_normal(shape)
        elif len(shape) == 2:
            x = 0.2 * rng.standard_normal(shape)
        else:  # biases
            x = 0.02 * rng.standard_normal(shape)
        params[name] = x.astype(np.float32).astype(np.float64)
    return params


def central_difference(f, h: float) -> float:
    """Fourth-order central difference from f(x + k h), k = -2, -1, 1, 2.

    Its truncation error is O(h^4), so h can be large enough (1e-3) that float64
    round-off in the loss (~1e-16 / h) stays far below 1e-10 of the gradient scale.
    """
    return (-f[2] + 8.0 * f[1] - 8.0 * f[-1] + f[-2]) / (12.0 * h)


def finite_difference_check(params, tokens, q, mask, cfg: Config, h: float, max_entries: int | None):
    """Worst error of the analytic gradient vs central differences, per tensor.

    Reports two measures per tensor: max |a - n| / max |a| (scale-relative) and the
    worst element-wise |a - n| / max(|a|, |n|) over entries with |a| > 1e-6 max |a|.
    """
    _, _, grads = loss_and_grads(params, tokens, q, mask, cfg)
    rng = np.random.default_rng(0)
    worst = {}
    for name, shape in param_layout(cfg):
        p = params[name]
        size = p.size
        idx = np.arange(size) if max_entries is None or size <= max_entries \
            else rng.choice(size, max_entries, replace=False)
        flat = p.reshape(-1)
        num = np.empty(len(idx))
        for j, i in enumerate(idx):
            old = flat[i]
            f = {}
            for k in (-2, -1, 1, 2):
                flat[i] = old + k * h
                f[k] = loss_only(params, tokens, q, mask, cfg)
            flat[i] = old
            num[j] = central_difference(f, h)
        ana = grads[name].reshape(-1)[idx]
        scale = np.abs(ana).max()
        scale_rel = np.abs(ana - num).max() / scale
        sel = np.abs(ana) > 1e-6 * scale
        elem_rel = (np.abs(ana - num)[sel] / np.maximum(np.abs(ana), np.abs(num))[sel]).max()
        worst[name] = (len(idx), size, scale, scale_rel, elem_rel)
    return worst


def dlogits_check(logits, q, mask, h: float):
    """Central differences of the loss w.r.t. every logit vs (p - q)/N (0 on masked rows)."""
    _, cache = soft_cross_entropy_forward(logits, q, mask)
    ana = soft_cross_entropy_backward(cache)
    p, _, m, n = cache
    formula = np.where(m[..., None] > 0, (p - q) / n, 0.0)
    num = np.empty(logits.size)
    flat = logits.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        f = {}
        for k in (-2, -1, 1, 2):
            flat[i] = old + k * h
            f[k], _ = soft_cross_entropy_forward(logits, q, mask)
        flat[i] = old
        num[i] = central_difference(f, h)
    num = num.reshape(logits.shape)
    masked_max = np.abs(num[m == 0]).max() if (m == 0).any() else 0.0
    return (np.abs(ana - formula).max(),
            np.abs(num - formula).max() / np.abs(formula).max(),
            masked_max)


def naive_logits(params, tokens, cfg: Config):
    """The forward pass again, position by position with explicit loops over heads and keys.

    A second reading of the spec that shares no reshape/transpose with `forward`, so a
    head-splitting or masking slip in the vectorised code shows up as a mismatch.
    """
    B, T = tokens.shape
    C, NH, hs = cfg.d_model, cfg.n_head, cfg.head_size

    def ln(x, w, b):
        mu = sum(x) / C
        var = sum((xi - mu) ** 2 for xi in x) / C
        return np.array([(x[i] - mu) / math.sqrt(var + LN_EPS) * w[i] + b[i] for i in range(C)])

    def lin(x, W, b):
        return np.array([sum(W[o, i] * x[i] for i in range(len(x))) + b[o] for o in range(W.shape[0])])

    def gelu(u):
        return 0.5 * u * (1.0 + math.tanh(math.sqrt(2.0 / math.pi) * (u + 0.044715 * u ** 3)))

    out = np.zeros((B, T, cfg.vocab))
    for b in range(B):
        xs = [params["wte"][tokens[b, t]] + params["wpe"][t] for t in range(T)]
        for l in range(cfg.n_layer):
            p = f"h{l}."
            qkv = [lin(ln(x, params[p + "ln1.w"], params[p + "ln1.b"]),
                       params[p + "attn.qkv.w"], params[p + "attn.qkv.b"]) for x in xs]
            ys = []
            for t in range(T):
                y = np.zeros(C)
                for h in range(NH):
                    cols = range(h * hs, (h + 1) * hs)
                    scores = [sum(qkv[t][c] * qkv[s][C + c] for c in cols) / math.sqrt(hs) for s in range(t + 1)]
                    top = max(scores)
                    e = [math.exp(z - top) for z in scores]
                    for s in range(t + 1):
                        for c in cols:
                            y[c] += e[s] / sum(e) * qkv[s][2 * C + c]
                ys.append(y)
            xs = [xs[t] + lin(ys[t], params[p + "attn.proj.w"], params[p + "attn.proj.b"]) for t in range(T)]
            for t in range(T):
                f = lin(ln(xs[t], params[p + "ln2.w"], params[p + "ln2.b"]), params[p + "mlp.fc.w"], params[p + "mlp.fc.b"])
                g = np.array([gelu(u) for u in f])
                xs[t] = xs[t] + lin(g, params[p + "mlp.proj.w"], params[p + "mlp.proj.b"])
        for t in range(T):
            hT = ln(xs[t], params["lnf.w"], params["lnf.b"])
            out[b, t] = [sum(hT[c] * params["wte"][v, c] for c in range(C)) for v in range(cfg.vocab)]
    return out


def causality_check(params, tokens, cfg: Config) -> float:
    """Changing the last token must leave every earlier position's logits unchanged."""
    logits, _ = forward(params, tokens, cfg)
    changed = tokens.copy()
    changed[:, -1] = (changed[:, -1] + 1) % cfg.vocab
    logits2, _ = forward(params, changed, cfg)
    later = np.abs(logits2[:, -1] - logits[:, -1]).max()
    if later == 0:
        raise AssertionError("changing the last token did not change its logits")
    return float(np.abs(logits2[:, :-1] - logits[:, :-1]).max())


def run_check(max_entries: int | None) -> int:
    # Imported here so make_fixtures can import this module without a cycle.
    from make_fixtures import FIXTURE_CONFIG, build_cases, PARAM_SEED
    cfg = FIXTURE_CONFIG
    params = init_params(cfg, PARAM_SEED)
    failures = 0
    for case in build_cases(cfg):
        name, tokens, q, mask = case["name"], case["tokens"], case["q"], case["mask"]
        print(f"== case {name}: B={tokens.shape[0]} T={tokens.shape[1]} unmasked={int(mask.sum())}")
        start = time.time()
        worst = finite_difference_check({k: p.copy() for k, p in params.items()},
                                        tokens, q, mask, cfg, h=FD_STEP, max_entries=max_entries)
        print(f"{'tensor':<18}{'checked':>12}{'max|g|':>12}{'scale-rel':>12}{'elem-rel':>12}")
        for tname, (checked, size, scale, srel, erel) in worst.items():
            flag = "" if srel < 1e-6 and erel < 1e-5 else "   <-- FAIL"
            failures += bool(flag)
            print(f"{tname:<18}{checked:>6}/{size:<5}{scale:>12.3e}{srel:>12.2e}{erel:>12.2e}{flag}")
        print(f"worst scale-rel over tensors: {max(w[3] for w in worst.values()):.2e}"
              f"  (finite differences took {time.time() - start:.1f}s)")
        # Adding a constant to every key leaves each softmax unchanged, so the key bias has
        # zero gradient analytically; the fixture's values there are float64 round-off.
        _, _, grads = loss_and_grads(params, tokens, q, mask, cfg)
        C = cfg.d_model
        kbias = max(float(np.abs(grads[f"h{l}.attn.qkv.b"][C:2 * C]).max()) for l in range(cfg.n_layer))
        failures += kbias > 1e-15
        print(f"key-bias slice attn.qkv.b[C:2C] (analytically 0): max |g| {kbias:.1e}")
        logits, _ = forward(params, tokens, cfg)
        formula_diff, fd_rel, masked_max = dlogits_check(logits.copy(), q, mask, h=FD_STEP)
        ok = formula_diff < 1e-15 and fd_rel < 1e-6 and masked_max < 1e-9
        failures += not ok
        print(f"dloss/dlogits: |backward - (p-q)/N| max {formula_diff:.1e}; "
              f"finite-difference rel err {fd_rel:.2e}; max |FD| on masked rows {masked_max:.1e}"
              f"{'' if ok else '   <-- FAIL'}")
    naive_diff = max(float(np.abs(naive_logits(params, c["tokens"], cfg) - forward(params, c["tokens"], cfg)[0]).max())
                     for c in build_cases(cfg))
    failures += naive_diff > 1e-12
    print(f"forward vs loop-by-loop forward: max |logits diff| {naive_diff:.1e}")
    leak = causality_check(params, build_cases(cfg)[0]["tokens"], cfg)
    failures += leak != 0.0
    print(f"causality: max change of earlier logits when the last token changes = {leak:.1e}")
    # Step 1 of AdamW has mhat = g and vhat = g^2, so the update has a closed form.
    from make_fixtures import ADAMW_HYPER
    soft = build_cases(cfg)[1]
    hp = ADAMW_HYPER
    after, _, lrs, clipped = train_steps(params, soft["tokens"], soft["q"], soft["mask"], cfg, hp, 1)
    closed = max(float(np.abs(after[k] - (params[k] - lrs[0] * (
        clipped[0][k] / (np.abs(clipped[0][k]) + hp.eps) + (hp.weight_decay if is_decayed(k) else 0.0) * params[k]))).max())
        for k in params)
    failures += closed > 1e-15
    print(f"AdamW step 1 vs closed form lr*(g/(|g|+eps) + wd p): max diff {closed:.1e}")
    print("SELF-CHECK", "PASSED" if failures == 0 else f"FAILED ({failures})")
    return 0 if failures == 0 else 1


def run_float32_estimate() -> int:
    """Runs this same code in float32 and prints its distance from float64.

    Not a check of the reference: a measured hint for the tolerances a float32
    engine needs when compared with the fixture (a BLAS engine sums in other orders,
    so leave it headroom of 10-100x).
    """
    from make_fixtures import ADAMW_HYPER, FIXTURE_CONFIG, PARAM_SEED, build_cases
    cfg = FIXTURE_CONFIG
    C = cfg.d_model
    p64 = init_params(cfg, PARAM_SEED)
    p32 = {k: v.astype(np.float32) for k, v in p64.items()}
    cases = build_cases(cfg)
    for case in cases:
        tokens, q, mask = case["tokens"], case["q"], case["mask"]
        l64, lg64, g64 = loss_and_grads(p64, tokens, q, mask, cfg)
        l32, lg32, g32 = loss_and_grads(p32, tokens, q.astype(np.float32), mask, cfg)
        assert lg32.dtype == np.float32 and all(g.dtype == np.float32 for g in g32.values())
        worst = max(g32, key=lambda k: np.abs(g32[k] - g64[k]).max() / np.abs(g64[k]).max())
        print(f"case {case['name']}: |loss32 - loss64| {abs(float(l32) - l64):.1e}; "
              f"logits max abs diff {np.abs(lg32 - lg64).max():.1e}; grads worst max|diff|/max|g| "
              f"{np.abs(g32[worst] - g64[worst]).max() / np.abs(g64[worst]).max():.1e} ({worst})")
    soft = next(c for c in cases if c["name"] == "soft")
    a64, n64, _, _ = train_steps(p64, soft["tokens"], soft["q"], soft["mask"], cfg, ADAMW_HYPER, 2)
    a32, n32, _, _ = train_steps(p32, soft["tokens"], soft["q"].astype(np.float32), soft["mask"], cfg, ADAMW_HYPER, 2)
    key_bias = np.zeros(3 * C, dtype=bool)
    key_bias[C:2 * C] = True
    other = max(float(np.abs(a32[k] - a64[k])[~key_bias if k.endswith("attn.qkv.b") else ...].max()) for k in a64)
    kb = max(float(np.abs(a32[k] - a64[k])[key_bias].max()) for k in a64 if k.endswith("attn.qkv.b"))
    print(f"adamw 2 steps: grad norms diff {max(abs(a - b) for a, b in zip(n32, n64)):.1e}; "
          f"params_after max abs diff {other:.1e} (key-bias slices excluded), key-bias slices {kb:.1e}")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="finite-difference self-check of every gradient")
    ap.add_argument("--max-entries", type=int, default=None,
                    help="check at most this many random entries per tensor (default: all)")
    ap.add_argument("--float32-estimate", action="store_true",
                    help="print how far the same code in float32 lands from float64 (tolerance hint)")
    args = ap.parse_args(argv)
    if args.float32_estimate:
        return run_float32_estimate()
    if not args.check:
        ap.print_help()
        return 2
    return run_check(args.max_entries)


if __name__ == "__main__":
    sys.exit(main())
