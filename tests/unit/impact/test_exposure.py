"""Tests for the O*NET task-exposure matcher (redesign.impact.exposure).

The expectations below were worked out by reading the GPTs-are-GPTs
``full_labelset.tsv`` (e.g. which O*NET tasks mention bank statements, job
applicants or customer records, and how humans and GPT-4 rated them).
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redesign.impact.exposure import (
    DEFAULT_TASKS_PATH,
    MIN_SIMILARITY,
    WEAK_SIMILARITY,
    ExposureIndex,
    ExposurePrior,
    TaskMatch,
    _stem,
    _tokens,
    _tokens_many,
    default_index,
    word_index,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
SOURCE_TSV = REPO_ROOT.parent / "shared" / "data" / "gpts-are-gpts" / "full_labelset.tsv"
BUILD_SCRIPT = REPO_ROOT / "scripts" / "build_exposure_index.py"
ATTRIBUTION_MD = DEFAULT_TASKS_PATH.parent / "ONET_ATTRIBUTION.md"

BETA = {"E0": 0.0, "E1": 1.0, "E2": 0.5}


@pytest.fixture(scope="module")
def index() -> ExposureIndex:
    """The word-overlap index (the fallback when the model package is missing; the semantic one is in test_semantic)."""
    return word_index()


def _load_build_script():
    spec = importlib.util.spec_from_file_location("build_exposure_index", BUILD_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- realistic queries ---------------------------------------------------------


def test_bank_reconciliation_lands_on_bookkeeping_tasks(index: ExposureIndex) -> None:
    matches = index.match("Reconcile bank statements with the general ledger", k=5)
    top3 = matches[:3]
    # Financial clerks (43-30xx: billing/posting, bookkeeping, payroll clerks).
    assert all(m.soc.startswith("43-30") for m in top3), [(m.soc, m.occupation) for m in top3]
    assert any("bank statements" in m.task for m in top3)
    assert any("general ledgers" in m.task for m in top3)
    assert any(m.occupation == "Bookkeeping, Accounting, and Auditing Clerks" for m in top3)


def test_screening_applications_lands_on_hr_tasks(index: ExposureIndex) -> None:
    matches = index.match("Screen job applications and shortlist candidates", k=5)
    assert matches[0].occupation == "Human Resources Specialists"
    assert matches[0].task.startswith("Select qualified job applicants")
    assert sum("applicant" in m.task or "candidate" in m.task for m in matches[:3]) == 3
    assert sum(m.soc == "13-1071.00" for m in matches) >= 2  # HR specialists


def test_interview_job_applicants_reports_the_human_ratings_of_the_data(index: ExposureIndex) -> None:
    prior = index.prior("Interview job applicants")
    top2 = {m.occupation: m for m in prior.matches[:2]}
    # O*NET has the task twice, and the paper's humans rated the two rows
    # differently: E0 for HR specialists, E2 for HR assistants (GPT-4: E2, E2).
    specialist = top2["Human Resources Specialists"]
    assert specialist.task.startswith("Interview job applicants")
    assert (specialist.human_exposure, specialist.gpt4_exposure) == ("E0", "E2")
    assistant = top2["Human Resources Assistants, Except Payroll and Timekeeping"]
    assert (assistant.human_exposure, assistant.gpt4_exposure) == ("E2", "E2")
    # The split is shown, and it caps the confidence.
    assert "differ" in prior.explanation
    assert prior.confidence < 0.5
    assert prior.gpt4_label == "E2"
    assert 0.0 < prior.score < 0.5


def test_driving_a_truck_is_unexposed_with_confidence(index: ExposureIndex) -> None:
    prior = index.prior("Drive delivery truck")
    assert prior.label == "E0"
    assert prior.gpt4_label == "E0"
    assert prior.score == 0.0
    assert all("truck" in m.task for m in prior.matches)
    assert prior.confidence > 0.5


def test_customer_questions_are_e1(index: ExposureIndex) -> None:
    prior = index.prior("Answer customer questions by phone")
    assert prior.label == "E1"
    assert all(m.human_exposure == "E1" for m in prior.matches)
    assert prior.score == 1.0
    assert prior.confidence > 0.9
    assert all(m.task.startswith(("Answer customer", "Resolve customer")) for m in prior.matches)


def test_synonyms_come_from_the_catalog_file(index: ExposureIndex, tmp_path: Path) -> None:
    # "CRM" is not an O*NET word: it only matches through exposure_synonyms.json.
    with_synonyms = index.match("Update CRM with customer details", k=3)
    assert with_synonyms[0].task == "Create or maintain database of customer accounts."
    assert all("customer" in m.task for m in with_synonyms)
    assert index.match("CRM")

    empty = tmp_path / "no_synonyms.json"
    empty.write_text('{"groups": [], "expansions": {}}', encoding="utf-8")
    bare = ExposureIndex.load(synonyms_path=empty)
    assert bare.match("CRM") == []


# -- no match, weak match ------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "!!!", "the of and", "asdf qwerty zxcv", "12345", "会议记录"])
def test_nothing_comparable_gives_no_matches(index: ExposureIndex, text: str) -> None:
    prior = index.prior(text)
    assert prior.matches == []
    assert (prior.label, prior.score, prior.confidence) == ("E0", 0.0, 0.0)
    assert "No comparable O*NET task was found" in prior.explanation
    assert index.match(text) == []


def test_weak_matches_are_called_out(index: ExposureIndex) -> None:
    prior = index.prior("Book accruals and prepayments")  # accounting jargon O*NET does not use
    assert prior.matches
    assert MIN_SIMILARITY <= prior.matches[0].similarity < WEAK_SIMILARITY
    assert prior.explanation.startswith("Only weak matches")
    assert prior.confidence < 0.2


def test_one_generic_word_gets_low_confidence(index: ExposureIndex) -> None:
    prior = index.prior("Review")
    assert prior.matches and prior.matches[0].similarity > WEAK_SIMILARITY
    assert prior.confidence < 0.3
    assert "little specific wording" in prior.explanation


# -- prior arithmetic ----------------------------------------------------------


def test_prior_is_the_similarity_weighted_human_beta(index: ExposureIndex) -> None:
    prior = index.prior("Process expense reports")
    weights = [m.similarity for m in prior.matches]
    expected = sum(w * BETA[m.human_exposure] for w, m in zip(weights, prior.matches, strict=True)) / sum(weights)
    assert prior.score == pytest.approx(expected, abs=1e-4)
    votes = {
        lab: sum(w for w, m in zip(weights, prior.matches, strict=True) if m.human_exposure == lab) for lab in BETA
    }
    assert votes[prior.label] == max(votes.values())
    for m in prior.matches:
        assert m.beta == BETA[m.human_exposure]
        assert m.gpt4_beta == BETA[m.gpt4_exposure]  # the data set's beta is GPT-4's
    assert prior.explanation.startswith("Nearest O*NET tasks: ")
    assert f"human {prior.matches[0].human_exposure}, GPT-4 {prior.matches[0].gpt4_exposure}" in prior.explanation


def test_k_is_respected_and_validated(index: ExposureIndex) -> None:
    assert len(index.match("Schedule patient appointments", k=1)) == 1
    assert len(index.match("Schedule patient appointments", k=12)) == 12
    with pytest.raises(ValueError):
        index.match("Schedule patient appointments", k=0)


def test_default_index_is_cached() -> None:
    assert default_index() is default_index()


def test_concurrent_queries_agree_with_sequential_ones(index: ExposureIndex) -> None:
    queries = ["Approve purchase orders", "Onboard new hires", "Write press release", "Inspect incoming goods"] * 5
    expected = [index.prior(q) for q in queries]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(index.prior, queries)) == expected


# -- text analysis -------------------------------------------------------------


@pytest.mark.parametrize(
    "forms",
    [
        ("hire", "hired", "hiring", "hires"),
        ("reconcile", "reconciled", "reconciling", "reconciles"),
        ("supply", "supplies", "supplied"),
        ("plan", "planned", "planning", "plans"),
        ("schedule", "scheduled", "scheduling", "schedules"),
        ("process", "processes"),
    ],
)
def test_stemmer_conflates_inflections(forms: tuple[str, ...]) -> None:
    assert len({_stem(f) for f in forms}) == 1


def test_bulk_tokenizer_matches_the_query_tokenizer(index: ExposureIndex) -> None:
    sample = [*index._text[:500], "E-mail the X-ray results", "Café owner's menu; prices (daily)."]
    assert _tokens_many(sample) == [_tokens(t) for t in sample]


# -- the shipped file ----------------------------------------------------------


def test_shipped_catalog_carries_its_attribution(index: ExposureIndex) -> None:
    with gzip.open(DEFAULT_TASKS_PATH, "rb") as handle:
        catalog = json.loads(handle.read())
    assert catalog["counts"] == {"occupations": 923, "tasks": 19265}
    assert index.task_count == 19265
    attribution = catalog["attribution"]
    text = json.dumps(attribution)
    for needle in (
        "arXiv:2303.10130",
        "Eloundou",
        "github.com/openai/GPTs-are-GPTs",
        "MIT",
        "CC BY 4.0",
        "This product includes information from the O*NET",
        "USDOL/ETA",
    ):
        assert needle in text, needle
    assert {s["license"] for s in attribution["sources"]} == {"MIT", "CC BY 4.0"}
    assert index.attribution == attribution
    assert DEFAULT_TASKS_PATH.stat().st_size < 1_500_000


def test_attribution_file_has_both_licences() -> None:
    text = ATTRIBUTION_MD.read_text(encoding="utf-8")
    assert "Copyright (c) 2024 OpenAI" in text
    assert "Permission is hereby granted, free of charge" in text
    assert "CC BY 4.0" in text
    assert "arXiv:2303.10130" in text


@pytest.mark.skipif(not SOURCE_TSV.is_file(), reason=f"source data not present at {SOURCE_TSV}")
def test_rebuilding_from_the_tsv_is_byte_identical() -> None:
    build = _load_build_script()
    data = build.build(SOURCE_TSV)
    assert data[4:8] == b"\x00\x00\x00\x00"  # gzip mtime = 0
    assert gzip.decompress(data) == gzip.decompress(DEFAULT_TASKS_PATH.read_bytes())
    assert data == DEFAULT_TASKS_PATH.read_bytes()


# -- properties ----------------------------------------------------------------

_VOCAB = [
    "reconcile",
    "invoice",
    "customer",
    "applicants",
    "schedule",
    "CRM",
    "forecast",
    "the",
    "and",
    ",",
    "review",
    "xyzzy",
    "patients",
    "truck",
    "e-mail",
    "Ärzte",
    "42",
]


def _check_prior(index: ExposureIndex, text: str, k: int) -> None:
    prior = index.prior(text, k=k)
    assert isinstance(prior, ExposurePrior)
    assert 0.0 <= prior.score <= 1.0
    assert 0.0 <= prior.confidence <= 1.0
    assert len(prior.matches) <= k
    sims = [m.similarity for m in prior.matches]
    assert sims == sorted(sims, reverse=True)
    assert all(isinstance(m, TaskMatch) and MIN_SIMILARITY - 1e-4 <= m.similarity <= 1.0 for m in prior.matches)
    if not prior.matches:
        assert (prior.label, prior.confidence) == ("E0", 0.0)
    assert prior.explanation


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300), k=st.integers(min_value=1, max_value=8))
def test_prior_never_raises_on_any_text(index: ExposureIndex, text: str, k: int) -> None:
    _check_prior(index, text, k)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(_VOCAB), max_size=12), k=st.integers(min_value=1, max_value=8))
def test_prior_never_raises_on_word_salad(index: ExposureIndex, words: list[str], k: int) -> None:
    _check_prior(index, " ".join(words), k)
