"""The in-memory form every vision dataset takes (procedural scenes and imported folders)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

IGNORE = 255   # seg value of pixels without a class


@dataclass
class VisionSplit:
    """One split: ``images`` (N, 3, H, W) float32 in [0, 1]; ``seg`` (N, H, W) int64 with
    ``IGNORE`` for unlabelled pixels; ``depth`` (N, H, W) float32, NaN where unknown;
    ``labels`` (N,) int64, -1 where an image has no class; class counts for the heads."""
    name: str
    images: np.ndarray
    seg: np.ndarray
    depth: np.ndarray
    labels: np.ndarray
    num_seg_classes: int
    num_labels: int

    def __len__(self) -> int:
        return int(self.images.shape[0])

    def head(self, count: int) -> "VisionSplit":
        """The first ``count`` examples."""
        return VisionSplit(self.name, self.images[:count], self.seg[:count], self.depth[:count],
                           self.labels[:count], self.num_seg_classes, self.num_labels)

    def slice(self, start: int, stop: int, name: str) -> "VisionSplit":
        return VisionSplit(name, self.images[start:stop], self.seg[start:stop], self.depth[start:stop],
                           self.labels[start:stop], self.num_seg_classes, self.num_labels)

    @property
    def has_seg(self) -> bool:
        return bool((self.seg != IGNORE).any())

    @property
    def has_depth(self) -> bool:
        return bool(np.isfinite(self.depth).any())

    @property
    def has_labels(self) -> bool:
        return bool((self.labels >= 0).any())
