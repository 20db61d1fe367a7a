"""Settings read from the environment (documented in README.md).

Every entry point (the app, the CLI, Alembic, tests) reads configuration through
`get_settings()`, so one environment variable changes all of them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

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
    dev_mode: bool  # CRM_DEV_MODE, never with SMTP: dev mailbox and API docs, loopback only
    oidc_name: str
    oidc_issuer: str | None
    oidc_client_id: str | None
    oidc_client_secret: str | None
    cookie_secure: bool
    form_rate_limit: int  # public form submissions per IP per 10 minutes (0: no limit)
    sign_in_codes_per_ip: int  # sign-in codes one IP may request per 15 minutes
    trusted_proxy_hops: int = 0  # reverse proxies in front whose X-Forwarded-For is believed
    allowed_origins: tuple[str, ...] = ()  # browser origins allowed to call HTTP routes and /_event

    @property
    def files_dir(self) -> Path:
        """Private storage for contact files and imports (never served publicly)."""
        return self.data_dir / "files"

    @property
    def dev_mailbox_dir(self) -> Path:
        """Development mode only: full copies of sent mail for the /dev/mailbox page."""
        return self.data_dir / "dev-mailbox"

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
    data_dir = private_dir(Path(os.environ.get("CRM_DATA_DIR") or ROOT / "data").resolve())
    if data_dir.stat().st_uid == os.geteuid():
        # Installations made before the data dir was created owner-only: its database,
        # secret and files are then unreachable for other users, whatever their own modes.
        os.chmod(data_dir, 0o700)
    secret = os.environ.get("CRM_SECRET_KEY") or _dev_secret(data_dir)
    base_url = (os.environ.get("CRM_BASE_URL") or "http://localhost:3000").rstrip("/")
    smtp_url = os.environ.get("CRM_SMTP_URL") or None
    return Settings(
        data_dir=data_dir,
        database_url=os.environ.get("CRM_DATABASE_URL") or f"sqlite:///{data_dir / 'crm.db'}",
        redis_url=os.environ.get("CRM_REDIS_URL") or None,
        smtp_url=smtp_url,
        mail_from=os.environ.get("CRM_MAIL_FROM") or "Agent CRM <no-reply@localhost>",
        secret_key=secret,
        base_url=base_url,
        # A server that sends real mail is never a development server.
        dev_mode=_flag("CRM_DEV_MODE", default=False) and not smtp_url,
        oidc_name=os.environ.get("CRM_OIDC_NAME") or "Google",
        oidc_issuer=os.environ.get("CRM_OIDC_ISSUER") or None,
        oidc_client_id=os.environ.get("CRM_OIDC_CLIENT_ID") or None,
        oidc_client_secret=os.environ.get("CRM_OIDC_CLIENT_SECRET") or None,
        cookie_secure=_flag("CRM_COOKIE_SECURE", default=base_url.startswith("https://")),
        form_rate_limit=_int("CRM_FORM_RATE_LIMIT", 20),
        sign_in_codes_per_ip=_int("CRM_SIGN_IN_CODES_PER_IP", 20) or 20,
        trusted_proxy_hops=_int("CRM_TRUSTED_PROXY_HOPS", 0),
        allowed_origins=_allowed_origins(base_url, os.environ.get("CRM_ALLOWED_ORIGINS") or ""),
    )


def _int(name: str, default: int) -> int:
    raw = (os.environ.get(name) or "").strip()
    return int(raw) if raw.isdigit() else default


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of a URL, lower-case, default ports dropped ("" if not http(s))."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    default = {"http": 80, "https": 443}[parts.scheme]
    try:
        port = parts.port
    except ValueError:
        return ""
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


_LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def _allowed_origins(base_url: str, extra: str) -> tuple[str, ...]:
    """The app's own origin, its other loopback spellings when it runs on this machine
    (http://127.0.0.1:3000 is the same server as http://localhost:3000), and CRM_ALLOWED_ORIGINS."""
    own = origin_of(base_url)
    origins = [own]
    parts = urlsplit(own)
    host = f"[{parts.hostname}]" if parts.hostname and ":" in parts.hostname else parts.hostname
    if host in _LOOPBACK_HOSTS:
        port = f":{parts.port}" if parts.port else ""
        origins += [f"{parts.scheme}://{alias}{port}" for alias in _LOOPBACK_HOSTS if alias != host]
    origins += [origin_of(item) for item in extra.split(",") if item.strip()]
    return tuple(dict.fromkeys(o for o in origins if o))


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) readable by this user only, whatever the umask."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True)
    for created in missing:
        os.chmod(created, 0o700)
    return path


def private_open(path: Path, mode: str = "wb", **kwargs):
    """`open()` for files only this user may read: created 0600 whatever the umask
    (os.open's mode is masked by the umask, so the mode is set again on the descriptor)."""
    flags = os.O_CREAT | (os.O_RDWR if "+" in mode else os.O_WRONLY)
    flags |= os.O_APPEND if "a" in mode else os.O_TRUNC
    fd = os.open(path, flags, 0o600)
    try:
        os.fchmod(fd, 0o600)
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


def _dev_secret(data_dir: Path) -> str:
    """A per-installation secret for the embedded default, kept in the data dir."""
    path = data_dir / ".secret_key"
    if not path.exists():
        import secrets

        with private_open(path, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
