"""One settings object for every entry point (worker, API, starter, manage, devstack).

Configuration comes from the environment so the same code runs on the embedded defaults
(`make run`) and on a cluster (docker-compose, Kubernetes) without edits.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar, cast

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from models.analysis import ANALYSIS_KINDS, AnalysisKind
from models.intake import SERVICE_TIMEZONE

ROOT = Path(__file__).resolve().parent
VAR = ROOT / "var"


Locale = Literal["zh", "en"]
LOCALES: tuple[Locale, ...] = ("zh", "en")
SenderName = Literal["log", "smtp"]
SENDERS: tuple[SenderName, ...] = ("log", "smtp")
SmsSenderName = Literal["log", "http"]
SMS_SENDERS: tuple[SmsSenderName, ...] = ("log", "http")


@dataclass(frozen=True)
class SmtpSettings:
    """Where the `smtp` sender hands its mail over (stdlib smtplib)."""

    host: str = "localhost"
    port: int = 25
    #: The envelope sender and the From header.
    sender: str = "aftersales@aftersales.local"
    #: Log in only when a user is given.
    user: str = ""
    password: str = field(default="", repr=False)
    starttls: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SmtpSettings:
        return cls(
            host=env.get("SMTP_HOST", "localhost"),
            port=int(env.get("SMTP_PORT", "25")),
            sender=env.get("SMTP_FROM", "aftersales@aftersales.local"),
            user=env.get("SMTP_USER", ""),
            password=env.get("SMTP_PASSWORD", ""),
            starttls=_flag("SMTP_STARTTLS", env.get("SMTP_STARTTLS", "false")),
        )


@dataclass(frozen=True)
class SmsSettings:
    """The SMS channel (`notifications/sms_senders.py`): which sender, the HTTP provider, and
    the desks' mobiles (empty: the desk gets no SMS; its SMS is recorded as skipped)."""

    sender: SmsSenderName = "log"
    #: The provider's endpoint the `http` sender posts each message to.
    provider_url: str = ""
    #: Sent as a bearer token when given.
    api_key: str = field(default="", repr=False)
    #: The 短信签名 the provider prefixes to every text (【…】); empty: the provider's default.
    sign_name: str = ""
    dispatcher: str = ""
    supervisor: str = ""
    manager: str = ""
    revisit: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SmsSettings:
        settings = cls(
            sender=_choice("NOTIFY_SMS_SENDER", env.get("NOTIFY_SMS_SENDER", "log"), SMS_SENDERS),
            provider_url=env.get("SMS_PROVIDER_URL", ""),
            api_key=env.get("SMS_API_KEY", ""),
            sign_name=env.get("SMS_SIGN_NAME", ""),
            dispatcher=env.get("NOTIFY_SMS_DISPATCHER", ""),
            supervisor=env.get("NOTIFY_SMS_SUPERVISOR", ""),
            manager=env.get("NOTIFY_SMS_MANAGER", ""),
            revisit=env.get("NOTIFY_SMS_REVISIT", ""),
        )
        if settings.sender == "http" and not settings.provider_url.startswith(
            ("http://", "https://")
        ):
            raise ValueError(
                f"NOTIFY_SMS_SENDER=http needs SMS_PROVIDER_URL=http(s)://…, "
                f"not {settings.provider_url!r}"
            )
        return settings


@dataclass(frozen=True)
class NotificationSettings:
    """How notifications are rendered and whom the desk roles reach (`notifications/`).

    An empty address means the role gets no mail: its notices are recorded as skipped.
    """

    sender: SenderName = "log"
    #: The language of a notice whose request names none.
    locale: Locale = "zh"
    dispatcher: str = "dispatcher@aftersales.local"
    supervisor: str = "supervisor@aftersales.local"
    manager: str = "manager@aftersales.local"
    revisit: str = "revisit@aftersales.local"
    #: The assigned engineer's address, from the engineer's `{id}` (the archive keeps only a
    #: phone for an engineer).
    engineer: str = "{id}@engineers.aftersales.local"
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    sms: SmsSettings = field(default_factory=SmsSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> NotificationSettings:
        env = os.environ if env is None else env
        return cls(
            sender=_choice("NOTIFY_SENDER", env.get("NOTIFY_SENDER", "log"), SENDERS),
            locale=_choice("NOTIFY_LOCALE", env.get("NOTIFY_LOCALE", "zh"), LOCALES),
            dispatcher=env.get("NOTIFY_DISPATCHER", "dispatcher@aftersales.local"),
            supervisor=env.get("NOTIFY_SUPERVISOR", "supervisor@aftersales.local"),
            manager=env.get("NOTIFY_MANAGER", "manager@aftersales.local"),
            revisit=env.get("NOTIFY_REVISIT", "revisit@aftersales.local"),
            engineer=env.get("NOTIFY_ENGINEER", "{id}@engineers.aftersales.local"),
            smtp=SmtpSettings.from_env(env),
            sms=SmsSettings.from_env(env),
        )


_T = TypeVar("_T", bound=str)


def _choice(name: str, value: str, allowed: tuple[_T, ...]) -> _T:
    for option in allowed:
        if option == value:
            return option
    raise ValueError(f"{name}={value!r}: expected one of {', '.join(allowed)}")


def _flag(name: str, value: str) -> bool:
    """A boolean variable: a typo must not silently mean "off"."""
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{name}={value!r}: expected true or false")


def _limit(name: str, value: str) -> int | None:
    """A positive whole number, or empty for no limit."""
    if not value.strip():
        return None
    if not value.strip().isdigit() or int(value) < 1:
        raise ValueError(f"{name}={value!r}: expected a whole number of at least 1, or empty")
    return int(value)


def _analysis_kinds(value: str) -> tuple[AnalysisKind, ...]:
    kinds = tuple(k.strip() for k in value.split(",") if k.strip())
    unknown = [k for k in kinds if k not in ANALYSIS_KINDS]
    if unknown:
        raise ValueError(f"ANALYSIS_REPORTS={value!r}: use any of {', '.join(ANALYSIS_KINDS)}")
    return cast(tuple[AnalysisKind, ...], kinds)


@dataclass(frozen=True)
class Settings:
    temporal_address: str
    temporal_namespace: str
    task_queue: str
    database_url: str
    timezone: str
    demo_keys_path: Path
    notifications: NotificationSettings = field(default_factory=NotificationSettings)
    #: Where customers reach the signing page (the links sent to them start with it).
    public_base_url: str = "http://127.0.0.1:8000"
    #: Signs the signing links; empty means a per-installation secret kept in var/.
    signing_secret_value: str = field(default="", repr=False)
    #: How long the API trusts a key it checked (`identity.key_cache`): a key revoked by
    #: another process stops working within this; 0 asks the database on every call.
    api_key_cache_seconds: float = 5.0
    #: Where the worker serves Prometheus its metrics (the Temporal SDK's and its own);
    #: empty: not served.
    worker_metrics_address: str = "127.0.0.1:9464"
    #: The periodic analysis reports to schedule (`ANALYSIS_REPORTS`, comma-separated; empty:
    #: none).
    analysis_reports: tuple[AnalysisKind, ...] = ANALYSIS_KINDS
    #: How long a web app sign-in lasts (never past its key's own expiry).
    web_session_hours: float = 12.0
    #: Send the session cookie over HTTPS only: on wherever the app is served over HTTPS.
    secure_cookies: bool = False
    #: The Temporal Web UI that request pages link to (each request's workflow there).
    temporal_ui_url: str = "http://localhost:8233"
    #: Auto-assign gives an engineer no more open jobs than this, except for key accounts
    #: (`dispatch`); None: no limit.
    dispatch_max_open_jobs: int | None = None

    @property
    def signing_secret(self) -> str:
        if self.signing_secret_value:
            return self.signing_secret_value
        # The embedded stack: one secret for the worker and the API, kept across restarts.
        path = VAR / "signing-secret"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32), encoding="utf-8")
        return path.read_text(encoding="utf-8").strip()

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            temporal_address=env.get("TEMPORAL_ADDRESS", "localhost:7233"),
            temporal_namespace=env.get("TEMPORAL_NAMESPACE", "default"),
            task_queue=env.get("TEMPORAL_TASK_QUEUE", "aftersales"),
            database_url=env.get("DATABASE_URL", f"sqlite:///{VAR / 'aftersales.db'}"),
            timezone=env.get("SERVICE_TIMEZONE", SERVICE_TIMEZONE),
            demo_keys_path=Path(env.get("DEMO_KEYS_PATH", str(VAR / "demo-keys.json"))),
            notifications=NotificationSettings.from_env(env),
            public_base_url=env.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            signing_secret_value=env.get("SIGNING_SECRET", ""),
            api_key_cache_seconds=float(env.get("API_KEY_CACHE_SECONDS", "5")),
            worker_metrics_address=env.get("WORKER_METRICS_ADDRESS", "127.0.0.1:9464"),
            analysis_reports=_analysis_kinds(env.get("ANALYSIS_REPORTS", ",".join(ANALYSIS_KINDS))),
            web_session_hours=float(env.get("WEB_SESSION_HOURS", "12")),
            secure_cookies=_flag("WEB_SECURE_COOKIES", env.get("WEB_SECURE_COOKIES", "false")),
            temporal_ui_url=env.get("TEMPORAL_UI_URL", "http://localhost:8233").rstrip("/"),
            dispatch_max_open_jobs=_limit(
                "DISPATCH_MAX_OPEN_JOBS", env.get("DISPATCH_MAX_OPEN_JOBS", "")
            ),
        )


async def connect_temporal(settings: Settings, runtime: Runtime | None = None) -> Client:
    """Every client (worker, API, starter) uses the pydantic data converter (SPEC §7)."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
        runtime=runtime,
    )


def metrics_runtime(address: str) -> Runtime | None:
    """A Temporal runtime that serves its metrics, and the worker's, to Prometheus at
    `address` (`/metrics`); None for an empty address."""
    if not address:
        return None
    prometheus = PrometheusConfig(bind_address=address, counters_total_suffix=True)
    return Runtime(telemetry=TelemetryConfig(metrics=prometheus))
