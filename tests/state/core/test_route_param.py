"""route_param: dynamic route segments read through Reflex 0.10's router.url and route_id
(the deprecated router.page printed a warning for every call site at start-up)."""

from __future__ import annotations

from reflex.istate.data import ReflexURL, RouterData

from crm_app import routes
from crm_app.state.base import route_param


def _router(url: str, route: str) -> RouterData:
    return RouterData(url=ReflexURL(url), route_id=route)


def test_reads_each_segment_of_the_matched_route():
    router = _router("http://crm.example/agents/12/crm/contacts/0a1b2c", routes.CONTACT)
    assert route_param(router, "agent_id") == "12"
    assert route_param(router, "contact_id") == "0a1b2c"
    assert route_param(router, "form_id") == ""


def test_decodes_and_tolerates_a_trailing_slash():
    assert (
        route_param(_router("http://crm.example/f/caf%C3%A9-intake/", routes.PUBLIC_FORM), "slug")
        == "café-intake"
    )


def test_a_url_that_does_not_fit_the_route_gives_nothing():
    assert route_param(_router("http://crm.example/agents/12", routes.CONTACTS), "agent_id") == ""
    assert route_param(RouterData(), "agent_id") == ""


def test_no_state_reads_the_deprecated_router_page():
    """Each `self.router.page` printed a deprecation warning at every start."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[3] / "crm_app"
    uses = [
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\brouter\.page\b", line) and "deprecated" not in line
    ]
    assert uses == []
