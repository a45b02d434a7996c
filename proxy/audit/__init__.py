"""The audit trail: one record per moderated phase that is not a plain allow, written to its sinks
off the request path."""
