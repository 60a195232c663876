"""Data for the PyTorch engine, in the built-in engine's formats and with its rules.

- Prompt format (``Sources/Corpus/Prompt/PromptFormat.swift``): prompt = "Q: " + question +
  "\\nA: ", completion = answer + "\\n"; a CoT document is "Q: " + problem + "\\nA: " + solution
  (+ "\\n#### " + answer); documents are joined by "\\n\\n" (one after the last too).
- Answer extraction and matching (``Sources/Corpus/Evaluation/AnswerExtraction.swift``): the
  first "####", the rest of its line, a leading number written canonically, else the text
  minus one trailing "."; numbers compare as exact decimals. Cases shared with the Swift tests
  live in ``Tests/CorpusTests/Fixtures/answer_extraction_cases.json``.
- Stop rule of greedy decoding (``StopRule``).
- Readers: a ``vsweep data`` dataset directory; NuminaMath-CoT-style JSONL (``problem``/
  ``solution``[/``answer``] or ``messages``); plain-text JSONL (``text``); GSM8K JSONL
  (``question``/``answer``).
- ``TokenStream``: window ``row`` of update ``step`` starts at
  mix(mix(seed ⊕ mix(step)) ⊕ row) mod (count − T), SplitMix64's finaliser, exactly the
  Swift ``TokenStream``: the data position of a run is its update count.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

QUESTION_PREFIX = "Q: "
ANSWER_PREFIX = "\nA: "
FINAL_PREFIX = "#### "
MARKER = "####"
SEPARATOR = "\n\n"
_M64 = (1 << 64) - 1


# ---------------------------------------------------------------------------------------------
# Answers
# ---------------------------------------------------------------------------------------------

def _canonical_decimal(text: str) -> str | None:
    neg = text.startswith("-")
    body = text[1:] if neg else text
    int_part, _, frac = body.partition(".")
    if not (int_part.isdigit() or int_part == "") or not (frac.isdigit() or frac == "") or (int_part == "" and frac == ""):
        return None
    if not all(c in "0123456789" for c in int_part + frac):
        return None
    i = int_part.lstrip("0")
    f = frac.rstrip("0")
    neg = neg and not (i == "" and f == "")
    s = (i or "0") + ("." + f if f else "")
    return "-" + s if neg else s


def _scan_number(text: str):
    rest = text
    neg = dollar = False
    for _ in range(2):
        if rest.startswith("-") and not neg:
            neg, rest = True, rest[1:]
        elif rest.startswith("$") and not dollar:
            dollar, rest = True, rest[1:]
    token, seen_point, end = "", False, 0
    for i, ch in enumerate(rest):
        if ch in "0123456789":
            token += ch
        elif ch == "," and not seen_point:
            pass
        elif ch == "." and not seen_point:
            seen_point = True
            token += ch
        else:
            break
        end = i + 1
    if not any(c.isdigit() for c in token):
        return None
    if token.endswith("."):
        token = token[:-1]
    value = _canonical_decimal(("-" if neg else "") + token)
    return None if value is None else (value, rest[end:])


def final_answer(text: str) -> str | None:
    """The final answer of a worked answer or of model output (``AnswerExtraction.finalAnswer``)."""
    at = text.find(MARKER)
    if at < 0:
        return None
    rest = text[at + len(MARKER):]
    line = re.split(r"[\n\r]", rest, maxsplit=1)[0]
    trimmed = line.strip(" \t")
    scanned = _scan_number(trimmed)
    if scanned is not None:
        return scanned[0]
    word = trimmed
    if word.endswith("."):
        word = word[:-1].strip(" \t")
    return word or None


def number(text: str) -> str | None:
    scanned = _scan_number(text.strip(" \t"))
    if scanned is None or scanned[1] not in ("", "."):
        return None
    return scanned[0]


def is_correct(predicted: str | None, reference: str) -> bool:
    if predicted is None:
        return False
    p, r = number(predicted), number(reference)
    if p is not None and r is not None:
        return p == r
    return predicted.strip() == reference.strip()


def should_stop(generated: str, max_new: int, count: int) -> bool:
    """``StopRule`` on the text generated so far (``count`` tokens of it)."""
    if count >= max_new:
        return True
    if not generated.endswith("\n"):
        return False
    if generated.endswith("\n\n"):
        return True
    body = generated[:-1]
    line = body[body.rfind("\n") + 1:]
    return line.startswith(MARKER)


# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------

@dataclass
class Example:
    question: str
    answer: str
    final: str
    id: str = ""

    @property
    def prompt(self) -> str:
        return QUESTION_PREFIX + self.question + ANSWER_PREFIX

    @property
    def completion(self) -> str:
        return self.answer + "\n"


def _jsonl(path: str | Path):
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield n, json.loads(line)
                except json.JSONDecodeError as e:
                    raise ValueError(f"{path}:{n}: not JSON: {e}") from None


def read_gsm8k(path: str | Path) -> list[Example]:
    out = []
    for n, obj in _jsonl(path):
        q, a = obj.get("question"), obj.get("answer")
        if not isinstance(q, str) or not isinstance(a, str):
            raise ValueError(f"{path}:{n}: needs string fields 'question' and 'answer'")
        final = final_answer(a)
        if final is None:
            raise ValueError(f"{path}:{n}: field 'answer' has no '#### N' final-answer line")
        out.append(Example(q, a, final, str(obj.get("id", f"{Path(path).name}:{n}"))))
    return out


def _boxed(solution: str) -> str | None:
    at = solution.rfind("\\boxed{")
    if at < 0:
        return None
    i, depth, start = at + len("\\boxed{"), 1, at + len("\\boxed{")
    while i < len(solution) and depth:
        depth += {"{": 1, "}": -1}.get(solution[i], 0)
        i += 1
    return solution[start:i - 1].strip() if depth == 0 else None


def document_text(obj: dict, where: str = "") -> str:
    """The training text of one unlabeled JSONL record: ``text`` as is; a NuminaMath-CoT record
    (``problem``/``solution`` or ``messages``) in the CoT layout with its final answer line."""
    if "text" in obj and "problem" not in obj and "messages" not in obj:
        if not isinstance(obj["text"], str):
            raise ValueError(f"{where}: field 'text' is not a string")
        return obj["text"]
    if "problem" in obj or "messages" not in obj:
        problem, solution = obj.get("problem"), obj.get("solution")
        if not isinstance(problem, str) or not isinstance(solution, str):
            raise ValueError(f"{where}: needs 'text', or 'problem' and 'solution', or 'messages'")
    else:
        msgs = obj["messages"]
        user = next((i for i, m in enumerate(msgs) if m.get("role") == "user"), None)
        asst = next((m for m in msgs[(user or 0) + 1:] if m.get("role") == "assistant"), None) if user is not None else None
        if user is None or asst is None:
            raise ValueError(f"{where}: 'messages' needs a user message and an assistant message after it")
        problem, solution = msgs[user]["content"], asst["content"]
    answer = str(obj.get("answer") or "").strip() or _boxed(solution) or ""
    body = QUESTION_PREFIX + problem + ANSWER_PREFIX + solution
    return body + "\n" + FINAL_PREFIX + answer if answer else body


def read_documents(path: str | Path, limit: int | None = None) -> list[str]:
    out = []
    for n, obj in _jsonl(path):
        out.append(document_text(obj, f"{path}:{n}"))
        if limit is not None and len(out) >= limit:
            break
    return out


@dataclass
class Corpus:
    """Unlabeled documents (training text) and the downstream splits."""
    documents: list[str]
    feedback: list[Example]
    validation: list[Example]
    test: list[Example]


def read_dataset_dir(directory: str | Path) -> Corpus:
    """A ``vsweep data generate``/``import`` directory: the CoT stream (cot.jsonl) is the
    unlabeled text, as in the built-in engine; feedback/validation/test.jsonl the splits."""
    d = Path(directory)
    if not (d / "manifest.json").exists():
        raise FileNotFoundError(f"{directory}: not a vsweep dataset directory (no manifest.json)")
    return Corpus(read_documents(d / "cot.jsonl"), read_gsm8k(d / "feedback.jsonl"),
                  read_gsm8k(d / "validation.jsonl"), read_gsm8k(d / "test.jsonl"))


def read_sources(unlabeled: list[str], feedback: str, test: str | None, validation: str | None,
                 validation_size: int, max_documents: int | None = None) -> Corpus:
    """Separate files: unlabeled JSONL streams, a GSM8K-style feedback pool, optional test and
    validation files. Without a validation file the last ``validation_size`` examples of the
    feedback pool are the validation split and never feed g_down."""
    docs: list[str] = []
    for path in unlabeled:
        docs += read_documents(path, None if max_documents is None else max_documents - len(docs))
    pool = read_gsm8k(feedback)
    if validation:
        val = read_gsm8k(validation)
    else:
        if validation_size >= len(pool):
            raise ValueError(f"{feedback}: {len(pool)} examples cannot give a validation split of {validation_size}")
        pool, val = pool[:len(pool) - validation_size], pool[len(pool) - validation_size:]
    return Corpus(docs, pool, val, read_gsm8k(test) if test else [])


def unlabeled_stream(documents: list[str], tokenizer) -> np.ndarray:
    """Packed token stream: documents joined by "\\n\\n" (one after the last too), tokenized.
    For byte tokenizers this is the built-in engine's byte stream exactly."""
    if hasattr(tokenizer, "tok"):  # HF: tokenize per document, EOS-free, separator tokens between
        sep = tokenizer.encode(SEPARATOR)
        out: list[int] = []
        for text in documents:
            out += tokenizer.encode(text) + sep
        return np.asarray(out, dtype=np.int64)
    return np.frombuffer("".join(t + SEPARATOR for t in documents).encode("utf-8"), dtype=np.uint8).astype(np.int64)


def split_heldout(stream: np.ndarray, T: int) -> tuple[np.ndarray, np.ndarray]:
    """The last 5% (at least T + 1 tokens) is held out, as ``UnlabeledSplit``."""
    n = len(stream)
    cut = max(0, n - max(n // 20, T + 1))
    return stream[:cut], stream[cut:]


def heldout_windows(heldout: np.ndarray, T: int, n: int) -> list[np.ndarray]:
    positions = len(heldout) - (T + 1)
    if n <= 0 or positions < 0:
        return []
    return [heldout[positions * i // max(n - 1, 1):][:T + 1] for i in range(n)]


def mix64(z: int) -> int:
    """SplitMix64's finaliser."""
    z &= _M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


class TokenStream:
    """Random contiguous windows of T + 1 tokens, a pure function of (seed, step, row)."""

    def __init__(self, tokens: np.ndarray, window: int, seed: int):
        if len(tokens) < window:
            raise ValueError(f"the unlabeled stream has {len(tokens)} tokens, fewer than a window of {window}")
        self.tokens, self.window, self.seed = tokens, window, seed & _M64

    def offset(self, step: int, row: int) -> int:
        positions = len(self.tokens) - self.window + 1
        return mix64(mix64(self.seed ^ mix64(step)) ^ (row & _M64)) % positions

    def batch(self, step: int, rows) -> np.ndarray:
        return np.stack([self.tokens[self.offset(step, r):][:self.window] for r in rows])


def swift_stream_seed(seed: int) -> int:
    """The built-in engine's stream seed: seed &* 0x9E3779B9 &+ 17."""
    return (seed * 0x9E3779B9 + 17) & _M64
