"""Data files of the core (with their sources), read by the modules that use them."""
