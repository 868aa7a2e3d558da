"""Signing links: recorded so that each can be used once, and signed so none can be forged."""

from __future__ import annotations

from temporalio import activity

from db.session import SessionFactory, transaction
from db.tables import SigningLink
from models.activity_io import ActivityName, SigningLinkRequest
from signing.tokens import SigningClaim, token_for


class SigningActivities:
    def __init__(self, sessions: SessionFactory, secret: str, base_url: str) -> None:
        self._sessions = sessions
        self._secret = secret
        self._base_url = base_url

    @activity.defn(name=ActivityName.CREATE_SIGNING_LINK)
    def create_signing_link(self, request: SigningLinkRequest) -> str:
        claim = SigningClaim(request.number, request.expires_at, request.nonce)
        with transaction(self._sessions) as session:
            if session.get(SigningLink, claim.nonce) is None:
                session.add(
                    SigningLink(
                        nonce=claim.nonce,
                        number=claim.number,
                        expires_at=claim.expires_at,
                        purpose=request.purpose,
                    )
                )
        return f"{self._base_url}/{request.purpose}/{token_for(self._secret, claim)}"
