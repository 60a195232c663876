"""The learner: a small ViT backbone plus a DINO projection head, and a loader for DINOv2 /
DINOv3 backbones from a local Hugging Face directory (for GPU users).

Shapes: B images, N = (H/p)·(W/p) patches, D width, K prototypes.
``Backbone.forward(x (B,3,H,W), mask (B,N) in [0,1] or None) -> tokens (B, 1+N, D)`` after
the final LayerNorm, token 0 the CLS token. A soft mask blends each patch embedding with a
learned mask token: e ← (1 − m)·e + m·mask_token (m = 1 is iBOT's hard mask), so masks can
be designed differentiably. Everything is plain tensor algebra (no fused attention), so
forward-mode AD (the tangent pass of ``align.py``) works through it.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class LayerNorm(nn.Module):
    """LayerNorm from primitive ops: (x − μ)/√(σ² + eps)·weight + bias over the last dim.

    Not ``nn.LayerNorm``: in torch 2.13 the forward-mode formula of the fused ``layer_norm``
    is not differentiable by reverse mode (reverse-over-forward drops the mixed derivative;
    ``test_alignment.py`` keeps a canary), which would make ∂V/∂φ wrong while V is right.
    Same parameter names as ``nn.LayerNorm``."""

    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))
        self.bias = nn.Parameter(torch.zeros(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        xc = x - x.mean(dim=-1, keepdim=True)
        return xc * torch.rsqrt((xc * xc).mean(dim=-1, keepdim=True) + self.eps) * self.weight + self.bias


class Block(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_ratio: float = 2.0):
        super().__init__()
        self.heads = heads
        self.norm1 = LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm2 = LayerNorm(dim)
        self.fc1 = nn.Linear(dim, int(dim * mlp_ratio))
        self.fc2 = nn.Linear(int(dim * mlp_ratio), dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, D = x.shape
        hs = D // self.heads
        qkv = self.qkv(self.norm1(x)).reshape(B, T, 3, self.heads, hs).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]                                  # (B, NH, T, hs)
        att = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(hs), dim=-1)
        x = x + self.proj((att @ v).transpose(1, 2).reshape(B, T, D))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class ViT(nn.Module):
    """A plain pre-norm ViT with a CLS token, learned position embeddings (interpolated for
    other input sizes, e.g. local crops) and a mask token."""

    def __init__(self, image_size: int = 32, patch: int = 4, dim: int = 64, depth: int = 3,
                 heads: int = 4, mlp_ratio: float = 2.0):
        super().__init__()
        self.image_size, self.patch, self.dim = image_size, patch, dim
        self.grid = image_size // patch
        self.patch_embed = nn.Linear(3 * patch * patch, dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.mask_token = nn.Parameter(torch.zeros(dim))
        self.pos_embed = nn.Parameter(torch.randn(1, 1 + self.grid ** 2, dim) * 0.02)
        self.blocks = nn.ModuleList(Block(dim, heads, mlp_ratio) for _ in range(depth))
        self.norm = LayerNorm(dim)

    @property
    def num_patches(self) -> int:
        return self.grid ** 2

    def patchify(self, x: torch.Tensor) -> torch.Tensor:
        B, C, H, W = x.shape
        p = self.patch
        x = x.reshape(B, C, H // p, p, W // p, p).permute(0, 2, 4, 1, 3, 5)
        return x.reshape(B, (H // p) * (W // p), C * p * p)

    def _pos(self, gh: int, gw: int) -> torch.Tensor:
        if gh == self.grid and gw == self.grid:
            return self.pos_embed
        cls, grid = self.pos_embed[:, :1], self.pos_embed[:, 1:]
        grid = grid.reshape(1, self.grid, self.grid, self.dim).permute(0, 3, 1, 2)
        grid = F.interpolate(grid, size=(gh, gw), mode="bilinear", align_corners=False)
        return torch.cat([cls, grid.permute(0, 2, 3, 1).reshape(1, gh * gw, self.dim)], dim=1)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        B, _, H, W = x.shape
        e = self.patch_embed(self.patchify(x))                            # (B, N, D)
        if mask is not None:
            m = mask.unsqueeze(-1).to(e.dtype)
            e = e * (1 - m) + m * self.mask_token
        t = torch.cat([self.cls_token.expand(B, -1, -1), e], dim=1) + self._pos(H // self.patch, W // self.patch)
        for blk in self.blocks:
            t = blk(t)
        return self.norm(t)


class DINOHead(nn.Module):
    """MLP → L2-normalised bottleneck → K prototype logits (DINO's projection head)."""

    def __init__(self, dim: int, out_dim: int = 256, hidden: int = 128, bottleneck: int = 64):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, bottleneck))
        self.last = nn.Linear(bottleneck, out_dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.mlp(x)
        return self.last(z / z.norm(dim=-1, keepdim=True).clamp_min(1e-6))


class DINONet(nn.Module):
    """Backbone + head; ``forward`` gives the head's logits on the CLS token and, with
    ``patches=True``, also on every patch token (iBOT's masked-patch targets; shared head)."""

    def __init__(self, backbone: nn.Module, dim: int, out_dim: int = 256):
        super().__init__()
        self.backbone = backbone
        self.head = DINOHead(dim, out_dim)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None, patches: bool = False):
        tokens = self.backbone(x, mask)
        if patches:
            return self.head(tokens[:, 0]), self.head(tokens[:, 1:])
        return self.head(tokens[:, 0])


def build_vit(arch: dict) -> DINONet:
    vit = ViT(arch["image_size"], arch["patch"], arch["dim"], arch["depth"], arch["heads"], arch.get("mlp_ratio", 2.0))
    return DINONet(vit, arch["dim"], arch["out_dim"])


# ---------------------------------------------------------------------------------------------
# Hugging Face DINOv2 / DINOv3 backbones
# ---------------------------------------------------------------------------------------------

_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)


class HFBackbone(nn.Module):
    """A Hugging Face DINOv2 / DINOv2-with-registers / DINOv3-ViT model behind the ``Backbone``
    interface: ImageNet-normalises [0, 1] images, blends soft masks into the patch embeddings
    with the model's own mask token (a forward hook on the patch embedding), and drops
    register tokens, so it returns (B, 1+N, D) like ``ViT``."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model
        cfg = model.config
        self.dim = cfg.hidden_size
        self.patch = cfg.patch_size
        self.registers = int(getattr(cfg, "num_register_tokens", 0) or 0)
        self.register_buffer("mean", torch.tensor(_IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(_IMAGENET_STD).view(1, 3, 1, 1), persistent=False)
        self._mask = None
        emb = model.embeddings
        self._mask_token = emb.mask_token
        emb.patch_embeddings.register_forward_hook(self._blend)

    def _blend(self, module, inputs, output):
        if self._mask is None:
            return output
        e = output.flatten(2).transpose(1, 2) if output.dim() == 4 else output   # (B, N, D)
        m = self._mask.unsqueeze(-1).to(e.dtype)
        e = e * (1 - m) + m * self._mask_token.reshape(1, 1, -1).to(e.dtype)
        return e.transpose(1, 2).reshape(output.shape) if output.dim() == 4 else e

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        self._mask = mask
        try:
            out = self.model(pixel_values=(x - self.mean.to(x.dtype)) / self.std.to(x.dtype)).last_hidden_state
        finally:
            self._mask = None
        return torch.cat([out[:, :1], out[:, 1 + self.registers:]], dim=1)


def load_hf_backbone(path: str, out_dim: int = 256) -> DINONet:
    """A DINONet whose backbone is the DINOv2/DINOv3 model saved in the local directory
    ``path`` (``save_pretrained`` layout; nothing is downloaded) and a fresh DINO head."""
    from transformers import AutoConfig, AutoModel
    cfg = AutoConfig.from_pretrained(path, local_files_only=True)
    if cfg.model_type not in ("dinov2", "dinov2_with_registers", "dinov3_vit"):
        raise ValueError(f"{path}: model_type {cfg.model_type!r} is not a DINOv2/DINOv3 ViT")
    model = AutoModel.from_pretrained(path, local_files_only=True)
    backbone = HFBackbone(model)
    return DINONet(backbone, backbone.dim, out_dim)
