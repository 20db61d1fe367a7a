"""Dashboard sign-up and sign-in: emailed one-time codes and OIDC (invitations are in
services/invitations.py).

Codes are 6 digits, stored only as keyed hashes, live 10 minutes, allow 5 guesses and
work once. Requesting a new code retires the previous one. The codes sent to one address
are counted from the code rows themselves: with the 5 guesses a code allows, that bounds
the guesses at any address, so it must hold across restarts and processes whatever the
rate limiter keeps (services/rate_limits.py counts the per-network limits).

A wrong guess must be counted even though the caller's unit of work fails, so
`verify_code` commits the attempt counter before raising. Callers therefore verify the
code before they write anything else (sign_up, sign_in and accept_invitation do).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from crm_app.models import (
    LoginCode,
    Membership,
    Organization,
    User,
    utcnow,
)
from crm_app.services import audit, rate_limits
from crm_app.services.email import send_email
from crm_app.services.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    RateLimited,
    ValidationError,
    ValidationErrors,
)
from crm_app.services.principal import member_of
from crm_app.services.security import hash_secret, new_code, same_hash
from crm_app.services.values import require_email
from crm_app.settings import get_settings

DASHBOARD = "dashboard"
CODE_MINUTES = 10
MAX_ATTEMPTS = 5
RESEND_SECONDS = 60  # the sign-in screens offer "Resend" after this long
WINDOW = timedelta(minutes=15)
CODES_PER_EMAIL = 5  # codes per email address and purpose per WINDOW
FAILED_VERIFIES_PER_IP = 30  # wrong codes entered from one IP per WINDOW
ORG_NAME_MAX = 120
NAME_MAX = 50

MSG_BAD_EMAIL = "Enter a valid email address."
MSG_BAD_CODE = "That code is not correct. Check the email and try again."
MSG_CODE_FORMAT = "Enter the 6-digit code from the email."
MSG_NO_CODE = "Request a code first."
MSG_EXPIRED = "This code has expired. Please request a new code."
MSG_USED = "This code has already been used. Please request a new code."
MSG_TOO_MANY = "Too many attempts. Please request a new code."
MSG_ACCOUNT_EXISTS = "An account with this email already exists. Sign in instead."
MSG_NO_ACCOUNT = "No account for this email. Sign up first."


# ---------------------------------------------------------------- input checks


def normalize_email(raw: str | None, field: str = "email") -> str:
    """Trimmed, lower-cased, syntactically valid address (no DNS lookup)."""
    return require_email(raw, field)


def _name(raw: str | None, field: str, label: str, *, required: bool) -> str:
    value = " ".join((raw or "").split())
    if required and not value:
        raise ValidationError(f"Enter your {label}.", field=field)
    if len(value) > NAME_MAX:
        raise ValidationError(
            f"{label[0].upper() + label[1:]} can be at most {NAME_MAX} characters.", field=field
        )
    return value


def _org_name(raw: str | None) -> str:
    value = " ".join((raw or "").split())
    if not value:
        raise ValidationError("Enter your organization's name.", field="org_name")
    if len(value) > ORG_NAME_MAX:
        raise ValidationError(
            f"Organization name can be at most {ORG_NAME_MAX} characters.", field="org_name"
        )
    return value


def clean_sign_up_details(email: str, org_name: str, first_name: str, last_name: str) -> dict:
    """The sign-up form checked and tidied; every wrong field is reported at once
    (ValidationErrors, in the order the form shows them)."""
    checks = {
        "org_name": lambda: _org_name(org_name),
        "first_name": lambda: _name(first_name, "first_name", "first name", required=True),
        "last_name": lambda: _name(last_name, "last_name", "last name", required=False),
        "email": lambda: normalize_email(email),
    }
    details, errors = {}, []
    for key, check in checks.items():
        try:
            details[key] = check()
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationErrors(errors)
    return details


def clean_names(first_name: str, last_name: str, *, first_required: bool = True) -> tuple[str, str]:
    return (
        _name(first_name, "first_name", "first name", required=first_required),
        _name(last_name, "last_name", "last name", required=False),
    )


# ---------------------------------------------------------------- codes


def codes_per_ip() -> int:
    """Codes requested from one IP per WINDOW (CRM_SIGN_IN_CODES_PER_IP: an office behind one
    address, or the browser tests, may need more)."""
    return get_settings().sign_in_codes_per_ip


def _codes_per_ip() -> rate_limits.Limit:
    return rate_limits.Limit("sign-in-codes-ip", codes_per_ip(), int(WINDOW.total_seconds()))


_FAILED_VERIFIES = rate_limits.Limit(
    "code-verify-ip", FAILED_VERIFIES_PER_IP, int(WINDOW.total_seconds())
)


def _codes_sent(session: Session, email: str, purpose: str) -> int:
    """Codes sent to `email` for `purpose` within WINDOW (see the module's docstring)."""
    return session.exec(
        select(func.count())
        .select_from(LoginCode)
        .where(
            LoginCode.email == email,
            LoginCode.purpose == purpose,
            LoginCode.created_at > utcnow() - WINDOW,
        )
    ).one()


def request_code(
    session: Session,
    email: str,
    *,
    purpose: str = DASHBOARD,
    ip: str = "",
    deliver: bool = True,
    subject_prefix: str = "Agent CRM",
) -> None:
    """Email a fresh code for `email` and retire older ones.

    `deliver=False` records a code row that can never match and sends nothing: callers
    that must not reveal whether an address is known show the same screens either way.
    """
    email = normalize_email(email)
    if _codes_sent(session, email, purpose) >= CODES_PER_EMAIL:
        raise RateLimited(
            "Too many codes were requested for this email. Please wait 15 minutes and try again.",
            field="email",
        )
    if ip and not rate_limits.hit(_codes_per_ip(), ip[:64]):
        raise RateLimited(
            "Too many codes were requested from your network. Please wait 15 minutes and try again.",
            field="email",
        )
    now = utcnow()
    for old in session.exec(
        select(LoginCode).where(
            LoginCode.email == email,
            LoginCode.purpose == purpose,
            LoginCode.used_at.is_(None),
            LoginCode.expires_at > now,
        )
    ):
        old.expires_at = now
        session.add(old)
    code = new_code()
    session.add(
        LoginCode(
            email=email,
            purpose=purpose,
            code_hash=hash_secret(code) if deliver else None,
            ip=ip[:64],
            created_at=now,
            expires_at=now + timedelta(minutes=CODE_MINUTES),
        )
    )
    if deliver:
        send_email(
            session,
            email,
            f"{code} is your {subject_prefix} code",
            f"Your one-time code is {code}\n\n"
            f"It expires in {CODE_MINUTES} minutes and works once. "
            "If you did not ask for it, you can ignore this email.",
            hide=(code,),
        )


def verify_code(
    session: Session, email: str, code: str, *, purpose: str = DASHBOARD, ip: str = ""
) -> None:
    """Accept the latest code sent to `email` for `purpose` once, or raise (field="code")."""
    email = normalize_email(email)
    code = "".join((code or "").split())
    if ip and not rate_limits.allows(_FAILED_VERIFIES, ip[:64]):
        raise RateLimited(
            "Too many wrong codes from your network. Please wait 15 minutes and try again.",
            field="code",
        )
    if len(code) != 6 or not code.isdigit():
        raise ValidationError(MSG_CODE_FORMAT, field="code")
    row = session.exec(
        select(LoginCode)
        .where(LoginCode.email == email, LoginCode.purpose == purpose)
        .order_by(LoginCode.created_at.desc(), LoginCode.id.desc())
    ).first()
    if row is None:
        raise ValidationError(MSG_NO_CODE, field="code")
    if row.used_at is not None:
        raise ValidationError(MSG_USED, field="code")
    if row.attempts >= MAX_ATTEMPTS:
        raise ValidationError(MSG_TOO_MANY, field="code")
    if row.expires_at <= utcnow():
        raise ValidationError(MSG_EXPIRED, field="code")
    if not same_hash(code, row.code_hash):
        row.attempts += 1
        session.add(row)
        if ip:
            rate_limits.hit(_FAILED_VERIFIES, ip[:64])
        # Keep the count even though the caller's transaction is about to roll back.
        session.commit()
        raise ValidationError(
            MSG_TOO_MANY if row.attempts >= MAX_ATTEMPTS else MSG_BAD_CODE, field="code"
        )
    row.used_at = utcnow()
    session.add(row)


# ---------------------------------------------------------------- accounts


def user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email)).first()


def _first_membership(session: Session, user_id: int) -> Membership | None:
    return session.exec(
        select(Membership)
        .where(Membership.user_id == user_id)
        .order_by(Membership.created_at, Membership.id)
    ).first()


def flush_new_account(session: Session) -> None:
    """Flush new rows; a concurrent sign-up with the same email surfaces as a clear conflict."""
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(MSG_ACCOUNT_EXISTS, field="email") from None


def _create_org_with_owner(session: Session, user: User, org_name: str, ip: str, how: str) -> int:
    org = Organization(name=org_name)
    session.add(org)
    if user.id is None:
        session.add(user)
    flush_new_account(session)
    session.add(Membership(org_id=org.id, user_id=user.id, role="Owner"))
    audit.record(
        session,
        member_of(user, org.id, "Owner", ip=ip),
        "Create",
        "Organization",
        f"{user.email} created the organization {org.name} ({how})",
        ip=ip,
    )
    return org.id


def sign_up(
    session: Session,
    email: str,
    code: str,
    org_name: str,
    first_name: str,
    last_name: str,
    ip: str = "",
) -> tuple[User, int]:
    """Create an organization with its Owner after the emailed code checks out."""
    details = clean_sign_up_details(email, org_name, first_name, last_name)
    email, org_name = details["email"], details["org_name"]
    first_name, last_name = details["first_name"], details["last_name"]
    verify_code(session, email, code, ip=ip)
    if user_by_email(session, email) is not None:
        raise Conflict(MSG_ACCOUNT_EXISTS, field="email")
    user = User(email=email, first_name=first_name, last_name=last_name)
    org_id = _create_org_with_owner(session, user, org_name, ip, "sign-up")
    return user, org_id


def sign_in(session: Session, email: str, code: str, ip: str = "") -> tuple[User, int]:
    """The member behind a verified code and the organization they open first."""
    email = normalize_email(email)
    verify_code(session, email, code, ip=ip)
    user = user_by_email(session, email)
    membership = _first_membership(session, user.id) if user else None
    if user is None or membership is None:
        raise NotFound(MSG_NO_ACCOUNT, field="email")
    return user, membership.org_id


# ---------------------------------------------------------------- OIDC


def _claim_flag(value) -> bool | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def oidc_sign_in(session: Session, claims: dict, ip: str = "") -> tuple[User, int]:
    """Sign in (or sign up) the person behind validated ID-token claims, by verified email."""
    if _claim_flag(claims.get("email_verified")) is False:
        raise NotAuthenticated("Your account's email address is not verified with the provider.")
    try:
        email = normalize_email(claims.get("email"))
    except ValidationError:
        raise NotAuthenticated("The provider did not share a valid email address.") from None
    given = _trim(claims.get("given_name")) or _trim(claims.get("name")).split(" ")[0]
    family = _trim(claims.get("family_name"))
    user = user_by_email(session, email)
    if user is not None:
        membership = _first_membership(session, user.id)
        if membership is not None:
            return user, membership.org_id
        if given and not user.first_name:
            user.first_name, user.last_name = given, family
            session.add(user)
    else:
        user = User(email=email, first_name=given, last_name=family)
    owner = given or email.split("@")[0]
    org_id = _create_org_with_owner(
        session, user, f"{owner}'s organization"[:ORG_NAME_MAX], ip, "single sign-on"
    )
    return user, org_id


def _trim(value) -> str:
    return " ".join(str(value or "").split())[:NAME_MAX]
