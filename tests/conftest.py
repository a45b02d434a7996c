pytest_plugins = [
    "tests.fixtures.upstream",
    "tests.fixtures.redis_server",
    "tests.fixtures.stack",
    "tests.fixtures.clock",
    "tests.fixtures.moderators",
    "tests.fixtures.chunky_upstream",
    "tests.fixtures.api_upstream",
    "tests.fixtures.echo_model",
]
