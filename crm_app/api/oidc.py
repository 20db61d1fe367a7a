""" "Sign in with Google" (any OpenID Connect provider by configuration) through Authlib.

Authorization code flow with state, nonce and PKCE (S256). The three values travel in a
short-lived HS256-signed cookie scoped to the OIDC routes, so any worker can finish the
flow. The ID token is checked with Authlib's OIDC claims (iss, aud, exp, nonce, azp,
at_hash) after its signature is verified against the provider's JWKS (found through
`{issuer}/.well-known/openid-configuration`).

`start_flow` and `finish_flow` serve two uses (`Flow`): members signing in to the dashboard
(the routes here) and visitors signing in to a gated agent's chat (api/gate_oidc.py).

`http_transport` lets tests route every provider call to a local identity provider.
"""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx2
from authlib.common.security import generate_token
from authlib.oidc.core import CodeIDToken
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet, OctKey
from joserfc.jws import JWSRegistry

from crm_app import routes
from crm_app.api.deps import ClientIp
from crm_app.db import session_scope
from crm_app.services import auth, sessions
from crm_app.services.errors import ServiceError
from crm_app.services.security import hash_secret
from crm_app.settings import Settings, get_settings

with warnings.catch_warnings():
    # Authlib prefers the `httpx2` package and warns when it falls back to httpx (pinned here).
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client

log = logging.getLogger("crm.oidc")
# The browser side of single sign-on: redirects, not a public API.
router = APIRouter(prefix=routes.API_AUTH, tags=["sign-in"])

FLOW_COOKIE = "crm_oidc"
FLOW_SECONDS = 600
METADATA_SECONDS = 3600
LEEWAY_SECONDS = 60
ASYMMETRIC_ALGS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)

http_transport: httpx2.BaseTransport | None = None
_metadata_cache: dict[str, tuple[float, dict]] = {}


class OIDCFailure(Exception):
    """The sign-in cannot finish; `reason` is a key the login page turns into a message."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(detail or reason)
        self.reason = reason


def reset_cache() -> None:
    _metadata_cache.clear()


def _http() -> httpx2.Client:
    return httpx2.Client(transport=http_transport, timeout=10)


def _issuer(settings: Settings) -> str:
    return (settings.oidc_issuer or "").rstrip("/")


def _get_json(url: str) -> dict:
    with _http() as client:
        response = client.get(url)
        response.raise_for_status()
        return response.json()


def provider_metadata(settings: Settings, *, refresh_keys: bool = False) -> dict:
    """Discovery document plus its JWKS, cached for an hour (keys refetched on an unknown kid)."""
    issuer = _issuer(settings)
    cached = _metadata_cache.get(issuer)
    if cached and cached[0] > time.monotonic() and not refresh_keys:
        return cached[1]
    try:
        metadata = (
            dict(cached[1]) if cached else _get_json(f"{issuer}/.well-known/openid-configuration")
        )
        if metadata.get("issuer", "").rstrip("/") != issuer:
            raise OIDCFailure(
                "provider", f"discovery issuer {metadata.get('issuer')!r} != {issuer!r}"
            )
        metadata["jwks"] = _get_json(metadata["jwks_uri"])
    except (httpx2.HTTPError, ValueError, KeyError) as error:
        raise OIDCFailure("provider", f"discovery failed: {error!r}") from error
    _metadata_cache[issuer] = (time.monotonic() + METADATA_SECONDS, metadata)
    return metadata


@dataclass(frozen=True)
class Flow:
    """One use of the provider: where it calls back and which cookie carries the flow.

    Members sign in to the dashboard (`MEMBERS`); visitors of a gated agent sign in to its
    chat (api/gate_oidc.py). The purpose is sealed into the flow cookie too, so one flow
    never finishes as the other."""

    purpose: str
    callback: str  # the redirect URI's path (register <CRM_BASE_URL><callback> at the provider)
    cookie: str
    cookie_path: str


MEMBERS = Flow("member", routes.API_OIDC_CALLBACK, FLOW_COOKIE, routes.API_OIDC)


def _oauth_client(settings: Settings, callback: str) -> OAuth2Client:
    return OAuth2Client(
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        token_endpoint_auth_method="client_secret_basic" if settings.oidc_client_secret else "none",
        scope="openid email profile",
        redirect_uri=settings.base_url + callback,
        code_challenge_method="S256",
        transport=http_transport,
        timeout=10,
    )


def _flow_key(settings: Settings) -> OctKey:
    # A key derived for this purpose only (HMAC of the installation secret).
    return OctKey.import_key(hash_secret("oidc-flow-cookie:" + settings.secret_key[:8]))


def _seal_flow(settings: Settings, flow: dict) -> str:
    claims = dict(flow, exp=int(time.time()) + FLOW_SECONDS)
    return jwt.encode({"alg": "HS256"}, claims, _flow_key(settings), algorithms=["HS256"])


def _open_flow(settings: Settings, value: str | None) -> dict:
    if not value:
        raise OIDCFailure("state", "flow cookie missing")
    try:
        token = jwt.decode(value, _flow_key(settings), algorithms=["HS256"])
        jwt.JWTClaimsRegistry(exp={"essential": True}).validate(token.claims)
    except (JoseError, ValueError) as error:
        raise OIDCFailure("state", f"flow cookie refused: {error!r}") from error
    return token.claims


def open_flow_cookie(value: str | None) -> dict:
    """A flow cookie's sealed values (signature and expiry checked); OIDCFailure("state")."""
    return _open_flow(get_settings(), value)


def validate_id_token(
    settings: Settings, metadata: dict, id_token: str, *, nonce: str, access_token: str
) -> dict:
    """Verify signature (provider JWKS), then iss, aud, exp, nonce and friends; the claims."""
    algorithms = [
        a
        for a in metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        if a in ASYMMETRIC_ALGS
    ] or ["RS256"]
    registry = JWSRegistry(algorithms=algorithms)
    try:
        try:
            token = jwt.decode(id_token, KeySet.import_key_set(metadata["jwks"]), registry=registry)
        except InvalidKeyIdError:
            metadata = provider_metadata(
                settings, refresh_keys=True
            )  # the provider rotated its keys
            token = jwt.decode(id_token, KeySet.import_key_set(metadata["jwks"]), registry=registry)
        claims = CodeIDToken(
            token.claims,
            token.header,
            {
                "iss": {"essential": True, "value": metadata["issuer"]},
                "aud": {"essential": True, "value": settings.oidc_client_id},
            },
            {"nonce": nonce, "client_id": settings.oidc_client_id, "access_token": access_token},
        )
        claims.validate(leeway=LEEWAY_SECONDS)
    except (JoseError, ValueError, KeyError) as error:
        raise OIDCFailure("token", f"ID token refused: {error!r}") from error
    return dict(claims)


def start_flow(flow: Flow, extra: dict | None = None) -> RedirectResponse:
    """The redirect to the provider, with the sealed flow cookie (state, nonce, PKCE
    verifier, the purpose and `extra`, which `finish_flow` hands back). OIDCFailure
    ("disabled", "provider") when it cannot start."""
    settings = get_settings()
    if not settings.oidc_enabled:
        raise OIDCFailure("disabled", "OIDC is not configured")
    metadata = provider_metadata(settings)
    sealed = {
        **(extra or {}),
        "purpose": flow.purpose,
        "state": generate_token(32),
        "nonce": generate_token(32),
        "verifier": generate_token(64),
    }
    with _oauth_client(settings, flow.callback) as client:
        url, _ = client.create_authorization_url(
            metadata["authorization_endpoint"],
            state=sealed["state"],
            nonce=sealed["nonce"],
            code_verifier=sealed["verifier"],
        )
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        flow.cookie,
        _seal_flow(settings, sealed),
        max_age=FLOW_SECONDS,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        path=flow.cookie_path,
    )
    return response


def finish_flow(
    flow: Flow, request: Request, *, code: str, state: str, error: str
) -> tuple[dict, dict]:
    """The provider called back: check the flow cookie and state, exchange the code (with
    the PKCE verifier) and verify the ID token. (validated claims, the sealed flow), or
    OIDCFailure ("disabled", "state", "denied", "provider", "token")."""
    settings = get_settings()
    if not settings.oidc_enabled:
        raise OIDCFailure("disabled", "OIDC is not configured")
    sealed = _open_flow(settings, request.cookies.get(flow.cookie))
    if sealed.get("purpose", MEMBERS.purpose) != flow.purpose:
        raise OIDCFailure("state", f"flow cookie for {sealed.get('purpose')!r}")
    if error:
        raise OIDCFailure("denied", f"provider returned error={error}")
    if not state or state != sealed.get("state"):
        raise OIDCFailure("state", "state mismatch")
    if not code:
        raise OIDCFailure("token", "no code")
    metadata = provider_metadata(settings)
    try:
        with _oauth_client(settings, flow.callback) as client:
            tokens = client.fetch_token(
                metadata["token_endpoint"], code=code, code_verifier=sealed["verifier"]
            )
    except Exception as failure:  # Authlib raises OAuthError, httpx errors, JSON errors
        raise OIDCFailure("token", f"token exchange failed: {failure!r}") from failure
    if "id_token" not in tokens:
        raise OIDCFailure("token", "no id_token in token response")
    claims = validate_id_token(
        settings,
        metadata,
        tokens["id_token"],
        nonce=sealed["nonce"],
        access_token=tokens.get("access_token", ""),
    )
    return claims, sealed


def end_flow(response: RedirectResponse, flow: Flow) -> RedirectResponse:
    """Drop the flow cookie (done, or refused)."""
    response.delete_cookie(flow.cookie, path=flow.cookie_path)
    return response


def _to_login(reason: str) -> RedirectResponse:
    response = RedirectResponse(f"{routes.LOGIN}?{urlencode({'error': reason})}", status_code=303)
    return end_flow(response, MEMBERS)


@router.get(routes.OIDC_LOGIN)
def oidc_login(request: Request) -> RedirectResponse:
    try:
        return start_flow(MEMBERS)
    except OIDCFailure as failure:
        log.warning("OIDC login: %s", failure)
        return _to_login(f"oidc_{failure.reason}")


@router.get(routes.OIDC_CALLBACK)
def oidc_callback(
    request: Request, ip: ClientIp, code: str = "", state: str = "", error: str = ""
) -> RedirectResponse:
    try:
        claims, _ = finish_flow(MEMBERS, request, code=code, state=state, error=error)
    except OIDCFailure as failure:
        log.warning("OIDC callback refused: %s", failure)
        return _to_login(f"oidc_{failure.reason}")
    try:
        with session_scope() as session:
            user, org_id = auth.oidc_sign_in(session, claims, ip)
            ticket = sessions.issue_ticket(session, user, org_id)
    except ServiceError as failure:
        log.warning("OIDC sign-in refused: %s", failure.message)
        return _to_login("oidc_email")
    response = RedirectResponse(
        f"{routes.API_SIGN_IN_COMPLETE}?{urlencode({'ticket': ticket})}", status_code=303
    )
    return end_flow(response, MEMBERS)
