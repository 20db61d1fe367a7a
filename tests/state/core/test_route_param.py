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
    assert route_param(_router("http://crm.example/f/caf%C3%A9-intake/", routes.PUBLIC_FORM), "slug") == "café-intake"


def test_a_url_that_does_not_fit_the_route_gives_nothing():
    assert route_param(_router("http://crm.example/agents/12", routes.CONTACTS), "agent_id") == ""
    assert route_param(RouterData(), "agent_id") == ""
