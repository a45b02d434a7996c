"""Admin policy endpoints on the real admin application, over loopback HTTP."""

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field

import pytest
from aiohttp.test_utils import TestClient, TestServer

from proxy.http.admin import admin_routes
from proxy.http.app import create_admin_app
from proxy.moderation.policy_watch import PolicyReloader
from proxy.policy.store import LoadFailed, LoadProblem, PolicyStore
from proxy.settings.load import Settings
from proxy.settings.sections import AdminSettings

TOKEN = "admin-s3cret"


@dataclass(frozen=True)
class Policy:
    id: str
    mode: str = "enforce"
    keywords: tuple[str, ...] = ()
    regexes: tuple[str, ...] = ()
    classifier: object | None = None


@dataclass(frozen=True)
class TinySet:
    revision: str
    policies: tuple[Policy, ...] = ()
    rule_counts: Mapping[str, int] = field(default_factory=dict)


class SwitchableLoader:
    """Loads whatever set the test puts in ``next``, or fails with ``problem``."""

    def __init__(self) -> None:
        self.next = TinySet("r1")
        self.problem: LoadProblem | None = None

    def __call__(self) -> TinySet:
        if self.problem is not None:
            raise LoadFailed([self.problem])
        return self.next


@dataclass
class Admin:
    client: TestClient
    store: PolicyStore[TinySet]
    loader: SwitchableLoader


async def _admin(token: str | None) -> AsyncIterator[Admin]:
    initial = TinySet(
        "r1",
        (
            Policy("weapons", keywords=("w",) * 12, regexes=("r",)),
            Policy("pii", "shadow", regexes=("r",) * 4),
        ),
        {"keyword": 12, "regex": 5, "classifier": 0},
    )
    store = PolicyStore(initial)
    loader = SwitchableLoader()
    reloader = PolicyReloader(store, loader)
    app = create_admin_app(Settings(admin=AdminSettings(token=token)), routes=admin_routes(store, reloader))
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield Admin(client, store, loader)


@pytest.fixture
async def admin() -> AsyncIterator[Admin]:
    async for a in _admin(TOKEN):
        yield a


@pytest.fixture
async def open_admin() -> AsyncIterator[Admin]:
    async for a in _admin(None):
        yield a


AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.mark.parametrize("method", ["GET /admin/policies", "POST /admin/reload"])
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}, {"Authorization": f"Basic {TOKEN}"}],
    ids=["none", "wrong", "no-scheme", "basic"],
)
async def test_token_is_required(admin: Admin, method: str, headers: dict[str, str]) -> None:
    verb, path = method.split()
    response = await admin.client.request(verb, path, headers=headers)
    assert response.status == 401
    body = await response.json()
    assert body["error"]["type"] == "authentication_error"
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert admin.store.status.reloads == {}  # nothing happened


async def test_policies_view(admin: Admin) -> None:
    admin.loader.problem = LoadProblem("policies/pii.yaml", 7, "bad regex")
    assert (await admin.client.post("/admin/reload", headers=AUTH)).status == 422
    response = await admin.client.get("/admin/policies", headers=AUTH)
    assert response.status == 200
    body = await response.json()
    assert body["revision"] == "r1" and body["ready"] is True and body["loaded_at"] > 0
    assert body["policies"] == [
        {"id": "weapons", "mode": "enforce", "rules": {"keyword": 12, "regex": 1, "classifier": 0}},
        {"id": "pii", "mode": "shadow", "rules": {"keyword": 0, "regex": 4, "classifier": 0}},
    ]
    assert body["rules"] == {"keyword": 12, "regex": 5, "classifier": 0}
    assert body["last_error"]["problems"] == [
        {"file": "policies/pii.yaml", "line": 7, "message": "bad regex"}
    ]
    assert body["reloads"]["failed"] == 1


async def test_reload_swaps_the_set(admin: Admin) -> None:
    admin.loader.next = TinySet("r2", (Policy("weapons"),), {"weapons": {"keyword": 13}})
    response = await admin.client.post("/admin/reload", headers=AUTH)
    assert response.status == 200
    assert await response.json() == {
        "result": "loaded",
        "revision": "r2",
        "previous_revision": "r1",
        "duration_seconds": pytest.approx(0, abs=1),
        "problems": [],
    }
    assert admin.store.current.revision == "r2"


async def test_rejected_reload_is_an_openai_error_with_the_problems(admin: Admin) -> None:
    admin.loader.problem = LoadProblem("policies/weapons.yaml", 3, "unknown action 'blok'")
    response = await admin.client.post("/admin/reload", headers=AUTH)
    assert response.status == 422
    body = await response.json()
    assert body["error"]["code"] == "policy_load_failed"
    assert "policies/weapons.yaml:3: unknown action 'blok'" in body["error"]["message"]
    assert body["reload"]["result"] == "failed" and body["reload"]["revision"] == "r1"
    assert admin.store.current.revision == "r1"


async def test_without_a_token_loopback_clients_need_none(open_admin: Admin) -> None:
    response = await open_admin.client.get("/admin/policies")
    assert response.status == 200
    assert (await response.json())["revision"] == "r1"


async def test_a_named_policy_set_is_chosen_with_set() -> None:
    default_store = PolicyStore(TinySet("d1", (Policy("weapons"),)))
    named_store = PolicyStore(TinySet("c1", (Policy("gambling"),)))
    named_loader = SwitchableLoader()
    named_loader.next = TinySet("c2", (Policy("gambling"), Policy("lottery")))
    routes = admin_routes(
        default_store,
        PolicyReloader(default_store, SwitchableLoader()),
        others={"cn": (named_store, PolicyReloader(named_store, named_loader))},
    )
    app = create_admin_app(Settings(admin=AdminSettings(token=TOKEN)), routes=routes)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        body = await (await client.get("/admin/policies", headers=AUTH)).json()
        assert (body["set"], body["revision"], body["sets"]) == ("default", "d1", ["default", "cn"])
        reloaded = await client.post("/admin/reload?set=cn", headers=AUTH)
        assert reloaded.status == 200
        body = await (await client.get("/admin/policies?set=cn", headers=AUTH)).json()
        assert (body["revision"], [p["id"] for p in body["policies"]]) == ("c2", ["gambling", "lottery"])
        assert default_store.current.revision == "d1", "the default set was not touched"
        unknown = await client.post("/admin/reload?set=eu", headers=AUTH)
        assert unknown.status == 404
        assert (await unknown.json())["error"]["code"] == "not_found"
