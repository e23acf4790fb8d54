"""Crossflow's entry point for `streamlit run app.py`.

Streamlit finds `app` (an `st.App`) here and serves it with uvicorn: Streamlit's own routes plus
ours (redesign/web/routes.py: the push route, presence, the seat cookie). Streamlit then runs this
same file as the page script, where `__name__` is "__main__": page config and navigation, nothing else.
"""

import streamlit as st

if __name__ == "__main__":
    from redesign.ui.navigation import run_pages

    run_pages()
else:
    from streamlit import config

    from redesign.web.routes import build

    routes, lifespan, live = build(config.get_option("server.baseUrlPath") or "")
    app = st.App(__file__, routes=routes, lifespan=lifespan)
