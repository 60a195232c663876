"""The built-in engine's GPT (docs/model.md) in PyTorch, and its checkpoint file format.

Symbols: B batch, T time, C d_model, V vocab (256 bytes), L layers, NH heads, hs = C/NH.
Parameter names and shapes follow the canonical layout of docs/model.md exactly
(``wte`` (V,C) tied head, ``wpe`` (context,C), ``h{l}.ln1.w`` …, ``lnf.b``), so a
checkpoint's tensors load by name with no renaming.

Checkpoint container (``Sources/Learner/CheckpointFile.swift``), little-endian::

    magic "VSWCKPT\\0" | u32 version 1 | u32 hlen | JSON header (config, meta, tensors) |
    float32 data of each tensor in header order | u64 FNV-1a-64 over 8-byte words of all above
"""
from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

MAGIC = b"VSWCKPT\x00"
VERSION = 1
_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3
_MASK = (1 << 64) - 1


@dataclass
class GPTConfig:
    vocab: int = 256
    d_model: int = 16
    n_layer: int = 2
    n_head: int = 2
    context: int = 8
    batch: int = 1

    def to_json(self) -> dict:
        return {"vocab": self.vocab, "d_model": self.d_model, "n_layer": self.n_layer,
                "n_head": self.n_head, "context": self.context, "batch": self.batch}


def param_layout(cfg: GPTConfig) -> list[tuple[str, tuple[int, ...]]]:
    """The canonical (name, shape) list of docs/model.md, in order."""
    C, V = cfg.d_model, cfg.vocab
    out: list[tuple[str, tuple[int, ...]]] = [("wte", (V, C)), ("wpe", (cfg.context, C))]
    for l in range(cfg.n_layer):
        p = f"h{l}."
        out += [(p + "ln1.w", (C,)), (p + "ln1.b", (C,)), (p + "attn.qkv.w", (3 * C, C)),
                (p + "attn.qkv.b", (3 * C,)), (p + "attn.proj.w", (C, C)), (p + "attn.proj.b", (C,)),
                (p + "ln2.w", (C,)), (p + "ln2.b", (C,)), (p + "mlp.fc.w", (4 * C, C)),
                (p + "mlp.fc.b", (4 * C,)), (p + "mlp.proj.w", (C, 4 * C)), (p + "mlp.proj.b", (C,))]
    out += [("lnf.w", (C,)), ("lnf.b", (C,))]
    return out


def _checksum(data: bytes) -> int:
    """FNV-1a-64 over little-endian 8-byte words, then the tail bytes."""
    words = len(data) // 8
    h = _FNV_OFFSET
    if words:
        arr = np.frombuffer(data, dtype="<u8", count=words)
        # The chain is sequential; Python ints keep it exact (fast enough for test-sized models).
        for w in arr.tolist():
            h = ((h ^ w) * _FNV_PRIME) & _MASK
    for b in data[8 * words:]:
        h = ((h ^ b) * _FNV_PRIME) & _MASK
    return h


def read_checkpoint(path: str | Path) -> tuple[GPTConfig, dict, dict[str, np.ndarray]]:
    """Reads and verifies a built-in checkpoint: (config, meta, name → float32 array)."""
    data = Path(path).read_bytes()
    if len(data) < 16 or data[:8] != MAGIC:
        raise ValueError(f"{path}: not a vsweep checkpoint (bad magic bytes)")
    version, hlen = struct.unpack_from("<II", data, 8)
    if version != VERSION:
        raise ValueError(f"{path}: checkpoint format version {version} is not supported (this reads {VERSION})")
    header = json.loads(data[16:16 + hlen])
    total = sum(4 * t["count"] for t in header["tensors"])
    expected = 16 + hlen + total + 8
    if len(data) != expected:
        raise ValueError(f"{path}: checkpoint is {len(data)} bytes, expected {expected} (truncated or corrupt)")
    (stored,) = struct.unpack_from("<Q", data, expected - 8)
    if stored != _checksum(data[:expected - 8]):
        raise ValueError(f"{path}: corrupt checkpoint: checksum mismatch")
    tensors: dict[str, np.ndarray] = {}
    offset = 16 + hlen
    for t in header["tensors"]:
        tensors[t["name"]] = np.frombuffer(data, dtype="<f4", count=t["count"], offset=offset).reshape(t["shape"]).copy()
        offset += 4 * t["count"]
    c = header["config"]
    cfg = GPTConfig(vocab=c["vocab"], d_model=c["d_model"], n_layer=c["n_layer"], n_head=c["n_head"],
                    context=c["context"], batch=c.get("batch", 1))
    return cfg, header.get("meta", {}), tensors


def write_checkpoint(path: str | Path, cfg: GPTConfig, tensors: list[tuple[str, np.ndarray]],
                     meta: dict | None = None) -> None:
    """Writes a built-in checkpoint the Swift engine reads (atomically)."""
    entries = [{"count": int(a.size), "name": n, "shape": list(a.shape)} for n, a in tensors]
    header = json.dumps({"config": cfg.to_json(), "meta": meta or {}, "tensors": entries},
                        sort_keys=True, separators=(",", ":")).encode()
    body = MAGIC + struct.pack("<II", VERSION, len(header)) + header
    body += b"".join(np.ascontiguousarray(a, dtype="<f4").tobytes() for _, a in tensors)
    body += struct.pack("<Q", _checksum(body))
    from .protocol import atomic_save
    atomic_save(lambda f: f.write(body), path)


class GPT(nn.Module):
    """The vsweep GPT: learned positions, pre-LN blocks, tanh-GELU MLP, tied head.

    ``forward(tokens)`` returns (logits (B,T,V), h (B,T,C) after the final LayerNorm).
    ``attention``: "sdpa" (``F.scaled_dot_product_attention``, causal) or "eager" (explicit
    softmax(q·kᵀ/sqrt(hs)) with a causal mask).
    """

    def __init__(self, cfg: GPTConfig, attention: str = "sdpa"):
        super().__init__()
        self.cfg = cfg
        self.attention = attention
        self.names = [n for n, _ in param_layout(cfg)]
        self._params = nn.ParameterDict()
        for name, shape in param_layout(cfg):
            self._params[name.replace(".", "__")] = nn.Parameter(torch.zeros(shape))

    def p(self, name: str) -> torch.Tensor:
        return self._params[name.replace(".", "__")]

    def named_canonical(self) -> list[tuple[str, nn.Parameter]]:
        return [(n, self.p(n)) for n in self.names]

    def canonical_name(self, module_name: str) -> str:
        """``_params.h0__ln1__w`` → ``h0.ln1.w``."""
        return module_name.split(".", 1)[1].replace("__", ".")

    def init_random(self, seed: int, std: float = 0.02) -> None:
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for name, p in self.named_canonical():
                if name.endswith(("ln1.w", "ln2.w", "lnf.w")):
                    p.fill_(1.0)
                elif name.endswith(".b"):
                    p.zero_()
                else:
                    p.copy_(torch.randn(p.shape, generator=g) * std)

    @classmethod
    def from_checkpoint(cls, path: str | Path, attention: str = "sdpa") -> "GPT":
        cfg, _, tensors = read_checkpoint(path)
        model = cls(cfg, attention)
        with torch.no_grad():
            for name, p in model.named_canonical():
                if name not in tensors:
                    raise ValueError(f"{path}: checkpoint has no tensor {name!r}")
                if tuple(tensors[name].shape) != tuple(p.shape):
                    raise ValueError(f"{path}: {name} has shape {tensors[name].shape}, expected {tuple(p.shape)}")
                p.copy_(torch.from_numpy(tensors[name]))
        return model

    def save_builtin(self, path: str | Path, meta: dict | None = None) -> None:
        write_checkpoint(path, self.cfg, [(n, p.detach().cpu().float().numpy()) for n, p in self.named_canonical()], meta)

    @staticmethod
    def _gelu(x):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))

    def _attn(self, qkv, cache=None, key_mask=None):
        B, T, C3 = qkv.shape
        C = C3 // 3
        NH = self.cfg.n_head
        hs = C // NH
        q, k, v = qkv.split(C, dim=2)
        q = q.view(B, T, NH, hs).transpose(1, 2)
        k = k.view(B, T, NH, hs).transpose(1, 2)
        v = v.view(B, T, NH, hs).transpose(1, 2)
        offset = 0
        if cache is not None:
            if cache[0] is not None:
                offset = cache[0].shape[2]
                k = torch.cat([cache[0], k], dim=2)
                v = torch.cat([cache[1], v], dim=2)
            cache[0], cache[1] = k, v
        S = k.shape[2]
        if key_mask is not None:  # decoding with left padding: (B, S) True where a key is real
            mask = torch.ones(T, S, dtype=torch.bool, device=q.device).tril(diagonal=offset)
            mask = mask[None, None] & key_mask[:, None, None, :S]
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        elif self.attention == "sdpa":
            if offset == 0:
                out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            else:
                mask = torch.ones(T, S, dtype=torch.bool, device=q.device).tril(diagonal=offset)
                out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        else:
            scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))
            mask = torch.ones(T, S, dtype=torch.bool, device=q.device).tril(diagonal=offset)
            scores = scores.masked_fill(~mask, float("-inf"))
            out = torch.softmax(scores, dim=-1) @ v
        return out.transpose(1, 2).reshape(B, T, C)

    def forward(self, tokens: torch.Tensor, caches=None, offset: int = 0, positions=None, key_mask=None):
        """tokens (B,T) → logits (B,T,V), h (B,T,C). Decoding: ``caches`` per-layer [k, v] lists
        (keys start at ``offset``), ``positions`` (B,T) position ids, ``key_mask`` (B, S) real keys."""
        B, T = tokens.shape
        p = self.p
        if positions is None:
            pos = torch.arange(offset, offset + T, device=tokens.device)
            x = F.embedding(tokens, p("wte")) + p("wpe")[pos][None]
        else:
            x = F.embedding(tokens, p("wte")) + p("wpe")[positions]
        C = self.cfg.d_model
        for l in range(self.cfg.n_layer):
            h = f"h{l}."
            a = F.layer_norm(x, (C,), p(h + "ln1.w"), p(h + "ln1.b"), 1e-5)
            qkv = F.linear(a, p(h + "attn.qkv.w"), p(h + "attn.qkv.b"))
            x = x + F.linear(self._attn(qkv, None if caches is None else caches[l], key_mask),
                             p(h + "attn.proj.w"), p(h + "attn.proj.b"))
            m = F.layer_norm(x, (C,), p(h + "ln2.w"), p(h + "ln2.b"), 1e-5)
            x = x + F.linear(self._gelu(F.linear(m, p(h + "mlp.fc.w"), p(h + "mlp.fc.b"))),
                             p(h + "mlp.proj.w"), p(h + "mlp.proj.b"))
        hfin = F.layer_norm(x, (C,), p("lnf.w"), p("lnf.b"), 1e-5)
        return F.linear(hfin, p("wte")), hfin
