"""modproxy: a content-moderation reverse proxy for OpenAI-compatible LLM APIs."""

__version__ = "0.1.0"
