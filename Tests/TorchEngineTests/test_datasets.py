"""Data rules shared with the built-in engine: the answer table, prompt format, token stream."""
import json

import numpy as np

from helpers import REPO
from vsweep_torch import datasets as ds

TABLE = json.loads((REPO / "Tests" / "CorpusTests" / "Fixtures" / "answer_extraction_cases.json").read_text())


def test_shared_answer_table():
    for c in TABLE["final_answer"]:
        assert ds.final_answer(c["text"]) == c["expected"], c
    for c in TABLE["is_correct"]:
        assert ds.is_correct(c["predicted"], c["reference"]) == c["expected"], c
    for c in TABLE["stop_rule"]:
        assert c["count"] == len(c["generated"].encode()), c
        assert ds.should_stop(c["generated"], c["max_new"], c["count"]) == c["stop"], c


def test_prompt_format_and_documents():
    e = ds.Example("What is 3 + 4?", "3 + 4 = 7\n#### 7", "7")
    assert e.prompt == "Q: What is 3 + 4?\nA: " and e.completion == "3 + 4 = 7\n#### 7\n"
    assert ds.document_text({"problem": "P", "solution": "S", "answer": "5"}) == "Q: P\nA: S\n#### 5"
    assert ds.document_text({"problem": "P", "solution": "so \\boxed{1{2}}"}) == "Q: P\nA: so \\boxed{1{2}}\n#### 1{2}"
    assert ds.document_text({"messages": [{"role": "user", "content": "P"}, {"role": "assistant", "content": "S"}]}) == "Q: P\nA: S"
    assert ds.document_text({"text": "plain"}) == "plain"


def test_token_stream_matches_splitmix_definition():
    # mix64 against SplitMix64's published first output for seed 0 (state 0x9E3779B97F4A7C15).
    assert ds.mix64(0x9E3779B97F4A7C15) == 0xE220A8397B1DCDAF
    s = ds.TokenStream(np.arange(100), 9, 5)
    a, b = s.batch(3, range(4)), s.batch(3, range(4))
    assert a.shape == (4, 9) and (a == b).all() and (np.diff(a, axis=1) == 1).all()
