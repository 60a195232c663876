"""Downstream feedback and the alignment value of designed views.

g_down = ∇_θ L_down(θ): the gradient, with respect to the learner's backbone parameters θ,
of the dense-prediction loss of ``DenseHeads`` (per-patch linear segmentation and depth
heads, bilinearly upsampled to pixels; trained on the feedback set on detached features)
on a feedback minibatch. The DINO head's parameters get a zero component (the dense heads
do not read them).

V(φ) = g_downᵀ g_pre(φ), g_pre(φ) = ∇_θ L_SSL(θ; views(φ)) (L_SSL = L_DINO + w·L_iBOT, dino.py) — the directional derivative of
the DINO loss along g_down. ``alignment_value`` computes it without forming g_pre:

- ``jvp`` (default): forward-mode ``torch.func.jvp`` of θ ↦ L_DINO(θ; views) with tangent
  g_down; V comes out as the tangent of the loss, and it keeps its reverse-mode graph to
  the views, so ∂V/∂φ follows by ``backward`` (reverse-over-forward).
- ``double_backward``: g_pre = autograd.grad(L, θ, create_graph=True), V = Σ g_down ⊙ g_pre;
  for backbones whose operators lack forward-mode formulas.
- ``auto`` (the engine's default): ``jvp`` for the built-in ``ViT`` (its LayerNorm is
  written in primitive ops), ``double_backward`` for any other backbone (Hugging Face
  DINOv2/DINOv3). Why: in torch 2.13 the forward-mode formula of the fused ``layer_norm``
  gives the right tangent (V) but is not differentiable by reverse mode, so ∂V/∂φ through
  a fused LayerNorm comes out wrong without an error (Tests/TorchEngineTests/vision/test_alignment.py keeps a
  canary of it). ``jvp`` on such a backbone is refused.

The teacher's probabilities also depend on φ through the global views (they are constants
with respect to θ), so ∂V/∂φ counts both paths.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.func import functional_call, jvp

from .datasets.split import IGNORE
from .dino import ssl_loss
from .model import ViT


class DenseHeads(nn.Module):
    """Linear segmentation (D → C) and depth (D → 1, standardised units) heads on patch tokens."""

    def __init__(self, dim: int, classes: int, depth_mean: float = 0.0, depth_std: float = 1.0):
        super().__init__()
        self.seg = nn.Linear(dim, classes)
        self.depth = nn.Linear(dim, 1)
        self.register_buffer("depth_stats", torch.tensor([depth_mean, depth_std]))

    def forward(self, patches: torch.Tensor, size: int):
        """``patches`` (B, N, D) → seg logits (B, C, size, size), depth (B, size, size) in scene units."""
        B, N, D = patches.shape
        g = int(round(N ** 0.5))
        seg = self.seg(patches).transpose(1, 2).reshape(B, -1, g, g)
        dep = self.depth(patches).transpose(1, 2).reshape(B, 1, g, g)
        seg = F.interpolate(seg, size=(size, size), mode="bilinear", align_corners=False)
        dep = F.interpolate(dep, size=(size, size), mode="bilinear", align_corners=False)[:, 0]
        mean, std = self.depth_stats[0], self.depth_stats[1]
        return seg, dep * std + mean

    def loss(self, patches: torch.Tensor, seg: torch.Tensor, depth: torch.Tensor, depth_weight: float):
        """Pixel cross-entropy (``IGNORE`` skipped) + depth_weight × MSE of standardised depth
        (finite pixels only); a term without labels is 0."""
        logits, pred = self(patches, seg.shape[-1])
        total = patches.new_zeros(())
        if (seg != IGNORE).any():
            total = total + F.cross_entropy(logits, seg, ignore_index=IGNORE)
        valid = torch.isfinite(depth)
        if depth_weight > 0 and valid.any():
            std = self.depth_stats[1]
            total = total + depth_weight * (((pred - depth)[valid] / std) ** 2).mean()
        return total


def downstream_gradient(student: nn.Module, heads: DenseHeads, images, seg, depth, depth_weight: float):
    """(L_down, g_down as {parameter name: tensor}) on one feedback minibatch; zeros for
    parameters outside the backbone."""
    names = [n for n, p in student.named_parameters()]
    params = [p for n, p in student.named_parameters()]
    patches = student.backbone(images)[:, 1:]
    loss = heads.loss(patches, seg, depth, depth_weight)
    grads = torch.autograd.grad(loss, params, allow_unused=True)
    return loss.detach(), {n: (torch.zeros_like(p) if g is None else g.detach())
                           for n, p, g in zip(names, params, grads)}


def random_direction(g_down: dict, generator: torch.Generator) -> dict:
    """A Gaussian direction with the same global norm as ``g_down`` (random_feedback arm)."""
    raw = {n: torch.randn(g.shape, generator=generator, dtype=g.dtype) for n, g in g_down.items()}
    scale = torch.sqrt(sum((g ** 2).sum() for g in g_down.values())) / torch.sqrt(sum((r ** 2).sum() for r in raw.values()))
    return {n: r * scale for n, r in raw.items()}


def ssl_loss_fn(student: nn.Module, views: list, masks: list, probs: list, temp_student: float,
                patch_probs: list | None = None, ibot_weight: float = 0.0):
    """θ ↦ L_SSL(θ; views, masks, teacher probabilities) as a function of a parameter dict."""
    def loss(params: dict):
        call = lambda x, m, patches: functional_call(student, params, (x, m, patches))   # noqa: E731
        return ssl_loss(call, views, masks, probs, patch_probs, temp_student, ibot_weight)
    return loss


def alignment_value(student: nn.Module, views: list, masks: list, probs: list, temp_student: float,
                    g_down: dict, mode: str = "jvp", patch_probs: list | None = None, ibot_weight: float = 0.0):
    """(L_DINO, V, mode used); V = g_downᵀ ∇_θ L_DINO, differentiable with respect to whatever
    ``views``, ``masks`` and ``probs`` depend on (the designer)."""
    if mode not in ("jvp", "auto", "double_backward"):
        raise ValueError(f"align.mode must be jvp, double_backward or auto (got {mode!r})")
    f = ssl_loss_fn(student, views, masks, probs, temp_student, patch_probs, ibot_weight)
    primitive = isinstance(student.backbone, ViT)
    if mode == "jvp" and not primitive:
        raise ValueError("align.mode jvp needs the built-in ViT (a fused LayerNorm's tangent is not "
                         "reverse-differentiable in torch); use auto or double_backward")
    if mode == "jvp" or (mode == "auto" and primitive):
        params = {n: p.detach() for n, p in student.named_parameters()}
        tangents = {n: g_down[n].to(params[n].dtype) for n in params}
        loss, value = jvp(f, (params,), (tangents,))
        return loss, value, "jvp"
    params = {n: p.detach().requires_grad_(True) for n, p in student.named_parameters()}
    loss = f(params)
    grads = torch.autograd.grad(loss, list(params.values()), create_graph=True)
    value = sum((g * g_down[n]).sum() for n, g in zip(params, grads))
    return loss, value, "double_backward"
