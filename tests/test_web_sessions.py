"""Web app sessions and passwords on the database (no HTTP): a session acts as its key's person
until it expires, its key expires or is revoked, or it is signed out; it never outlives its
key; passwords are salted scrypt, checked in constant time, and refused when weak or taken."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from db.session import transaction
from db.tables import ApiKey, WebSession
from identity.keys import KeyRejected, create_api_key, hash_key, revoke_api_key
from identity.passwords import hash_password, set_password, verify_password
from identity.web_sessions import SignInRefused, sign_in, sign_out, signed_in
from models.lifecycle import Role

STAFF = frozenset(Role) - {Role.CUSTOMER}
DAY = timedelta(hours=12)


def test_a_session_is_its_keys_person_until_it_ends(sessions):
    now = datetime.now(UTC)
    with transaction(sessions) as session:
        issued = create_api_key(session, Role.DISPATCHER, "周敏")
        web = sign_in(session, key=issued.key, lifetime=DAY, roles=STAFF, now=now)
        assert web.who.name == "周敏" and web.who.role == Role.DISPATCHER
        stored = session.get(WebSession, hash_key(web.token))
        assert stored is not None and stored.token_hash != web.token  # only the digest is kept
    with sessions() as session:
        assert signed_in(session, web.token, now + DAY - timedelta(seconds=1)) is not None
        assert signed_in(session, web.token, now + DAY) is None  # expired
        assert signed_in(session, "not-a-token", now) is None
    with transaction(sessions) as session:
        sign_out(session, web.token)
        sign_out(session, web.token)  # twice changes nothing
    with sessions() as session:
        assert signed_in(session, web.token, now) is None


def test_a_session_never_outlives_its_key(sessions):
    now = datetime.now(UTC)
    with transaction(sessions) as session:
        issued = create_api_key(
            session, Role.SUPPORT, "短期", expires_at=now + timedelta(hours=1), now=now
        )
        web = sign_in(session, key=issued.key, lifetime=DAY, roles=STAFF, now=now)
        assert web.expires_at == issued.expires_at
        other = sign_in(session, key=issued.key, lifetime=DAY, roles=STAFF, now=now)
        revoke_api_key(session, issued.id)
    with sessions() as session:
        assert signed_in(session, web.token, now) is None
        assert signed_in(session, other.token, now) is None


def test_customers_and_bad_keys_do_not_sign_in(sessions):
    with transaction(sessions) as session:
        customer = create_api_key(session, Role.CUSTOMER, "", customer_id="C001")
        with pytest.raises(SignInRefused, match="customer"):
            sign_in(session, key=customer.key, lifetime=DAY, roles=STAFF)
        with pytest.raises(SignInRefused, match="not valid"):
            sign_in(session, key="as_admin_guess", lifetime=DAY, roles=STAFF)
        with pytest.raises(SignInRefused, match="wrong"):
            sign_in(session, login="", password="", lifetime=DAY, roles=STAFF)


def test_passwords_are_salted_and_checked(sessions):
    first, second = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert first != second and first.startswith("scrypt$")
    assert verify_password("correct horse battery", first)
    assert not verify_password("correct horse batterY", first)
    assert not verify_password("x", "not a hash")
    with transaction(sessions) as session:
        one = create_api_key(session, Role.REVISIT, "孙丽")
        two = create_api_key(session, Role.REVISIT, "钱多")
        with pytest.raises(KeyRejected) as short:
            set_password(session, one.id, "sun.li", "short")
        assert short.value.field == "password"
        with pytest.raises(KeyRejected) as badly:
            set_password(session, one.id, "孙丽", "long enough pw")
        assert badly.value.field == "login"
        info = set_password(session, one.id, "Sun.Li", "long enough pw")
        assert info.login == "sun.li"
        with pytest.raises(KeyRejected, match="already the login"):
            set_password(session, two.id, "sun.li", "another long pw")
        row = session.get(ApiKey, one.id)
        assert row is not None and "long enough pw" not in (row.password_hash or "")
        web = sign_in(session, login="SUN.LI", password="long enough pw", lifetime=DAY, roles=STAFF)
        assert web.who.key_id == one.id
        with pytest.raises(SignInRefused):
            sign_in(session, login="sun.li", password="long enough PW", lifetime=DAY, roles=STAFF)
        revoke_api_key(session, one.id)
        with pytest.raises(SignInRefused):
            sign_in(session, login="sun.li", password="long enough pw", lifetime=DAY, roles=STAFF)
        with pytest.raises(KeyRejected, match="revoked"):
            set_password(session, one.id, "sun.li", "long enough pw")


def test_a_new_password_signs_every_browser_of_the_key_out(sessions):
    with transaction(sessions) as session:
        issued = create_api_key(session, Role.INTAKE, "周杰")
        web = sign_in(session, key=issued.key, lifetime=DAY, roles=STAFF)
    with transaction(sessions) as session:
        set_password(session, issued.id, "zhou.jie", "a brand new pw")
    with sessions() as session:
        assert signed_in(session, web.token) is None
