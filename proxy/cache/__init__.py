"""The decision cache: an in-process LRU in front of Redis, keyed by policy revision and text digest."""
