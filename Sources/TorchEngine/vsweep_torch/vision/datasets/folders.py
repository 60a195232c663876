"""Importers for users who have the real data: ADE20K-style and NYUv2-style folders.

Both return ``VisionSplit``s resized to ``size``×``size`` (images bilinear, labels and depth
nearest), so the engine treats them like the procedural scenes.

ADE20K (ADEChallengeData2016 layout)::

    ROOT/images/{training,validation}/NAME.jpg
    ROOT/annotations/{training,validation}/NAME.png    # 8-bit: 0 = "other" (ignored), 1…150 classes

Class k (1…150) becomes k − 1; 0 becomes ``IGNORE`` (the usual reduce-zero-label rule).
No depth (NaN) and no image labels (−1).

NYUv2 (one folder per split)::

    ROOT/{train,test}/rgb/NAME.(png|jpg)
    ROOT/{train,test}/depth/NAME.png      # 16-bit depth in millimetres, 0 = missing
    ROOT/{train,test}/label/NAME.png      # optional 8-bit classes: 0 = unlabelled (ignored), 1…C

Depth is returned in metres (NaN where missing); classes k ≥ 1 become k − 1.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .split import IGNORE, VisionSplit

ADE20K_CLASSES = 150
NYUV2_CLASSES = 40
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


def _load_rgb(path: Path, size: int) -> np.ndarray:
    from PIL import Image
    with Image.open(path) as im:
        im = im.convert("RGB").resize((size, size), Image.BILINEAR)
        return (np.asarray(im, np.float32) / 255.0).transpose(2, 0, 1).copy()


def _load_plane(path: Path, size: int) -> np.ndarray:
    from PIL import Image
    with Image.open(path) as im:
        return np.asarray(im.resize((size, size), Image.NEAREST))


def _stems(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES)
    if not files:
        raise FileNotFoundError(f"{folder}: no .jpg/.png images")
    return files


def _reduce_zero(label: np.ndarray) -> np.ndarray:
    out = label.astype(np.int64) - 1
    out[label == 0] = IGNORE
    return out


def load_ade20k(root: str | Path, split: str = "training", size: int = 32,
                limit: int | None = None) -> VisionSplit:
    """``split``: training | validation."""
    root = Path(root)
    images = _stems(root / "images" / split)[:limit]
    seg, rgb = [], []
    for path in images:
        ann = root / "annotations" / split / (path.stem + ".png")
        if not ann.exists():
            raise FileNotFoundError(f"{ann}: annotation of {path.name} missing")
        rgb.append(_load_rgb(path, size))
        seg.append(_reduce_zero(_load_plane(ann, size)))
    n = len(rgb)
    return VisionSplit(f"ade20k-{split}", np.stack(rgb), np.stack(seg),
                       np.full((n, size, size), np.nan, np.float32), np.full(n, -1, np.int64),
                       ADE20K_CLASSES, 0)


def load_nyuv2(root: str | Path, split: str = "train", size: int = 32,
               limit: int | None = None, num_classes: int = NYUV2_CLASSES) -> VisionSplit:
    """``split``: train | test."""
    root = Path(root) / split
    images = _stems(root / "rgb")[:limit]
    rgb, depth, seg = [], [], []
    for path in images:
        dpath = root / "depth" / (path.stem + ".png")
        if not dpath.exists():
            raise FileNotFoundError(f"{dpath}: depth of {path.name} missing")
        rgb.append(_load_rgb(path, size))
        d = _load_plane(dpath, size).astype(np.float32) / 1000.0
        d[d == 0] = np.nan
        depth.append(d)
        lpath = root / "label" / (path.stem + ".png")
        seg.append(_reduce_zero(_load_plane(lpath, size)) if lpath.exists()
                   else np.full((size, size), IGNORE, np.int64))
    n = len(rgb)
    return VisionSplit(f"nyuv2-{split}", np.stack(rgb), np.stack(seg), np.stack(depth),
                       np.full(n, -1, np.int64), num_classes, 0)
