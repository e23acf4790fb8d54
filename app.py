"""Crossflow's entry point for `streamlit run app.py`.

Streamlit finds `app` (an `st.App`) here and serves it with uvicorn: Streamlit's own routes plus
ours (redesign/web/routes.py: the push route, presence, the seat cookie). Streamlit then runs this
same file as the page script, where `__name__` is "__main__": page config and navigation, nothing else.
"""

import logging

import streamlit as st

from redesign import logs

try:
    logs.configure()  # CROSSFLOW_LOG_LEVEL (`crossflow serve --log-level` sets it)
except logs.LogLevelInvalid as exc:  # a bad setting must not stop the app: say so and use the default
    logs.configure(logs.DEFAULT)
    logging.getLogger("redesign").warning("%s Using %s.", exc, logs.DEFAULT)

if __name__ == "__main__":
    from redesign.ui.navigation import run_pages

    run_pages()
else:
    from streamlit import config

    from redesign.web.routes import build

    routes, lifespan, live = build(config.get_option("server.baseUrlPath") or "")
    app = st.App(__file__, routes=routes, lifespan=lifespan)
