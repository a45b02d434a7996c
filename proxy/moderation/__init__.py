"""Moderation at run time: the seam between a request and the policy engine, and the policy sets it uses.

:mod:`~proxy.moderation.moderator` asks the cache, the engine and the classifiers for a decision;
:mod:`~proxy.moderation.policy_sets` holds the named sets a route picks from, and
:mod:`~proxy.moderation.policy_watch` rebuilds them when their files change.
"""
