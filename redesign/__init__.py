"""Crossflow: cross-functional process redesign workshops.

The pure core lives in `model`, `graph`, `metrics`, `impact` and `workshop`; the
shells around it are `store` (SQL), `io` (files), `report` (exports) and `ui`
(Streamlit).
"""

__version__ = "0.1.0"
