"""The HTTP server: the request story, the upstream client, routing, limits, and the wiring of it all.

:mod:`~proxy.http.handlers` reads top to bottom: read → route → moderate prompt → forward →
moderate or relay → reply. :mod:`~proxy.http.app` wires routes and resources; :mod:`~proxy.http.server`
runs the listeners and workers.
"""
