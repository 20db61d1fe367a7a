"""Settings read from the environment (documented in README.md).

Every entry point (the app, the CLI, Alembic, tests) reads configuration through
`get_settings()`, so one environment variable changes all of them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    redis_url: str | None
    smtp_url: str | None
    mail_from: str
    secret_key: str
    base_url: str
    dev_mailbox: bool
    oidc_name: str
    oidc_issuer: str | None
    oidc_client_id: str | None
    oidc_client_secret: str | None
    cookie_secure: bool
    form_rate_limit: int  # public form submissions per IP per 10 minutes (0: no limit)
    trusted_proxy_hops: int = 0  # reverse proxies in front whose X-Forwarded-For is believed

    @property
    def files_dir(self) -> Path:
        """Private storage for contact files and imports (never served publicly)."""
        return self.data_dir / "files"

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    data_dir = Path(os.environ.get("CRM_DATA_DIR") or ROOT / "data").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = os.environ.get("CRM_SECRET_KEY") or _dev_secret(data_dir)
    base_url = os.environ.get("CRM_BASE_URL") or "http://localhost:3000"
    return Settings(
        data_dir=data_dir,
        database_url=os.environ.get("CRM_DATABASE_URL") or f"sqlite:///{data_dir / 'crm.db'}",
        redis_url=os.environ.get("CRM_REDIS_URL") or None,
        smtp_url=os.environ.get("CRM_SMTP_URL") or None,
        mail_from=os.environ.get("CRM_MAIL_FROM") or "Agent CRM <no-reply@localhost>",
        secret_key=secret,
        base_url=base_url.rstrip("/"),
        dev_mailbox=_flag("CRM_DEV_MAILBOX", default=not os.environ.get("CRM_SMTP_URL")),
        oidc_name=os.environ.get("CRM_OIDC_NAME") or "Google",
        oidc_issuer=os.environ.get("CRM_OIDC_ISSUER") or None,
        oidc_client_id=os.environ.get("CRM_OIDC_CLIENT_ID") or None,
        oidc_client_secret=os.environ.get("CRM_OIDC_CLIENT_SECRET") or None,
        cookie_secure=_flag("CRM_COOKIE_SECURE", default=base_url.startswith("https://")),
        form_rate_limit=_int("CRM_FORM_RATE_LIMIT", 20),
        trusted_proxy_hops=_int("CRM_TRUSTED_PROXY_HOPS", 0),
    )


def _int(name: str, default: int) -> int:
    raw = (os.environ.get(name) or "").strip()
    return int(raw) if raw.isdigit() else default


def _dev_secret(data_dir: Path) -> str:
    """A per-installation secret for the embedded default, kept in the data dir."""
    path = data_dir / ".secret_key"
    if not path.exists():
        import secrets

        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
