"""Evaluation with the built-in engine's definitions (``Sources/Training/Evaluator.swift``):
held-out LM loss, L_down on completion tokens (teacher forcing), Pass@1 by batched greedy
decoding with a KV cache, the same stop rule and answer extraction."""
from __future__ import annotations

import contextlib

import numpy as np
import torch
import torch.nn.functional as F

from . import datasets as ds
from .models import GPTLearner


def _autocast(device, dtype):
    if device.type == "cuda" and dtype == torch.bfloat16:
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


@torch.no_grad()
def lm_loss(learner, windows: list[np.ndarray], batch: int, device, amp=None) -> float:
    """Mean next-token loss over every position of the windows (each T + 1 tokens)."""
    if not windows:
        return float("nan")
    total, count = 0.0, 0
    for i in range(0, len(windows), batch):
        w = torch.as_tensor(np.stack(windows[i:i + batch]), device=device)
        with _autocast(device, amp):
            logits, _ = learner.logits_and_hidden(w[:, :-1])
        loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), w[:, 1:].reshape(-1), reduction="sum")
        total += loss.item()
        count += w[:, 1:].numel()
    return total / count


def teacher_forcing(learner, e: ds.Example):
    """(inputs, targets, loss mask) of one example, or None when longer than the context + 1."""
    tok = learner.tokenizer
    prompt, completion = tok.encode(e.prompt), tok.encode(e.completion)
    seq = prompt + completion
    if len(seq) < 2 or len(seq) - 1 > learner.context:
        return None
    mask = [t + 1 >= len(prompt) for t in range(len(seq) - 1)]
    return seq[:-1], seq[1:], mask


def padded_batch(rows, device):
    """Right-padded (x, y) with y = −1 outside the loss mask, and the attention mask."""
    T = max(len(r[0]) for r in rows)
    x = torch.zeros(len(rows), T, dtype=torch.long)
    y = torch.full((len(rows), T), -1, dtype=torch.long)
    att = torch.zeros(len(rows), T, dtype=torch.long)
    for i, (inp, tgt, mask) in enumerate(rows):
        x[i, :len(inp)] = torch.tensor(inp)
        att[i, :len(inp)] = 1
        y[i, :len(inp)] = torch.where(torch.tensor(mask), torch.tensor(tgt), torch.tensor(-1))
    return x.to(device), y.to(device), att.to(device)


@torch.no_grad()
def feedback_loss(learner, examples, batch, device, amp=None) -> float:
    """Mean cross-entropy over the completion tokens of the examples (L_down)."""
    rows = [r for r in (teacher_forcing(learner, e) for e in examples) if r is not None]
    if not rows:
        return float("nan")
    total, count = 0.0, 0
    for i in range(0, len(rows), batch):
        x, y, att = padded_batch(rows[i:i + batch], device)
        with _autocast(device, amp):
            logits, _ = learner.logits_and_hidden(x, att)
        total += F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), y.reshape(-1),
                                 ignore_index=-1, reduction="sum").item()
        count += int((y >= 0).sum())
    return total / max(count, 1)


@torch.no_grad()
def _greedy_gpt(learner: GPTLearner, prompts: list[list[int]], max_new: int, device) -> list[list[int]]:
    """Left-padded batched greedy decoding with a per-layer KV cache; each row has its own
    positions (0 at its first real token) and stops by the stop rule or the context."""
    model = learner.model
    B = len(prompts)
    P = max(len(p) for p in prompts)
    pad = [P - len(p) for p in prompts]
    x = torch.zeros(B, P, dtype=torch.long, device=device)
    real = torch.zeros(B, P + max_new, dtype=torch.bool, device=device)
    for i, p in enumerate(prompts):
        x[i, pad[i]:] = torch.tensor(p, device=device)
        real[i, pad[i]:] = True
    pos = (torch.arange(P, device=device)[None] - torch.tensor(pad, device=device)[:, None]).clamp_min(0)
    caches = [[None, None] for _ in range(model.cfg.n_layer)]
    logits, _ = model(x, caches=caches, positions=pos, key_mask=real)
    out = [[] for _ in range(B)]
    done = [False] * B
    texts = [""] * B
    limit = [min(max_new, learner.context - len(p)) for p in prompts]
    nxt = logits[:, -1].argmax(-1)
    lengths = torch.tensor([len(p) for p in prompts], device=device)
    for step in range(max_new):
        for i in range(B):
            if not done[i]:
                out[i].append(int(nxt[i]))
                texts[i] = learner.tokenizer.decode(out[i])
                if ds.should_stop(texts[i], limit[i], len(out[i])):
                    done[i] = True
        if all(done) or step == max_new - 1:
            break
        cur_pos = (lengths + step).clamp_max(model.cfg.context - 1)[:, None]
        logits, _ = model(nxt[:, None], caches=caches, offset=P + step, positions=cur_pos, key_mask=real)
        nxt = logits[:, -1].argmax(-1)
    return out


@torch.no_grad()
def _greedy_hf(learner, prompts: list[list[int]], max_new: int, device) -> list[list[int]]:
    from transformers import StoppingCriteria, StoppingCriteriaList
    model, tok = learner.model, learner.tokenizer
    B, P = len(prompts), max(len(p) for p in prompts)
    pad_id = tok.tok.pad_token_id if tok.tok.pad_token_id is not None else (tok.eos_id or 0)
    x = torch.full((B, P), pad_id, dtype=torch.long)
    att = torch.zeros(B, P, dtype=torch.long)
    for i, p in enumerate(prompts):
        x[i, P - len(p):] = torch.tensor(p)
        att[i, P - len(p):] = 1

    class Stop(StoppingCriteria):
        def __call__(self, input_ids, scores, **kw):
            gen = input_ids[:, P:]
            return torch.tensor([ds.should_stop(tok.decode(g.tolist()), max_new, gen.shape[1]) for g in gen],
                                dtype=torch.bool, device=input_ids.device)

    model.config.use_cache = True
    try:
        seq = model.generate(input_ids=x.to(device), attention_mask=att.to(device), do_sample=False,
                             max_new_tokens=max_new, stopping_criteria=StoppingCriteriaList([Stop()]),
                             pad_token_id=pad_id, use_cache=True)
    finally:
        model.config.use_cache = False
    out = []
    for g in seq[:, P:].tolist():
        row = []
        for t in g:  # cut at the stop rule (rows that stopped early were padded)
            row.append(t)
            if ds.should_stop(tok.decode(row), max_new, len(row)):
                break
        out.append(row)
    return out


def pass_at_1(learner, examples, batch: int, max_new: int, device, amp=None) -> float:
    """Fraction of examples whose greedily decoded final answer matches; a prompt that leaves
    no room to answer within the context counts as wrong."""
    if not examples:
        return float("nan")
    tok = learner.tokenizer
    fitting = [(e, tok.encode(e.prompt)) for e in examples]
    fitting = [(e, p) for e, p in fitting if len(p) < learner.context]
    correct = 0
    gen = _greedy_gpt if isinstance(learner, GPTLearner) else _greedy_hf
    was_training = learner.model.training
    learner.model.eval()
    try:
        for i in range(0, len(fitting), batch):
            chunk = fitting[i:i + batch]
            with _autocast(device, amp):
                outs = gen(learner, [p for _, p in chunk], max_new, device)
            for (e, _), o in zip(chunk, outs):
                if ds.is_correct(ds.final_answer(tok.decode(o)), e.final):
                    correct += 1
    finally:
        learner.model.train(was_training)
    return correct / len(examples)
