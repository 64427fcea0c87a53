"""Workshop maps: self-contained, offline HTML network maps (``render``), laid out in Python
(``layout``, or by place in ``geography``), drawn in colour-blind-safe colours and shapes
(``palette``), question presets (``presets``) and static PNG charts (``charts``). ``visualise.py``
is the entry point."""
