"""Streamed answers: the event-stream relay, moderated as it goes (``window``, ``buffer``, ``audit``).

:mod:`~proxy.stream.relay` is the relay; the other modules are its parts (event parsing, per-choice
texts, typed events, chunk templates, buffering) and the byte-level helpers they share.
"""
