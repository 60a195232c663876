"""View construction: the default augmentation, the designer's bounded deviation from it, and
differentiable rendering of views (``affine_grid``/``grid_sample`` crops, photometric maps,
soft patch masks).

A view of an image is fixed by a parameter row ``a`` (``PARAMS``, in these units):

| index | name | meaning | default distribution | designer bound (× deviation_max) |
|---|---|---|---|---|
| 0, 1 | cx, cy | crop centre, normalised coords in [-1, 1] | uniform, box inside the image | ±0.5 |
| 2 | log_area | log of the crop's area fraction | log U(area_min, 1) | ±0.7 |
| 3 | log_aspect | log of width/height | U(log 3/4, log 4/3) | ±0.3 |
| 4 | brightness | added to every channel | U(−0.2, 0.2) | ±0.2 |
| 5 | log_contrast | log of the contrast factor about the image mean | U(−0.3, 0.3) | ±0.3 |
| 6 | log_saturation | log of the saturation factor about the grey image | U(−0.5, 0.5) | ±0.5 |

and a horizontal flip (±1, default only: not designable) and, for student views, a patch
mask m ∈ [0, 1]^N (default: Bernoulli(mask_ratio), hard).

The designer moves the parameters within the deviation budget ε = ``deviation_max``:
``a = a0 + ε·BOUND ⊙ tanh(z)`` and ``m = m0 + (1 − 2 m0)·ε·σ(z_m)`` (a masked patch can be
partly unmasked and vice versa, by at most ε). With ε = 0 the views are exactly the
default augmentation's — the vision analogue of the mass bound m_max = 0.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

PARAMS = ("cx", "cy", "log_area", "log_aspect", "brightness", "log_contrast", "log_saturation")
NUM_PARAMS = len(PARAMS)
BOUND = torch.tensor([0.5, 0.5, 0.7, 0.3, 0.2, 0.3, 0.5], dtype=torch.float64)


@dataclass
class ViewPlan:
    """Default parameters of every view of a batch.

    ``params`` (V, B, 7); ``flip`` (V, B) ±1; ``masks`` (V, B, N) in {0, 1} (zeros for the
    teacher-only and local views); ``sizes``: output side of each view; the first
    ``globals_`` views are global (seen by teacher and student)."""
    params: torch.Tensor
    flip: torch.Tensor
    masks: torch.Tensor
    sizes: list
    globals_: int


def sample_default(batch: int, generator: torch.Generator, image_size: int, num_patches: int,
                   mask_ratio: float, local_crops: int = 0, local_size: int = 16,
                   global_area: tuple = (0.35, 1.0), local_area: tuple = (0.1, 0.35),
                   dtype=torch.float32) -> ViewPlan:
    """The default (DINO-style) augmentation's parameters for 2 global + ``local_crops`` views."""
    views = 2 + local_crops
    rows = []
    for v in range(views):
        lo, hi = global_area if v < 2 else local_area
        u = torch.rand(batch, 6, generator=generator, dtype=torch.float64)
        log_area = math.log(lo) + u[:, 0] * (math.log(hi) - math.log(lo))
        log_aspect = (u[:, 1] * 2 - 1) * math.log(4 / 3)
        sx = torch.exp(0.5 * (log_area + log_aspect)).clamp(max=1.0)
        sy = torch.exp(0.5 * (log_area - log_aspect)).clamp(max=1.0)
        cx = (u[:, 2] * 2 - 1) * (1 - sx)
        cy = (u[:, 3] * 2 - 1) * (1 - sy)
        photo = (torch.rand(batch, 3, generator=generator, dtype=torch.float64) * 2 - 1) * torch.tensor([0.2, 0.3, 0.5], dtype=torch.float64)
        rows.append(torch.stack([cx, cy, log_area, log_aspect, photo[:, 0], photo[:, 1], photo[:, 2]], dim=1))
        del u
    params = torch.stack(rows).to(dtype)
    flip = torch.where(torch.rand(views, batch, generator=generator) < 0.5, -1.0, 1.0).to(dtype)
    draw = torch.rand(views, batch, num_patches, generator=generator)
    masks = (draw < mask_ratio).to(dtype)
    masks[2:] = 0                                      # local crops are not masked
    sizes = [image_size] * 2 + [local_size] * local_crops
    return ViewPlan(params, flip, masks, sizes, 2)


def render(images: torch.Tensor, params: torch.Tensor, flip: torch.Tensor, size: int) -> torch.Tensor:
    """Views of ``images`` (B, 3, H, W) for parameter rows ``params`` (B, 7): a bilinear crop
    (border padding) resized to ``size``×``size``, then brightness, contrast and saturation.
    Differentiable in ``params`` and ``images``."""
    cx, cy, log_area, log_aspect = params[:, 0], params[:, 1], params[:, 2], params[:, 3]
    sx = torch.exp(0.5 * (log_area + log_aspect))
    sy = torch.exp(0.5 * (log_area - log_aspect))
    zero = torch.zeros_like(cx)
    theta = torch.stack([torch.stack([flip * sx, zero, cx], -1), torch.stack([zero, sy, cy], -1)], 1)   # (B, 2, 3)
    grid = F.affine_grid(theta, [images.shape[0], 3, size, size], align_corners=False)
    x = F.grid_sample(images, grid, mode="bilinear", padding_mode="border", align_corners=False)
    grey = x.mean(dim=1, keepdim=True)
    x = grey + torch.exp(params[:, 6]).view(-1, 1, 1, 1) * (x - grey)                   # saturation
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = mean + torch.exp(params[:, 5]).view(-1, 1, 1, 1) * (x - mean)                    # contrast
    return x + params[:, 4].view(-1, 1, 1, 1)                                            # brightness


def apply_deviation(plan: ViewPlan, deviation_max: float, box: torch.Tensor | None,
                    mask_gate: torch.Tensor | None):
    """Parameters and masks within the budget: ``box`` (V, B, 7) in [−1, 1] (tanh outputs or
    random), ``mask_gate`` (V, B, N) in [0, 1]; ``None`` means no deviation."""
    params, masks = plan.params, plan.masks
    if box is not None:
        params = params + deviation_max * BOUND.to(box.dtype) * box
    if mask_gate is not None:
        masks = masks + (1 - 2 * masks) * deviation_max * mask_gate
        masks = torch.cat([masks[:plan.globals_], plan.masks[plan.globals_:]], 0)    # local views stay unmasked
    return params, masks


def render_plan(images: torch.Tensor, plan: ViewPlan, params: torch.Tensor):
    """All views: a list of (V) tensors (B, 3, s, s)."""
    return [render(images, params[v], plan.flip[v], plan.sizes[v]) for v in range(len(plan.sizes))]


class Designer(nn.Module):
    """The view and mask designer φ: per image and global view, an MLP on the learner's
    detached CLS feature, the default parameters and the view's index gives the parameter
    deviation (tanh, 7) and per-patch mask gates (sigmoid, N). Its last layer starts at zero:
    at initialisation every view is the default one shifted by the midpoint gate."""

    def __init__(self, feature_dim: int, num_patches: int, hidden: int = 32, views: int = 2):
        super().__init__()
        self.views, self.num_patches = views, num_patches
        self.net = nn.Sequential(nn.Linear(feature_dim + NUM_PARAMS + views, hidden), nn.GELU(),
                                 nn.Linear(hidden, NUM_PARAMS + num_patches))
        nn.init.zeros_(self.net[2].weight)
        nn.init.zeros_(self.net[2].bias)

    def forward(self, features: torch.Tensor, plan: ViewPlan):
        """``features`` (B, D) detached → (box (V, B, 7) in (−1, 1), gates (V, B, N) in (0, 1))
        for the ``views`` global views; local views get no deviation (zeros)."""
        B = features.shape[0]
        V = len(plan.sizes)
        boxes, gates = [], []
        for v in range(self.views):
            onehot = torch.zeros(B, self.views, dtype=features.dtype)
            onehot[:, v] = 1
            out = self.net(torch.cat([features, plan.params[v].to(features.dtype), onehot], dim=1))
            boxes.append(torch.tanh(out[:, :NUM_PARAMS]))
            gates.append(torch.sigmoid(out[:, NUM_PARAMS:]))
        for _ in range(V - self.views):
            boxes.append(torch.zeros(B, NUM_PARAMS, dtype=features.dtype))
            gates.append(torch.zeros(B, self.num_patches, dtype=features.dtype))
        return torch.stack(boxes), torch.stack(gates)


def random_deviation(plan: ViewPlan, generator: torch.Generator):
    """The random_views control: box ~ U(−1, 1)^7 and gates ~ U(0, 1) on the global views —
    the same budget as the designer, no feedback."""
    V, B, _ = plan.params.shape
    N = plan.masks.shape[2]
    box = torch.rand(V, B, NUM_PARAMS, generator=generator, dtype=plan.params.dtype) * 2 - 1
    gates = torch.rand(V, B, N, generator=generator, dtype=plan.params.dtype)
    box[plan.globals_:] = 0
    gates[plan.globals_:] = 0
    return box, gates
