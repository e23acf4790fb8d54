"""The tag suggestion for a step, with its reasons and the O*NET tasks behind it."""

from __future__ import annotations

import streamlit as st

from redesign.diagram import TAG_LABEL
from redesign.model import Step
from redesign.store.schemas import WorkshopState
from redesign.ui.resources import step_suggestion, suggestions_ready
from redesign.ui.text import plain


def show_suggestion(state: WorkshopState, step: Step) -> None:
    if not suggestions_ready(state):
        st.caption(
            "🔎 The flow's steps are being matched to O\\*NET tasks for the first time on this server "
            "(a few seconds, longer when it is busy). The suggestion shows here when it is ready."
        )
        st.button("Show the suggestion", key=f"suggestion_again:{step.id}", type="tertiary")
        return
    suggestion = step_suggestion(state, step.id)
    st.markdown(f"**{TAG_LABEL[suggestion.tag]}** · confidence {suggestion.confidence:.0%}")
    st.markdown(plain(suggestion.reason.text))
    for note in suggestion.notes:
        st.caption("· " + plain(note.text))
    evidence = suggestion.exposure
    if evidence.origin == "facilitator":
        st.caption(f"Exposure set by the facilitator: {evidence.label}.")
    if evidence.matches:
        st.caption(
            f"O\\*NET prior {evidence.prior_label} (confidence {evidence.prior_confidence or 0:.0%}); nearest tasks, "
            "rated by people / by GPT-4 (Eloundou et al. 2023, O\\*NET CC BY 4.0):"
        )
        for match in evidence.matches[:5]:
            st.caption(
                f"· {plain(match.task)} — {plain(match.occupation)} "
                f"({match.human_exposure} / {match.gpt4_exposure}, similarity {match.similarity:.2f})"
            )
    elif evidence.explanation:
        st.caption(plain(evidence.explanation))
    st.caption("A suggestion, not a decision: the room decides.")
