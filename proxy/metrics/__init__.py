"""Prometheus metrics: every metric modproxy exports, its bounded labels, and the ``/metrics`` route.

:mod:`~proxy.metrics.telemetry` adapts the components' observer hooks to them, so the components
themselves never import ``prometheus_client``.
"""
