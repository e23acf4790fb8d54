"""Crossflow: cross-functional process redesign workshops.

The pure core lives in `model`, `graph`, `metrics`, `impact` and `workshop`; the
shells around it are `store` (SQL), `io` (files), `report` (exports) and `ui`
(Streamlit).
"""

from redesign.attribute_access import fast_attribute_reads

__version__ = "0.1.0"

fast_attribute_reads()  # before any model of ours is defined (see the module)
