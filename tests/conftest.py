from hypothesis import settings

pytest_plugins = [
    "tests.fixtures.upstream",
    "tests.fixtures.redis_server",
    "tests.fixtures.stack",
    "tests.fixtures.clock",
    "tests.fixtures.moderators",
    "tests.fixtures.chunky_upstream",
    "tests.fixtures.api_upstream",
    "tests.fixtures.raw_upstream",
    "tests.fixtures.echo_model",
]

# Property tests assert outcomes, not speed (speed is measured under bench/): a busy machine must
# not turn a slow example into a failure.
settings.register_profile("modproxy", deadline=None)
settings.load_profile("modproxy")
