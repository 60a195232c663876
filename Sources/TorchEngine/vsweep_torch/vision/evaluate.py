"""Evaluation by linear probes on frozen features — the analogues of the paper's three numbers.

Probes are fitted on the feedback split (labelled, the downstream training data) and scored on
validation during a run and on test only at the end:

- ``miou``: per-patch linear segmentation head, logits bilinearly upsampled to pixels;
  confusion matrix over all scored pixels; IoU per class with a non-empty union; mean.
- ``depth_rmse``: per-patch linear depth head (standardised targets), upsampled; RMSE over
  pixels with finite depth, in scene units.
- ``linear_acc``: linear classifier on [CLS, mean patch token]; accuracy on images with a label.

Probes are trained full-batch with Adam for ``steps`` steps from a fixed seed on patch-level
targets (``patch_targets``), so evaluation is deterministic and never touches the learner.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .align import DenseHeads
from .datasets.split import IGNORE, VisionSplit


@torch.no_grad()
def extract(backbone: nn.Module, images: np.ndarray, batch: int = 128) -> torch.Tensor:
    """Backbone tokens (N, 1+P, D) of ``images`` (N, 3, H, W), no masks."""
    out = []
    for i in range(0, len(images), batch):
        out.append(backbone(torch.from_numpy(images[i:i + batch])))
    return torch.cat(out)


class Probes:
    def __init__(self, dense: DenseHeads, classifier: nn.Linear | None):
        self.dense, self.classifier = dense, classifier


def _pooled(tokens: torch.Tensor) -> torch.Tensor:
    return torch.cat([tokens[:, 0], tokens[:, 1:].mean(1)], dim=1)


def fit_probes(tokens: torch.Tensor, split: VisionSplit, steps: int = 150, lr: float = 0.02, seed: int = 0) -> Probes:
    with torch.random.fork_rng(devices=[]):   # the probes' init reads the global generator; leave it as it was
        torch.manual_seed(seed)
        return _fit_probes(tokens, split, steps, lr, seed)


def patch_targets(split: VisionSplit, grid: int):
    """Per-patch training targets: the class distribution of each patch's labelled pixels
    (B, C, g, g) with the labelled fraction (B, g, g), and the mean finite depth (B, g, g) with
    its validity. Probes are fitted at patch resolution (16× fewer rows than pixels) and
    scored at pixel resolution."""
    seg = torch.from_numpy(split.seg)
    B, H, W = seg.shape
    C = split.num_seg_classes
    labelled = seg != IGNORE
    onehot = F.one_hot(torch.where(labelled, seg, 0), C).permute(0, 3, 1, 2).double() * labelled[:, None]
    counts = F.adaptive_avg_pool2d(onehot, grid)                                   # (B, C, g, g)
    weight = counts.sum(1)
    dist = counts / weight.clamp_min(1e-12)[:, None]
    depth = torch.from_numpy(split.depth).double()
    finite = torch.isfinite(depth)
    dsum = F.adaptive_avg_pool2d(torch.where(finite, depth, 0)[:, None], grid)[:, 0]
    dcount = F.adaptive_avg_pool2d(finite.double()[:, None], grid)[:, 0]
    return dist.float(), weight.float(), (dsum / dcount.clamp_min(1e-12)).float(), (dcount > 0)


def _fit_probes(tokens, split, steps, lr, seed):
    gen = torch.Generator().manual_seed(seed)
    D = tokens.shape[-1]
    finite = split.depth[np.isfinite(split.depth)]
    mean, std = (float(finite.mean()), float(finite.std() + 1e-6)) if finite.size else (0.0, 1.0)
    dense = DenseHeads(D, split.num_seg_classes, mean, std)
    patches = tokens[:, 1:].detach()
    B, N, _ = patches.shape
    g = int(round(N ** 0.5))
    dist, weight, depth, dvalid = patch_targets(split, g)
    dist = dist.permute(0, 2, 3, 1).reshape(B * N, -1)
    weight, depth, dvalid = weight.reshape(-1), depth.reshape(-1), dvalid.reshape(-1)
    rows = patches.reshape(B * N, D)
    opt = torch.optim.Adam(dense.parameters(), lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        loss = rows.new_zeros(())
        if weight.sum() > 0:
            ce = -(dist * torch.log_softmax(dense.seg(rows), -1)).sum(-1)
            loss = loss + (ce * weight).sum() / weight.sum()
        if dvalid.any():
            pred = dense.depth(rows)[:, 0]
            loss = loss + (((pred - (depth - mean) / std)[dvalid]) ** 2).mean()
        loss.backward()
        opt.step()
    classifier = None
    labels = torch.from_numpy(split.labels)
    if split.num_labels > 0 and (labels >= 0).any():
        classifier = nn.Linear(2 * D, split.num_labels)
        with torch.no_grad():
            classifier.weight.copy_(torch.randn(classifier.weight.shape, generator=gen) * 0.01)
            classifier.bias.zero_()
        x, keep = _pooled(tokens).detach(), labels >= 0
        copt = torch.optim.Adam(classifier.parameters(), lr=lr)
        for _ in range(steps):
            copt.zero_grad()
            F.cross_entropy(classifier(x[keep]), labels[keep]).backward()
            copt.step()
    return Probes(dense, classifier)


@torch.no_grad()
def score(probes: Probes, tokens: torch.Tensor, split: VisionSplit) -> dict:
    logits, pred = probes.dense(tokens[:, 1:], split.seg.shape[-1])
    metrics = {}
    seg = torch.from_numpy(split.seg)
    valid = seg != IGNORE
    if valid.any():
        C = split.num_seg_classes
        p, t = logits.argmax(1)[valid], seg[valid]
        conf = torch.bincount(t * C + p, minlength=C * C).reshape(C, C).double()
        inter = conf.diag()
        union = conf.sum(0) + conf.sum(1) - inter
        metrics["miou"] = float((inter[union > 0] / union[union > 0]).mean())
    depth = torch.from_numpy(split.depth)
    finite = torch.isfinite(depth)
    if finite.any():
        metrics["depth_rmse"] = float(torch.sqrt(((pred - depth)[finite] ** 2).mean()))
    labels = torch.from_numpy(split.labels)
    if probes.classifier is not None and (labels >= 0).any():
        keep = labels >= 0
        metrics["linear_acc"] = float((probes.classifier(_pooled(tokens))[keep].argmax(1) == labels[keep]).double().mean())
    return metrics


def evaluate(backbone: nn.Module, train: VisionSplit, scored: VisionSplit, steps: int, lr: float, seed: int = 0) -> dict:
    """Fits probes on ``train``'s frozen features, scores them on ``scored``. Features are
    standardised per dimension with ``train``'s patch-token statistics (a fixed affine map,
    so still linear probes; it only conditions the fit)."""
    was_training = backbone.training
    backbone.eval()
    train_tokens = extract(backbone, train.images)
    flat = train_tokens.reshape(-1, train_tokens.shape[-1])
    mean, std = flat.mean(0), flat.std(0) + 1e-6
    probes = fit_probes((train_tokens - mean) / std, train, steps, lr, seed)
    out = score(probes, (extract(backbone, scored.images) - mean) / std, scored)
    backbone.train(was_training)
    return out
