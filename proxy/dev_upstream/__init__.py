"""The bundled development upstream: an echo backend speaking the OpenAI and Anthropic APIs. NOT a model."""
