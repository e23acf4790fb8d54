"""The activity a text names: the leading verbs of an O*NET task statement or a step name.

O*NET task statements are imperative sentences that open with what is done, often a short
list of verbs ("Examine, evaluate, or process loan applications."); process steps are
mostly written the same way ("Approve or decline the loan"). Two texts about the same
object can still describe different work ("Prepare adjusting journal entries" is not
"Approve manual journal entries"), and sentence vectors of a whole statement weigh the
object far more than the verb. The matcher by meaning (``exposure.SemanticIndex``) therefore
compares the verbs separately when it reranks its candidates.

Pure functions on strings; the verb vectors themselves are shipped with the task vectors
(``scripts/build_task_vectors.py``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from itertools import pairwise

__all__ = ["MAX_TASK_VERBS", "step_verbs", "task_verbs", "verb_vocabulary"]

_TOKEN = re.compile(r"[a-z][a-z'-]*|[,;.:()]")
_LINKS = frozenset((",", "or", "and", "and/or"))
#: A task opens with at most this many verbs ("Examine, evaluate, or process ...").
MAX_TASK_VERBS = 4


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def task_verbs(text: str, vocabulary: frozenset[str]) -> tuple[str, ...]:
    """The verbs a task statement opens with: its first word and the words of the opening
    list that are themselves task-opening words ("examine", "evaluate", "process")."""
    tokens = _tokens(text)
    if not tokens or not tokens[0][0].isalpha():
        return ()
    verbs = [tokens[0]]
    i = 1
    while i < len(tokens) and len(verbs) < MAX_TASK_VERBS:
        if tokens[i] in _LINKS:
            i += 1
            continue
        if tokens[i - 1] in _LINKS and tokens[i] in vocabulary:
            verbs.append(tokens[i])
            i += 1
            continue
        break
    return tuple(dict.fromkeys(verbs))


def verb_vocabulary(texts: Iterable[str], min_count: int = 2) -> frozenset[str]:
    """Words that open at least ``min_count`` task statements: O*NET's verbs of work."""
    first = Counter(tokens[0] for tokens in map(_tokens, texts) if tokens and tokens[0][0].isalpha())
    return frozenset(word for word, count in first.items() if count >= min_count)


def step_verbs(name: str, vocabulary: frozenset[str]) -> tuple[str, ...]:
    """The verbs of a step name: its first word and any task verb after "and"/"or"
    ("Approve or decline the loan" -> approve, decline); a gerund is read as its verb
    when O*NET uses that verb ("Screening" -> screen)."""
    words = [t for t in _tokens(name) if t[0].isalpha()]
    if not words:
        return ()
    found = [words[0]] + [b for a, b in pairwise(words) if a in ("and", "or") and b in vocabulary]
    verbs = []
    for word in found:
        if word.endswith("ing") and word not in vocabulary:
            word = next((c for c in (word[:-3], word[:-3] + "e", word[:-4]) if c in vocabulary), word)
        verbs.append(word)
    return tuple(dict.fromkeys(verbs))
