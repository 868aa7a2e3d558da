"""The HTTP API (FastAPI): authentication, HTTP ↔ updates and queries, problem+json."""
