"""Runtime settings, read from the environment (prefix JISR_).

One Settings object per process. Every service reads the same variables; a service-specific
database URL (JISR_<SERVICE>_DATABASE_URL) overrides the shared one, so production can give each
service its own database while the local stack uses one server with a schema per service.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("complaints", "fora", "incidents", "analytics")
DEFAULT_PORTS = {"complaints": 8001, "fora": 8002, "incidents": 8003, "analytics": 8004}

# A development-only signing key. `jisr up` and the tests use it; production sets
# JISR_JWT_SECRET, or JISR_JWT_PUBLIC_KEY, or JISR_JWT_JWKS_URL.
DEV_JWT_SECRET = "jisr-local-development-only-not-a-secret-0123456789"
# Development-only key for personal data at rest (base64 of 32 bytes). Production sets
# JISR_PERSONAL_DATA_KEY from a secret store; see deploy/README.md for rotation.
DEV_PERSONAL_DATA_KEY = "amlzci1sb2NhbC1kZXZlbG9wbWVudC1vbmx5LWtleTE="
# Development-only key of the officers' pseudonyms (HMAC). Kept apart from the personal-data key
# so that rotating that key does not change every officer's pseudonym in past events.
DEV_PSEUDONYM_KEY = "jisr-local-development-only-pseudonym-key"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JISR_", extra="ignore")

    # Infrastructure
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/jisr"
    kafka_bootstrap: str = "127.0.0.1:9092"
    topic_prefix: str = Field(
        default="", description="Prepended to every topic name (isolates environments)"
    )
    host: str = "127.0.0.1"
    # Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated):
    # `jisr serve` hands it to uvicorn, so per-address limits count real clients.
    trusted_proxies: str = "127.0.0.1"
    # Kafka authentication (production: SASL_SSL with a per-service SCRAM user, see deploy/)
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = "SCRAM-SHA-512"
    kafka_username: str | None = None
    kafka_password: str | None = None
    kafka_ca_file: str | None = None  # PEM bundle of the cluster CA, for SSL and SASL_SSL

    # Auth
    jwt_secret: str = DEV_JWT_SECRET
    jwt_public_key: str | None = None  # PEM, for RS256/ES256 verification
    jwt_private_key: str | None = None  # PEM, for minting RS/ES tokens locally
    jwt_algorithm: str = "HS256"
    jwt_jwks_url: str | None = None
    jwt_issuer: str = "jisr-local"
    jwt_audience: str = "jisr"

    # Personal data and the complaints ledger
    personal_data_key: str = DEV_PERSONAL_DATA_KEY
    # During a rotation: the retired keys, comma-separated, until `jisr keys rewrap` has moved
    # every data key to the current one.
    personal_data_previous_keys: str = ""
    pseudonym_key: str = DEV_PSEUDONYM_KEY
    ledger_signing_key: str | None = None  # Ed25519 private key, PEM; None: a dev key

    # The dashboard's sign-in (analytics): OpenID Connect, authorization code with PKCE, against
    # the ministry's identity provider (its discovery document at <issuer>/.well-known/...).
    # Empty issuer: the development sign-in (paste a token) instead. The roles and scope come
    # from the ID token's claims as from an API token's (roles or realm_access.roles,
    # station_id, governorate, oversight_body).
    oidc_issuer: str = ""
    oidc_client_id: str = "jisr-analytics"
    oidc_client_secret: str = ""  # empty: a public client (PKCE alone)
    oidc_scopes: str = "openid profile email"
    oidc_provider_name: str = "the ministry's identity provider"  # "Sign in with <this>"
    oidc_redirect_url: str = ""  # empty: this site's /login/callback as the request reached it
    # Signs the dashboard's session cookie; required with an issuer (empty: derived from
    # jwt_secret, which only the development sign-in accepts).
    session_secret: str = ""
    session_hours: float = Field(default=8.0, gt=0, le=24)
    # The dashboard warns that its figures are behind when a topic lags more events than this.
    freshness_max_lag: int = Field(default=20, ge=0)

    # Other services' public HTTP APIs (queries only; commands travel as events)
    incidents_url: str = "http://127.0.0.1:8003"

    # Outbox / inbox
    outbox_batch_size: int = 500
    outbox_retention_hours: float = 24 * 7
    outbox_poll_seconds: float = 1.0
    consumer_max_retries: int = 3
    consumer_retry_backoff_seconds: float = 0.2
    # records per delivered batch (one offset commit); applied 500 per inbox transaction
    consumer_batch_size: int = 2000
    # Tansu's initial group join takes about half the session timeout; Kafka's default (45 s)
    # would make every consumer start take ~20 s locally. Production may raise it.
    consumer_session_timeout_ms: int = 6000
    consumer_heartbeat_ms: int = 1000

    # Observability
    log_level: str = "INFO"
    otlp_endpoint: str | None = None
    # /metrics: with a port, served there only (a scrape port the network policy keeps
    # internal) and no longer on the API port; with a token, only to `Authorization: Bearer
    # <token>` (Prometheus' `authorization.credentials`). Both may be set.
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_token: str | None = None

    # Database statement bounds: a request's statement is cancelled after this long and the
    # client gets 503 with Retry-After (PostgreSQL statement_timeout and asyncpg's own
    # command timeout, a little longer, for a server that no longer answers at all).
    statement_timeout_seconds: float = Field(default=15.0, gt=0)

    def service_database_url(self, service: str) -> str:
        """The database URL for one service: JISR_<SERVICE>_DATABASE_URL or the shared one."""
        return os.environ.get(f"JISR_{service.upper()}_DATABASE_URL") or self.database_url

    def topic(self, name: str) -> str:
        """The physical topic name for a registry topic name."""
        return f"{self.topic_prefix}{name}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
