"""Learners: the built-in GPT (from a ``.ckpt`` of the Swift engine) or any Hugging Face causal
LM from a local directory, behind one small interface the trainer uses.

``Learner`` gives: ``logits_and_hidden(tokens, attention_mask)``; ``logits_with(params, tokens)``
(a functional call with some parameters replaced, for the tangent); the parameter subsets of
``align.params`` (``all`` | ``last_block`` | ``head``); the head weight; which parameters get
weight decay; a tokenizer (``encode``/``decode``); the context length.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import torch
from torch import nn

from .gpt import GPT


class ByteTokenizer:
    """The built-in engine's tokenizer: UTF-8 bytes, vocabulary 256."""
    vocab_size = 256
    eos_id = None

    def encode(self, text: str) -> list[int]:
        return list(text.encode("utf-8"))

    def decode(self, ids) -> str:
        return bytes(int(i) for i in ids).decode("utf-8", errors="replace")


class HFTokenizer:
    """A Hugging Face tokenizer (no special tokens added when encoding)."""

    def __init__(self, tok):
        self.tok = tok
        self.vocab_size = len(tok)
        self.eos_id = tok.eos_token_id

    def encode(self, text: str) -> list[int]:
        return self.tok.encode(text, add_special_tokens=False)

    def decode(self, ids) -> str:
        return self.tok.decode([int(i) for i in ids], skip_special_tokens=True)


class Learner:
    kind = "?"

    def __init__(self, model: nn.Module, tokenizer, context: int):
        self.model = model
        self.tokenizer = tokenizer
        self.context = context

    # subclasses: logits_and_hidden, logits_with, subset_names, head_names, decays, named_params


class GPTLearner(Learner):
    kind = "gpt"

    def __init__(self, model: GPT):
        super().__init__(model, ByteTokenizer(), model.cfg.context)
        self.n_layer = model.cfg.n_layer

    def named_params(self) -> dict[str, nn.Parameter]:
        return dict(self.model.named_canonical())

    def logits_and_hidden(self, tokens, attention_mask=None):  # noqa: ARG002 - causal, right-padded rows only
        return self.model(tokens)

    def logits_with(self, params: dict, tokens):
        full = dict(self.model.named_canonical())
        full.update(params)
        mapped = {"_params." + n.replace(".", "__"): t for n, t in full.items()}
        return torch.func.functional_call(self.model, mapped, (tokens,))[0]

    def subset_names(self, subset: str) -> list[str]:
        """``AlignParameters`` of the Swift engine: all; last_block = the last block and lnf
        (not the tied wte); head = wte as the tied head only."""
        names = self.model.names
        if subset == "all":
            return list(names)
        if subset == "last_block":
            last = f"h{self.n_layer - 1}."
            return [n for n in names if n.startswith(last) or n.startswith("lnf.")]
        if subset == "head":
            return ["wte"]
        raise ValueError(subset)

    def head(self):
        return "wte", None

    def decays(self, name: str, p: torch.Tensor, decay_embeddings: bool) -> bool:
        if name in ("wte", "wpe"):
            return decay_embeddings
        return p.dim() == 2


def _checkpointing(model, on: bool) -> None:
    """Activation (gradient) checkpointing on or off, non-reentrant, without HF's hook that makes
    the input embeddings require grad (a ``requires_grad_`` call forward mode refuses)."""
    if on:
        if hasattr(model, "activation_checkpointing_enable"):  # transformers >= 5
            model.activation_checkpointing_enable({"use_reentrant": False})
        else:
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.disable_input_require_grads()
    elif hasattr(model, "activation_checkpointing_disable"):
        model.activation_checkpointing_disable()
    else:
        model.gradient_checkpointing_disable()


class HFLearner(Learner):
    kind = "hf"

    def __init__(self, model, tokenizer, context, checkpointing=False):
        super().__init__(model, HFTokenizer(tokenizer), context)
        self.checkpointing = checkpointing
        names = [n for n, _ in model.named_parameters()]
        layer_ids = [int(m.group(1)) for n in names for m in [re.search(r"\.(?:layers|h|blocks)\.(\d+)\.", n)] if m]
        self.n_layer = max(layer_ids) + 1 if layer_ids else 0
        self._layer_re = re.compile(r"\.(?:layers|h|blocks)\.(\d+)\.")
        out = model.get_output_embeddings()
        self._head_weight = next(n for n, p in model.named_parameters() if p is out.weight)
        bias = getattr(out, "bias", None)
        self._head_bias = next((n for n, p in model.named_parameters() if bias is not None and p is bias), None)
        inp = model.get_input_embeddings()
        self._embed = {n for n, p in model.named_parameters() if p is inp.weight}

    def named_params(self):
        return dict(self.model.named_parameters())

    def logits_and_hidden(self, tokens, attention_mask=None):
        out = self.model(input_ids=tokens, attention_mask=attention_mask, output_hidden_states=True, use_cache=False)
        return out.logits, out.hidden_states[-1]

    def logits_with(self, params: dict, tokens):
        """Logits with ``params`` substituted. Gradient checkpointing is off inside: it calls
        ``requires_grad_`` under torch.func's transforms, which forward mode refuses, and the
        tangent pass keeps no activations for a backward anyway."""
        checkpointing = self.checkpointing
        if checkpointing:
            _checkpointing(self.model, False)
        try:
            return torch.func.functional_call(self.model, params, (tokens,), {"use_cache": False}, strict=False).logits
        finally:
            if checkpointing:
                _checkpointing(self.model, True)

    def subset_names(self, subset: str) -> list[str]:
        names = list(self.named_params())
        if subset == "all":
            return names
        if subset == "head":
            return [self._head_weight] + ([self._head_bias] if self._head_bias else [])
        if subset == "last_block":
            out = []
            for n in names:
                m = self._layer_re.search(n)
                if m and int(m.group(1)) == self.n_layer - 1:
                    out.append(n)
                elif not m and "norm" in n and n not in self._embed and n != self._head_weight:
                    out.append(n)  # the final norm
            return out
        raise ValueError(subset)

    def head(self):
        return self._head_weight, self._head_bias

    def decays(self, name, p, decay_embeddings):
        if name in self._embed or name == self._head_weight:
            return decay_embeddings
        return p.dim() == 2


def load_learner(base: str, *, attention: str = "sdpa", dtype: torch.dtype = torch.float32,
                 gradient_checkpointing: bool = False, device: str | torch.device = "cpu") -> Learner:
    """``base``: a built-in ``.ckpt`` file, or a local Hugging Face model directory (with its
    tokenizer; loaded offline, nothing fetched)."""
    path = Path(base)
    if path.is_file():
        model = GPT.from_checkpoint(path, attention="sdpa" if attention == "sdpa" else "eager")
        return GPTLearner(model.to(device=device, dtype=dtype))
    if not (path / "config.json").exists():
        raise FileNotFoundError(f"{base}: neither a built-in checkpoint file nor a Hugging Face model directory")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModelForCausalLM, AutoTokenizer
    tok = AutoTokenizer.from_pretrained(base, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(base, local_files_only=True, attn_implementation=attention,
                                                 dtype=dtype)
    if gradient_checkpointing:
        _checkpointing(model, True)
    model.config.use_cache = False
    context = int(getattr(model.config, "max_position_embeddings", 2048) or 2048)
    return HFLearner(model.to(device), tok, context, checkpointing=gradient_checkpointing)
