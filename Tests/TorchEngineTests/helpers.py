"""Helpers shared by the engine tests: running the engine, validating protocol output."""
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "Sources" / "TorchEngine"


def engine_env(**extra):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PACKAGE) + os.pathsep + env.get("PYTHONPATH", "")
    env.update({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"})
    env.update(extra)
    return env


def events(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def validate_protocol(path):
    """Runs scripts/validate-protocol on a file of engine stdout; asserts it passes."""
    r = subprocess.run([sys.executable, str(REPO / "scripts" / "validate-protocol"), str(path)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def make_dataset(directory, n_docs=60, n_examples=40, seed=0):
    """A tiny dataset directory in the built-in layout (manifest.json, cot.jsonl,
    feedback/validation/test.jsonl): addition problems, CoT documents and GSM8K-style examples."""
    import random
    rng = random.Random(seed)
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)

    def example(i):
        a, b = rng.randint(1, 9), rng.randint(1, 9)
        return {"id": f"e{i}", "question": f"{a}+{b}?", "answer": f"{a}+{b}={a + b}\n#### {a + b}", "family": "add"}

    docs = []
    for i in range(n_docs):
        a, b = rng.randint(1, 9), rng.randint(1, 9)
        docs.append({"id": f"d{i}", "problem": f"{a}+{b}?", "solution": f"{a}+{b}={a + b}", "answer": str(a + b),
                     "family": "add", "difficulty": 1})
    files = {"cot.jsonl": docs, "base.jsonl": [], "feedback.jsonl": [example(i) for i in range(n_examples)],
             "validation.jsonl": [example(1000 + i) for i in range(8)],
             "test.jsonl": [example(2000 + i) for i in range(8)]}
    for name, rows in files.items():
        (d / name).write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in rows))
    (d / "manifest.json").write_text(json.dumps({"format": "vsweep-dataset", "version": 1, "files": []}))
    return d


def make_gpt_base(path, seed=0, d_model=16, n_layer=2, n_head=2, context=32, std=0.1):
    """A random built-in GPT checkpoint (the Swift engine reads it too)."""
    import torch
    from vsweep_torch.gpt import GPT, GPTConfig
    m = GPT(GPTConfig(256, d_model, n_layer, n_head, context, 1))
    m.init_random(seed, std=std)
    with torch.no_grad():
        g = torch.Generator().manual_seed(seed + 1)
        for name, p in m.named_canonical():
            if name.endswith((".ln1.w", ".ln2.w", "lnf.w")):
                p.add_(0.1 * torch.randn(p.shape, generator=g))
            elif name.endswith(".b"):
                p.copy_(0.02 * torch.randn(p.shape, generator=g))
    m.save_builtin(path)
    return path


def write_config(path, **sections):
    import yaml
    Path(path).write_text(yaml.safe_dump(sections, sort_keys=False))
    return path


def make_tiny_qwen(directory, seed=0, layers=2, hidden=16, tie=True):
    """A 2-layer Qwen2 with random weights and a character tokenizer built here (nothing downloaded)."""
    import string

    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM
    vocab = {"<unk>": 0, "<pad>": 1, "<eos>": 2}
    for ch in string.digits + string.ascii_letters + " +-*/=?#.,:\n$()":
        vocab[ch] = len(vocab)
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Split("", "isolated")
    tok.decoder = decoders.Fuse()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>", eos_token="<eos>")
    cfg = Qwen2Config(vocab_size=len(vocab), hidden_size=hidden, intermediate_size=2 * hidden, num_hidden_layers=layers,
                      num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=64,
                      tie_word_embeddings=tie, initializer_range=0.2)
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(cfg)
    model.save_pretrained(directory)
    fast.save_pretrained(directory)
    return Path(directory)
