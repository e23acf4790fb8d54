"""O*NET task-exposure priors for process steps.

Crossflow suggests an exposure tag (E0/E1/E2, the rubric of Eloundou, Manning,
Mishkin & Rock, "GPTs are GPTs", arXiv:2303.10130) for a process step by finding
the O*NET task statements whose wording is closest to the step's name and
reading off how those tasks were rated. The result is a *prior* with its
evidence: a facilitator can override it, and the matched tasks show why it was
suggested.

Data: ``catalog/onet_tasks.json.gz``, built by ``scripts/build_exposure_index.py``
from the GPTs-are-GPTs ``full_labelset.tsv`` (labels MIT (c) OpenAI; O*NET task
statements CC BY 4.0 USDOL/ETA; see ``catalog/ONET_ATTRIBUTION.md``).

Matching
--------
* Text -> terms: ASCII-folded, lower-cased word tokens; a small stopword list;
  a light suffix stemmer (plural, -ing, -ed, final -e, y -> i) so that "hire",
  "hired" and "hiring" agree; plus bigrams of adjacent content words ("general
  ledger", "job applicant"), not across punctuation or and/or, so the
  comma-separated lists O*NET is full of do not make spurious phrases.
* TF-IDF with binary term frequency (task statements rarely repeat a word) and
  ``idf = ln((N + 1) / (df + 1)) + 1``; task vectors are L2-normalised.
* ``similarity`` = sqrt(cosine x coverage), where coverage is the share of the
  query's (squared) TF-IDF weight that the task contains. Plain cosine favours
  very short tasks that share one word ("Send out surveys" for "Send invoice
  to customer"); the coverage factor favours tasks that contain *most* of the
  step's words. Both factors are in [0, 1], and so is the similarity.
* Scoring walks an inverted index (one sorted posting list per term): only
  tasks sharing a term with the query are touched; a query takes ~1 ms.
* Query words O*NET never uses (jargon, typos) still count in the query's norm
  at the highest idf, so "Update Salesforce opportunities" does not look like a
  perfect match for a task that merely says "update".
* Synonyms live in ``catalog/exposure_synonyms.json`` (data, not code): a query
  term also searches for its synonyms at ``SYNONYM_WEIGHT``, or at full weight
  when the term itself never occurs in O*NET (e.g. "CRM", "shortlist").
* Tasks with identical text and identical labels (O*NET repeats some tasks
  across occupations, e.g. 34 postsecondary-teacher occupations) are indexed
  once, under the first occupation listed, so they do not crowd the top k.

The prior
---------
* ``label``: the similarity-weighted plurality of the matches' **human** labels
  (``human_exposure_agg``, the aggregated rating of the paper's human
  annotators). The human rating is the paper's reference rating, so it is the
  primary prior; GPT-4's rating of the same tasks is reported beside it as a
  second opinion (``gpt4_label``, ``gpt4_score``): the two disagree on about a
  third of all tasks. Ties go to the label of the better-ranked match.
* ``score``: the similarity-weighted mean of the matches' human beta
  (E1 = 1, E2 = 0.5, E0 = 0, as in the paper's beta = E1 + 0.5 * E2).
* ``confidence`` = strength x agreement x evidence:
  strength rises linearly from 0 at ``MIN_SIMILARITY`` to 1 at
  ``STRONG_SIMILARITY`` (best match); agreement is the weighted share of the
  winning label rescaled from [1/3, 1] to [0, 1] (a three-way split gives 0);
  evidence is the summed idf of the query terms the best match shares, over
  ``EVIDENCE_IDF``, capped at 1 (a one-word step such as "Review" matches
  many tasks well but says little).
* No task above ``MIN_SIMILARITY`` (nothing shares a meaningful word): no
  matches, label E0, score 0, confidence 0 and an explanation saying so. A best
  similarity below ``WEAK_SIMILARITY`` is called out as weak.

Everything here is pure (no Streamlit, no SQL) and an ``ExposureIndex`` is
read-only after construction, so one instance can serve concurrent queries.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from heapq import nlargest
from itertools import accumulate, chain, pairwise, repeat
from pathlib import Path
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "DEFAULT_SYNONYMS_PATH",
    "DEFAULT_TASKS_PATH",
    "EVIDENCE_IDF",
    "MIN_SIMILARITY",
    "STRONG_SIMILARITY",
    "WEAK_SIMILARITY",
    "ExposureIndex",
    "ExposurePrior",
    "FlowPrior",
    "SemanticIndex",
    "StepQuery",
    "TaskMatch",
    "default_index",
    "query_key",
    "word_index",
]

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"
DEFAULT_TASKS_PATH = CATALOG_DIR / "onet_tasks.json.gz"
DEFAULT_SYNONYMS_PATH = CATALOG_DIR / "exposure_synonyms.json"
CATALOG_FORMAT = "crossflow.onet_tasks/1"

# Thresholds were set by reading the matches for ~200 realistic step names
# (bench/exposure.py): below ~0.15 matches are noise ("asdf data", "The quick
# brown fox"), below ~0.35 the nearest task is usually only loosely related,
# above ~0.65 it is usually a paraphrase of the step.
#: Below this similarity a task is not reported as a match at all.
MIN_SIMILARITY = 0.15
#: A best match below this is "weak": the explanation says so.
WEAK_SIMILARITY = 0.35
#: A best match at or above this gives full strength to the confidence.
STRONG_SIMILARITY = 0.65
#: Summed idf of shared terms that counts as full evidence (about two
#: specific words, or a word and a shared bigram).
EVIDENCE_IDF = 15.0
#: Weight of a synonym relative to the word the user wrote.
SYNONYM_WEIGHT = 0.5
#: Weight of a bigram relative to a unigram with the same idf.
BIGRAM_WEIGHT = 1.0

Label = Literal["E0", "E1", "E2"]
AutomationLevel = Literal["T0", "T1", "T2", "T3", "T4"]
LABELS: tuple[Label, ...] = ("E0", "E1", "E2")
BETA_OF_LABEL: dict[str, float] = {"E0": 0.0, "E1": 1.0, "E2": 0.5}

NO_MATCH_EXPLANATION = (
    "No comparable O*NET task was found: no task shares enough meaningful wording "
    "with this text, so there is no evidence for a prior (E0 here is only a "
    "placeholder, with confidence 0)."
)


class TaskMatch(BaseModel):
    """One O*NET task close to the query, with its ratings."""

    model_config = ConfigDict(frozen=True)

    soc: str
    occupation: str
    task: str
    similarity: float = Field(ge=0.0, le=1.0)
    human_exposure: Label
    gpt4_exposure: Label
    gpt4_automation: AutomationLevel
    beta: float = Field(ge=0.0, le=1.0, description="human beta from human_exposure: E1=1, E2=0.5, E0=0")
    gpt4_beta: float = Field(ge=0.0, le=1.0, description="the data set's beta column, from the GPT-4 label")


class ExposurePrior(BaseModel):
    """Suggested exposure label for a step, with the evidence behind it."""

    model_config = ConfigDict(frozen=True)

    label: Label
    score: float = Field(ge=0.0, le=1.0)
    confidence: float = Field(ge=0.0, le=1.0)
    matches: list[TaskMatch]
    explanation: str
    gpt4_label: Label = "E0"
    gpt4_score: float = Field(default=0.0, ge=0.0, le=1.0)


# --------------------------------------------------------------------------
# Text analysis

_STOPWORDS = frozenset(
    """
    a about above across after against all also among an any are as at be been
    before being below between both by can could do does during each eg either
    etc for from had has have he her his how ie if in including into is it its
    may might more most must no not of on onto other others our out over per she
    should so some such than that the their them there these they this those
    through to under up upon us use used uses using via was we were what when
    where whether which while who whom whose will with within without would you
    your
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
#: Words that end a phrase, like punctuation: no bigram spans them.
_BREAKERS = frozenset(("and", "or", "nor", "but", "then"))
_BREAK = "|"
_APOSTROPHE_S = re.compile(r"['\u2019]s\b")
_LETTER_HYPHEN = re.compile(r"\b([a-z])-(?=[a-z])")
_TOKEN = re.compile(r"[a-z0-9]+|[,;:.!?()\[\]/]")
_VOWELS = frozenset("aeiou")
_NO_DEDOUBLE = _VOWELS | set("lsz")
_NO_E = _VOWELS | set("wxy")


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """A deliberately small suffix stemmer; identical on tasks and queries."""
    w = word
    if len(w) <= 3:
        return w
    verbal = False
    if w.endswith(("ies", "ied")) and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("ing") and len(w) > 5:
        w, verbal = w[:-3], True
    elif w.endswith("ed") and not w.endswith("eed") and len(w) > 4:
        w, verbal = w[:-2], True
    elif w.endswith(("ches", "shes")) or (w.endswith("es") and w[-3] in "xz"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in _NO_DEDOUBLE:
        w = w[:-1]  # planned -> plan, staffing/staff -> staf
    elif verbal and len(w) == 3 and w[0] not in _VOWELS and w[1] in _VOWELS and w[2] not in _NO_E:
        w += "e"  # hir(ing) -> hire, cod(ed) -> code
    if len(w) >= 5 and w.endswith("e"):
        w = w[:-1]  # schedule/scheduling -> schedul
    if len(w) >= 4 and w.endswith("y"):
        w = w[:-1] + "i"  # supply/supplies -> suppli
    return w


@lru_cache(maxsize=1 << 16)
def _keep(token: str) -> str | None:
    """Stem of a raw token; ``_BREAK`` for punctuation and and/or; else None."""
    if token in _BREAKERS or not token[0].isalnum():
        return _BREAK
    if len(token) < 2 or token.isdigit() or token in _STOPWORDS:
        return None
    return _stem(token)


def _fold(text: str) -> str:
    """ASCII-fold and lower-case; drop possessive 's; join e-mail, x-ray."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _LETTER_HYPHEN.sub(r"\1", _APOSTROPHE_S.sub("", text.lower()))


def _tokens(text: str) -> list[str]:
    """Stemmed content words of ``text`` in order, with ``_BREAK`` markers."""
    return list(filter(None, map(_keep, _TOKEN.findall(_fold(text)))))


def _tokens_many(texts: list[str]) -> list[list[str]]:
    """``[_tokens(t) for t in texts]``, folding all texts in one pass."""
    blob = "\n".join(texts)
    if blob.count("\n") != len(texts) - 1:  # a text with a newline: go slow
        return [_tokens(t) for t in texts]
    findall = _TOKEN.findall
    return [list(filter(None, map(_keep, findall(line)))) for line in _fold(blob).split("\n")]


def _terms(tokens: list[str]) -> list[str]:
    """Unigrams, then the bigrams of adjacent words not split by a break."""
    unigrams = [t for t in tokens if t != _BREAK]
    bigrams = [f"{a} {b}" for a, b in pairwise(tokens) if a != _BREAK != b]
    return unigrams + bigrams


def _words(text: str) -> list[str]:
    """Stemmed content words of ``text``, in order."""
    return [t for t in _tokens(text) if t != _BREAK]


def _short(text: str, limit: int = 90) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"


# --------------------------------------------------------------------------
# The index


class ExposureIndex:
    """TF-IDF index over the O*NET task statements; read-only once built."""

    def __init__(self, catalog: Mapping[str, Any], synonyms: Mapping[str, Any] | None = None) -> None:
        if catalog.get("format") != CATALOG_FORMAT:
            raise ValueError(f"not a {CATALOG_FORMAT} catalog")
        self.attribution: dict[str, Any] = dict(catalog["attribution"])
        tasks = catalog["tasks"]
        socs: list[str] = catalog["occupations"]["soc"]
        titles: list[str] = catalog["occupations"]["title"]
        texts: list[str] = tasks["text"]
        human: list[str] = tasks["human_exposure"]
        gpt4: list[str] = tasks["gpt4_exposure"]
        auto: list[str] = tasks["gpt4_automation"]
        occ: list[int] = tasks["occupation"]
        #: Number of task rows in the catalog (before merging repeats).
        self.task_count = len(texts)

        # One entry per (text, labels): O*NET repeats some tasks verbatim.
        first: dict[tuple[str, str, str, str], int] = {}
        for i, key in enumerate(zip(texts, human, gpt4, auto, strict=True)):
            first.setdefault(key, i)
        keep = list(first.values())
        #: Catalog row of each indexed task (the semantic matcher looks its vector up by it).
        self.rows = keep
        self._soc = [socs[occ[i]] for i in keep]
        self._occupation = [titles[occ[i]] for i in keep]
        self._text = [texts[i] for i in keep]
        self._human = [human[i] for i in keep]
        self._gpt4 = [gpt4[i] for i in keep]
        self._automation = [auto[i] for i in keep]
        self._gpt4_beta = [float(tasks["gpt4_beta"][i]) for i in keep]

        # The inverted index is built with bulk operations (C loops: map,
        # chain, sorted) rather than a Python loop per (term, task) pair;
        # this is what keeps loading at about half a second.
        doc_terms = [list(dict.fromkeys(_terms(t))) for t in _tokens_many(self._text)]
        n = len(doc_terms)
        term_ids = dict.fromkeys(chain.from_iterable(doc_terms))
        self._term_ids: dict[str, int] = dict(zip(term_ids, range(len(term_ids)), strict=True))
        flat = list(map(self._term_ids.__getitem__, chain.from_iterable(doc_terms)))
        lengths = list(map(len, doc_terms))
        flat_docs = list(chain.from_iterable(map(repeat, range(n), lengths)))
        df_count = Counter(flat)
        df = list(map(df_count.__getitem__, range(len(term_ids))))
        self._idf = [math.log((n + 1) / (d + 1)) + 1.0 for d in df]
        if BIGRAM_WEIGHT != 1.0:
            for term, tid in self._term_ids.items():
                if " " in term:
                    self._idf[tid] *= BIGRAM_WEIGHT
        self._oov_idf = math.log(n + 1) + 1.0
        idf_of = self._idf.__getitem__
        bounds = list(accumulate(lengths, initial=0))
        self._inv_norm = [1.0 / (math.hypot(*map(idf_of, flat[a:b])) or 1.0) for a, b in pairwise(bounds)]
        # Stable sort by term id: each term's tasks end up contiguous and in
        # ascending order, so posting list t is _posting_docs[start[t]:start[t+1]].
        order = sorted(range(len(flat)), key=flat.__getitem__)
        self._posting_docs = list(map(flat_docs.__getitem__, order))
        self._posting_start = list(accumulate(df, initial=0))
        self._synonyms = self._compile_synonyms(synonyms or {})

    @classmethod
    def load(cls, path: Path | None = None, synonyms_path: Path | None = None) -> ExposureIndex:
        """Build an index from a catalog file (default: the shipped one)."""
        with gzip.open(path or DEFAULT_TASKS_PATH, "rb") as handle:
            catalog = json.loads(handle.read())
        synonyms = json.loads((synonyms_path or DEFAULT_SYNONYMS_PATH).read_text(encoding="utf-8"))
        return cls(catalog, synonyms)

    @staticmethod
    def _compile_synonyms(data: Mapping[str, Any]) -> dict[str, list[str]]:
        """Map a query key (a stem, or a 'stem stem' bigram) to the terms it adds."""
        table: dict[str, list[str]] = {}

        def add(key_phrase: str, targets: Iterable[str]) -> None:
            words = _words(key_phrase)
            if not words or len(words) > 2:
                return
            key = " ".join(words)
            extra = table.setdefault(key, [])
            for target in targets:
                for term in _terms(_tokens(target)):
                    if term != key and term not in extra:
                        extra.append(term)

        for group in data.get("groups", []):
            for member in group:
                add(member, [m for m in group if m != member])
        for key, targets in data.get("expansions", {}).items():
            add(key, targets)
        return table

    # -- queries -------------------------------------------------------------

    def _query_vector(self, text: str) -> tuple[dict[int, float], float]:
        """Query weights by term id (indexed terms only), and the query norm."""
        ids = self._term_ids
        idf = self._idf
        vec: dict[int, float] = {}
        oov_sq = 0.0
        for term in dict.fromkeys(_terms(_tokens(text))):
            tid = ids.get(term)
            expansion = [ids[t] for t in self._synonyms.get(term, ()) if t in ids]
            if tid is not None:
                vec[tid] = max(vec.get(tid, 0.0), idf[tid])
            elif " " not in term and not expansion:
                # An unknown word still dilutes the match; unknown bigrams
                # are the norm for free text and are simply ignored.
                oov_sq += self._oov_idf**2
            factor = SYNONYM_WEIGHT if tid is not None else 1.0
            for sid in expansion:
                vec[sid] = max(vec.get(sid, 0.0), factor * idf[sid])
        norm = math.sqrt(math.fsum(w * w for w in vec.values()) + oov_sq)
        return vec, norm

    def _search(self, text: str, k: int) -> tuple[list[tuple[int, float]], dict[int, float]]:
        """Top ``k`` (task, similarity) pairs, best first, and the query vector."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, not {type(text).__name__}")
        if k < 1:
            raise ValueError("k must be at least 1")
        vec, norm = self._query_vector(text)
        if not vec:
            return [], vec
        dots: dict[int, float] = {}
        cover: dict[int, float] = {}
        idf = self._idf
        inv = self._inv_norm
        docs = self._posting_docs
        start = self._posting_start
        for tid, weight in vec.items():
            q = weight / norm
            qd = q * idf[tid]
            qq = q * q
            for doc in docs[start[tid] : start[tid + 1]]:
                dots[doc] = dots.get(doc, 0.0) + qd * inv[doc]
                cover[doc] = cover.get(doc, 0.0) + qq
        sims = ((math.sqrt(min(1.0, d) * min(1.0, cover[doc])), -doc) for doc, d in dots.items())
        best = nlargest(k, (pair for pair in sims if pair[0] >= MIN_SIMILARITY))
        return [(-neg_doc, s) for s, neg_doc in best], vec

    def _shared_idf(self, doc: int, vec: dict[int, float]) -> float:
        """Summed query weight of the query terms that task ``doc`` contains."""
        docs = self._posting_docs
        start = self._posting_start
        total = 0.0
        for tid, weight in vec.items():
            lo, hi = start[tid], start[tid + 1]
            i = bisect_left(docs, doc, lo, hi)
            if i < hi and docs[i] == doc:
                total += weight
        return total

    def _task_match(self, doc: int, similarity: float) -> TaskMatch:
        human = self._human[doc]
        return TaskMatch(
            soc=self._soc[doc],
            occupation=self._occupation[doc],
            task=self._text[doc],
            similarity=round(min(1.0, similarity), 4),
            human_exposure=human,  # type: ignore[arg-type]  # catalog labels are read as str; pydantic validates them
            gpt4_exposure=self._gpt4[doc],  # type: ignore[arg-type]  # as above
            gpt4_automation=self._automation[doc],  # type: ignore[arg-type]  # as above
            beta=BETA_OF_LABEL[human],
            gpt4_beta=self._gpt4_beta[doc],
        )

    def match(self, text: str, k: int = 5) -> list[TaskMatch]:
        """The ``k`` O*NET tasks most similar to ``text``, most similar first."""
        hits, _ = self._search(text, k)
        return [self._task_match(doc, sim) for doc, sim in hits]

    def prior(self, text: str, k: int = 5) -> ExposurePrior:
        """Exposure prior for a step described by ``text`` (see the module doc)."""
        hits, vec = self._search(text, k)
        if not hits:
            return ExposurePrior(label="E0", score=0.0, confidence=0.0, matches=[], explanation=NO_MATCH_EXPLANATION)
        matches = [self._task_match(doc, sim) for doc, sim in hits]
        evidence = _clamp(self._shared_idf(hits[0][0], vec) / EVIDENCE_IDF)
        return prior_from(matches, evidence, Thresholds(MIN_SIMILARITY, WEAK_SIMILARITY, STRONG_SIMILARITY))


class Thresholds(NamedTuple):
    """Similarity cut-offs of one matcher: no match below ``low``, weak below ``weak``, full strength at ``strong``."""

    low: float
    weak: float
    strong: float


def prior_from(matches: list[TaskMatch], evidence: float, th: Thresholds, note: str = "") -> ExposurePrior:
    """The prior and its explanation from ranked matches (best first); ``evidence`` in [0, 1]."""
    weights = [m.similarity for m in matches]
    total = math.fsum(weights)
    score = _clamp(math.fsum(w * m.beta for w, m in zip(weights, matches, strict=True)) / total)
    gpt4_score = _clamp(math.fsum(w * m.gpt4_beta for w, m in zip(weights, matches, strict=True)) / total)
    label, share, votes = _vote([m.human_exposure for m in matches], weights)
    gpt4_label, _, _ = _vote([m.gpt4_exposure for m in matches], weights)

    best = matches[0].similarity
    strength = _clamp((best - th.low) / (th.strong - th.low))
    agreement = _clamp((share - 1 / 3) * 1.5)
    confidence = round(strength * agreement * evidence, 3)

    parts: list[str] = [note] if note else []
    if best < th.weak:
        parts.append(
            f"Only weak matches (best similarity {best:.2f}, below {th.weak:.2f}): treat this as a rough hint."
        )
    shown = "; ".join(
        f'"{_short(m.task)}" ({m.occupation}, human {m.human_exposure}, GPT-4 {m.gpt4_exposure}, '
        f"similarity {m.similarity:.2f})"
        for m in matches[:3]
    )
    parts.append(f"Nearest O*NET tasks: {shown}.")
    if share < 1.0:
        split = ", ".join(f"{lab} {votes[lab] / total:.0%}" for lab in LABELS if votes[lab])
        parts.append(f"Human ratings of the matches differ ({split}).")
    if evidence < 1.0:
        parts.append("The step has little specific wording to go on, so confidence is reduced.")
    parts.append(
        f"Prior {label} from the human ratings (beta {score:.2f}, confidence {confidence:.2f}); "
        f"GPT-4 second opinion {gpt4_label} (beta {gpt4_score:.2f})."
    )
    return ExposurePrior(
        label=label,
        score=round(score, 4),
        confidence=confidence,
        matches=matches,
        explanation=" ".join(parts),
        gpt4_label=gpt4_label,
        gpt4_score=round(gpt4_score, 4),
    )


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def _vote(labels: list[Label], weights: list[float]) -> tuple[Label, float, dict[str, float]]:
    """Similarity-weighted plurality; ties go to the better-ranked match."""
    votes: dict[str, float] = dict.fromkeys(LABELS, 0.0)
    for lab, w in zip(labels, weights, strict=True):
        votes[lab] += w
    top = max(votes.values())
    winner = next(lab for lab in labels if votes[lab] == top)
    total = math.fsum(weights)
    return winner, (top / total if total else 0.0), votes


# --------------------------------------------------------------------------
# Matching by meaning

DEFAULT_VECTORS_PATH = CATALOG_DIR / "onet_task_vectors.npz"
#: Cosine cut-offs of the sentence-embedding matcher. all-MiniLM-L6-v2 puts unrelated
#: sentences at 0.0-0.25, related work at 0.4-0.6 and paraphrases above 0.7; set by
#: reading the matches of the labelled set (tests/unit/impact/data/matcher_labels.json).
SEMANTIC_THRESHOLDS = Thresholds(low=0.30, weak=0.45, strong=0.70)
_NUMBER = re.compile(r"\b\d+\b")
#: Share of the word-overlap similarity added to the cosine for ranking, and how many word
#: matches are considered (bench/matcher.py; 0.1-0.3 all help a little, 0.2 best).
WORD_WEIGHT = 0.2
WORD_CANDIDATES = 50
_SEMANTIC_NOTE = "Matched by meaning (sentence embeddings, all-MiniLM-L6-v2)."
#: Matching a step in its flow (``SemanticIndex.match_step``), chosen on the tuning steps of the
#: labelled set only (bench/matcher.py): "flow: name" and "flow: name. description" are read
#: half each, the bare name adds BARE_NAME_WEIGHT of its cosine; word overlap of the name adds
#: STEP_WORD_WEIGHT of its similarity; an O*NET occupation whose tasks, on average, read like the
#: whole flow adds FLOW_WEIGHT of that cosine, and one whose title reads like "flow: name" adds
#: TITLE_WEIGHT of that cosine. The best RERANK_CANDIDATES are then reranked with VERB_WEIGHT of
#: the similarity of the activities (``verbs``): the step's verbs against the task's opening verbs.
STEP_WORD_WEIGHT = 0.2
FLOW_WEIGHT = 0.15
BARE_NAME_WEIGHT = 0.25
TITLE_WEIGHT = 0.2
VERB_WEIGHT = 0.15
RERANK_CANDIDATES = 60


class StepQuery(NamedTuple):
    """What the app knows about a step when it matches it: its flow's name, its name, its description."""

    flow: str
    name: str
    description: str = ""

    def texts(self) -> tuple[str, str]:
        """The two readings of the step: "flow: name", and the same with the description."""
        lead = f"{self.flow}: " if self.flow.strip() else ""
        named = f"{lead}{self.name}"
        described = f"{named}. {self.description}" if self.description.strip() else named
        return named, described

    def encoded(self) -> tuple[str, ...]:
        """Every text the matcher encodes for the step: its two readings, its bare name and its verbs."""
        return (*self.texts(), self.name)


class FlowPrior(NamedTuple):
    """How much each indexed task's occupation reads like one flow (``SemanticIndex.flow_prior``)."""

    key: str  # identifies the flow's wording, for the prior cache
    boost: Any  # float32 array, one value per indexed task


@lru_cache(maxsize=1 << 16)  # the same texts are keyed when warming, for the flow prior and per step
def query_key(text: str) -> str:
    """What a step's text is matched as: case, spacing and bare numbers ("Screen applications 17")
    say nothing about the work, and dropping them lets steps that differ only there share one lookup."""
    return " ".join(_NUMBER.sub(" ", text).split()).casefold()


class SemanticIndex:
    """O*NET tasks matched by the cosine of sentence vectors; priors computed as for ``ExposureIndex``.

    The task vectors are precomputed (``scripts/build_task_vectors.py``) and shipped; only
    the step's text is encoded here, once per distinct text (``query_key``).
    """

    #: Callers put the flow's name before the step's (``suggest.step_queries``).
    uses_context = True

    def __init__(
        self, words: ExposureIndex, encoder: Any, vectors: Any, rows: Any, extras: Mapping[str, Any] | None = None
    ) -> None:
        import numpy as np

        from redesign.impact.verbs import MAX_TASK_VERBS, task_verbs, verb_vocabulary

        self.words = words
        self.encoder = encoder
        self.attribution = words.attribution
        self.task_count = words.task_count
        # Rows of the indexed tasks (repeats merged as in ``words``), as float32 for BLAS.
        self._matrix = np.ascontiguousarray(vectors[np.asarray(rows)[np.asarray(words.rows)]], dtype=np.float32)
        # Each occupation as the normalised mean of its tasks' vectors: what its work reads like.
        titles = list(dict.fromkeys(words._occupation))
        number = {title: i for i, title in enumerate(titles)}
        self._occupation_of = np.array([number[t] for t in words._occupation], dtype=np.int32)
        centroids = np.zeros((len(titles), self._matrix.shape[1]), dtype=np.float32)
        np.add.at(centroids, self._occupation_of, self._matrix)
        self._centroids = centroids / np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
        # For the reranking (``_search_step``): each occupation's title and each task's opening
        # verbs as vectors, shipped with the task vectors; without them (vectors built before
        # the reranking) their weights are simply not applied.
        extras = extras or {}
        self._titles = None
        if "title_vectors" in extras and len(extras["title_vectors"]) == len(extras["titles"]):
            by_title = dict(zip(extras["titles"], extras["title_vectors"], strict=True))
            if all(t in by_title for t in titles):
                self._titles = np.stack([by_title[t] for t in titles]).astype(np.float32)
        self._verb_vectors = None
        self.verb_vocabulary = verb_vocabulary(words._text)
        if "verb_vectors" in extras:
            names = list(extras["verbs"])
            row_of = {v: i for i, v in enumerate(names)}
            self._verb_vectors = np.asarray(extras["verb_vectors"], dtype=np.float32)
            self._verb_rows_of_stem: dict[str, list[int]] = {}
            for i, v in enumerate(names):
                self._verb_rows_of_stem.setdefault(_stem(v), []).append(i)
            # Each task's opening verbs as rows of the verb table, padded with -1.
            self._task_verbs = np.full((len(words._text), MAX_TASK_VERBS), -1, dtype=np.int32)
            for doc, text in enumerate(words._text):
                found = [row_of[v] for v in task_verbs(text, self.verb_vocabulary) if v in row_of]
                self._task_verbs[doc, : len(found)] = found
        self._cache: dict[str, Any] = {}
        self._priors: dict[tuple[Any, ...], ExposurePrior] = {}

    @classmethod
    def load(cls, words: ExposureIndex | None = None, path: Path | None = None) -> SemanticIndex | None:
        """The shipped vectors with the installed model, or None if either is missing or stale."""
        import hashlib

        import numpy as np

        from redesign.impact.embedding import default_encoder

        path = path or DEFAULT_VECTORS_PATH
        encoder = default_encoder()
        if encoder is None or not path.is_file():
            return None
        with np.load(path) as data:
            if str(data["checksum"]) != hashlib.sha256(DEFAULT_TASKS_PATH.read_bytes()).hexdigest():
                return None  # vectors of another catalog: rebuild them (scripts/build_task_vectors.py)
            vectors = data["vectors"].astype(np.float32) * data["scale"][:, None]
            rows = data["row"]
            extras: dict[str, Any] = {}
            if "title_vectors" in data.files and "verb_vectors" in data.files:
                extras["title_vectors"] = data["title_vectors"].astype(np.float32) * data["title_scale"][:, None]
                extras["verb_vectors"] = data["verb_vectors"].astype(np.float32) * data["verb_scale"][:, None]
                extras["verbs"] = [str(v) for v in data["verbs"]]
                extras["titles"] = [str(t) for t in data["titles"]]
        return cls(words or ExposureIndex.load(), encoder, vectors, rows, extras)

    def _vector(self, key: str) -> Any:
        vec = self._cache.get(key)
        if vec is None:
            if len(self._cache) > 50_000:
                self._cache.clear()
            vec = self._cache[key] = self.encoder.encode([key])[0]
        return vec

    def pending(self, texts: Iterable[str]) -> int:
        """How many distinct texts `warm` would still encode (0: every lookup is already cached)."""
        return sum(1 for k in dict.fromkeys(map(query_key, texts)) if k and k not in self._cache)

    def warm(self, texts: Iterable[str]) -> None:
        """Encode many texts in batches (faster than one by one); later lookups hit the cache."""
        keys = [k for k in dict.fromkeys(map(query_key, texts)) if k and k not in self._cache]
        if keys:
            for key, vec in zip(keys, self.encoder.encode(keys), strict=True):
                self._cache[key] = vec

    def _search(self, text: str, k: int) -> list[tuple[int, float]]:
        import numpy as np

        if not isinstance(text, str):
            raise TypeError(f"text must be a str, not {type(text).__name__}")
        if k < 1:
            raise ValueError("k must be at least 1")
        key = query_key(text)
        if not _words(key):
            return []
        cosine = self._matrix @ self._vector(key)
        # Ranking adds a little of the word-overlap similarity of the step's own words (the part
        # after "flow name: "): on the labelled set it breaks ties between tasks of similar meaning
        # in favour of the one that also says what the step says (top-3 precision 0.28 -> 0.30).
        score = cosine.copy()
        own = text.split(": ", 1)[1] if ": " in text else text
        for doc, sim in self.words._search(own, WORD_CANDIDATES)[0]:
            score[doc] += WORD_WEIGHT * sim
        top = np.argpartition(-score, min(k, len(score) - 1))[:k]
        ranked = sorted(top.tolist(), key=lambda d: (-score[d], d))
        return [(d, float(cosine[d])) for d in ranked if cosine[d] >= SEMANTIC_THRESHOLDS.low]

    def match(self, text: str, k: int = 5) -> list[TaskMatch]:
        """The ``k`` O*NET tasks closest in meaning to ``text``, closest first."""
        return [self.words._task_match(doc, max(0.0, sim)) for doc, sim in self._search(text, k)]

    # -- a step in its flow ----------------------------------------------------

    def flow_prior(self, flow: str, step_names: Iterable[str]) -> FlowPrior:
        """The occupations whose work reads like the flow as a whole (the mean of its steps' vectors).

        A flow's steps together say which trade it is ("Source candidates", "Schedule interviews",
        "Make the offer" is recruiting) better than any one step; a task of a fitting occupation
        ranks a little higher (``FLOW_WEIGHT``).
        """
        import numpy as np

        from redesign.impact.verbs import step_verbs

        names = list(step_names)
        keys = [k for k in dict.fromkeys(query_key(StepQuery(flow, n).texts()[0]) for n in names) if _words(k)]
        if not keys:
            return FlowPrior("", np.zeros(len(self._occupation_of), dtype=np.float32))
        # The steps' verbs are encoded here in one batch, for the reranking of each step's matches.
        self.warm([*keys, *(v for n in names for v in step_verbs(n, self.verb_vocabulary))])
        mean = np.mean([self._vector(k) for k in keys], axis=0)
        mean /= max(float(np.linalg.norm(mean)), 1e-12)
        boost = (FLOW_WEIGHT * (self._centroids @ mean))[self._occupation_of].astype(np.float32)
        return FlowPrior("\n".join(sorted(keys)), boost)

    def _search_step(self, step: StepQuery, k: int, flow: FlowPrior | None) -> list[tuple[int, float]]:
        import numpy as np

        if k < 1:
            raise ValueError("k must be at least 1")
        named, described, bare = (query_key(t) for t in step.encoded())
        if not _words(bare):
            return []
        # Both readings at once: the mean of two cosines is the cosine with the mean vector; and
        # the bare name's share goes in the same vector, so one product with the matrix scores all.
        reading = (self._vector(named) + self._vector(described)) * 0.5
        score = self._matrix @ (reading + BARE_NAME_WEIGHT * self._vector(bare))
        if flow is not None:
            score += flow.boost
        if self._titles is not None:
            score += (TITLE_WEIGHT * (self._titles @ self._vector(named)))[self._occupation_of]
        for doc, sim in self.words._search(step.name, WORD_CANDIDATES)[0]:
            score[doc] += STEP_WORD_WEIGHT * sim
        pool = min(max(k, RERANK_CANDIDATES), len(score) - 1)
        top = np.argpartition(-score, pool)[:pool]
        score = self._rerank_by_verbs(step.name, top, score)
        ranked = sorted(top.tolist(), key=lambda d: (-score[d], d))[:k]
        cosine = self._matrix[ranked] @ reading  # the similarity shown: the readings' cosine only
        return [(d, float(c)) for d, c in zip(ranked, cosine, strict=True) if c >= SEMANTIC_THRESHOLDS.low]

    def _rerank_by_verbs(self, name: str, docs: Any, score: Any) -> Any:
        """``score`` plus VERB_WEIGHT of how close the step's verbs are to each candidate task's
        opening verbs (1 for the same verb, else the cosine of the two words' vectors)."""
        import numpy as np

        from redesign.impact.verbs import step_verbs

        verbs = step_verbs(name, self.verb_vocabulary)
        if self._verb_vectors is None or not verbs:
            return score
        # Per task verb: its best cosine with a step verb, or 1 when it is the same verb (by stem).
        best = np.stack([self._verb_vectors @ self._vector(v) for v in verbs]).max(axis=0)
        for stem in {_stem(v) for v in verbs}:
            best[self._verb_rows_of_stem.get(stem, [])] = 1.0
        best = np.append(best, -np.inf)  # the padding row of tasks with fewer verbs
        rows = self._task_verbs[docs]  # (candidates, MAX_TASK_VERBS), -1 where a task has fewer
        found = best[rows].max(axis=1)
        out = score.copy()
        out[docs] += VERB_WEIGHT * np.where(np.isfinite(found), found, 0.0)
        return out

    def match_step(self, step: StepQuery, k: int = 5, flow: FlowPrior | None = None) -> list[TaskMatch]:
        """The ``k`` O*NET tasks closest to a step read in its flow (name, description, the flow's trade)."""
        return [self.words._task_match(doc, max(0.0, sim)) for doc, sim in self._search_step(step, k, flow)]

    def prior_step(self, step: StepQuery, k: int = 5, flow: FlowPrior | None = None) -> ExposurePrior:
        """Exposure prior for a step read in its flow; computed once per distinct step and flow wording."""
        key = (*map(query_key, step.texts()), flow.key if flow is not None else "", k)
        found = self._priors.get(key)
        if found is None:
            if len(self._priors) > 50_000:
                self._priors.clear()
            hits = self._search_step(step, k, flow)
            if not hits:
                found = ExposurePrior(
                    label="E0", score=0.0, confidence=0.0, matches=[], explanation=NO_MATCH_EXPLANATION
                )
            else:
                matches = [self.words._task_match(doc, sim) for doc, sim in hits]
                evidence = _clamp(len(set(_words(step.texts()[0]))) / 3)
                found = prior_from(matches, evidence, SEMANTIC_THRESHOLDS, _SEMANTIC_NOTE)
            self._priors[key] = found
        return found

    def prior(self, text: str, k: int = 5) -> ExposurePrior:
        """Exposure prior for a step described by ``text``; computed once per distinct text (``query_key``)."""
        key = (query_key(text), k)
        found = self._priors.get(key)
        if found is None:
            if len(self._priors) > 50_000:
                self._priors.clear()
            found = self._priors[key] = self._prior(text, k)
        return found

    def _prior(self, text: str, k: int) -> ExposurePrior:
        hits = self._search(text, k)
        if not hits:
            return ExposurePrior(label="E0", score=0.0, confidence=0.0, matches=[], explanation=NO_MATCH_EXPLANATION)
        matches = [self.words._task_match(doc, sim) for doc, sim in hits]
        # A one- or two-word name ("Review", "Approve") is close to many tasks and says little.
        evidence = _clamp(len(set(_words(text))) / 3)
        return prior_from(matches, evidence, SEMANTIC_THRESHOLDS, _SEMANTIC_NOTE)


@lru_cache(maxsize=1)
def word_index() -> ExposureIndex:
    """The word-overlap (TF-IDF) index over the shipped catalog, built on first use and then shared."""
    return ExposureIndex.load()


@lru_cache(maxsize=1)
def default_index() -> SemanticIndex | ExposureIndex:
    """The matcher over the shipped catalog, built on first use and then shared: by meaning when
    the model package and the shipped vectors are there, else by words.

    Two threads racing on the very first call may both build it (lru_cache does
    not lock around the call); the results are equivalent and one is dropped.
    """
    return SemanticIndex.load(word_index()) or word_index()
