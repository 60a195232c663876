"""Vision datasets: seeded procedural scenes (no download) and ADE20K/NYUv2 folder importers."""
from .split import IGNORE, VisionSplit
from .procedural import NUM_SEG_CLASSES, SHAPES, make_split, render_scene
from .folders import load_ade20k, load_nyuv2

__all__ = ["IGNORE", "VisionSplit", "NUM_SEG_CLASSES", "SHAPES", "make_split", "render_scene",
           "load_ade20k", "load_nyuv2"]
