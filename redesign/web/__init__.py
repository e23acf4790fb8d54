"""The app's own HTTP routes, served next to Streamlit's through `st.App` (see app.py).

- `seats`: the seat cookie (set and cleared only by the server, HttpOnly);
- `hub`: this process's fan-out of workshop versions and presence to open pages;
- `routes`: the push route (server-sent events) and the presence route.
"""
