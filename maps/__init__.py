"""Workshop maps: self-contained, offline HTML network maps (``render``), question presets
(``presets``) and static PNG charts (``charts``). ``visualise.py`` is the entry point."""
