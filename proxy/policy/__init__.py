"""The pure policy engine: text, rules and decisions.

Nothing in this package imports aiohttp, redis or prometheus_client; the proxy,
the CLI and the benchmarks all drive it through plain function calls.
"""
