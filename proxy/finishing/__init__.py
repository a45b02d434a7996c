"""Finishing a moderated answer: pseudonym placeholders put back, AI-generated-content labels added.

JSON answers are finished in :mod:`~proxy.finishing.labels`, streams in :mod:`~proxy.finishing.stream`.
"""
