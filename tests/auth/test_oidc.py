"""The ID token checks of app/auth/oidc.py (Authlib's verification), with keys made here."""

from __future__ import annotations

import time

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from app.auth import oidc
from sessions.errors import CoreError

ISSUER = "https://sso.dichvucong.example.gov.vn"
JWKS = ISSUER + "/jwks"
META = {"issuer": ISSUER, "jwks_uri": JWKS, "id_token_signing_alg_values_supported": ["RS256"]}
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
NONCE = "the-nonce-of-this-login"


@pytest.fixture
def keys(app, monkeypatch):
    app.config.update(OIDC_ISSUER=ISSUER, OIDC_CLIENT_ID="tiepcongdan", OIDC_ACR_VALUES=None)
    monkeypatch.setitem(oidc._cache, JWKS, (time.monotonic(),
                                            {"keys": [KEY.as_dict(private=False)]}))
    return app


def id_token(key=KEY, alg="RS256", **claims) -> dict:
    now = int(time.time())
    values = {"iss": ISSUER, "sub": "citizen-1", "aud": "tiepcongdan", "iat": now,
              "exp": now + 300, "nonce": NONCE, "SoDinhDanh": "001099012345"}
    values.update(claims)
    values = {k: v for k, v in values.items() if v is not None}
    header = {"alg": alg, "kid": "k1"}
    return {"id_token": jwt.encode(header, values, key, algorithms=[alg]),
            "access_token": "at"}


def refused(token, nonce=NONCE) -> bool:
    try:
        oidc.verify_id_token(token, nonce, META)
    except CoreError as exc:
        assert exc.code == "oidc_invalid"
        return True
    return False


def test_a_right_token_gives_its_claims(keys):
    claims = oidc.verify_id_token(id_token(), NONCE, META)
    assert claims["sub"] == "citizen-1" and claims["SoDinhDanh"] == "001099012345"


def test_a_wrong_or_missing_nonce_is_refused(keys):
    assert refused(id_token(), nonce="another-login")
    assert refused(id_token(nonce=None))


def test_a_bad_signature_is_refused(keys):
    stranger = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    assert refused(id_token(key=stranger))
    header, payload, signature = id_token()["id_token"].split(".")
    forged = jwt.encode({"alg": "RS256", "kid": "k1"}, {"sub": "someone-else"}, stranger)
    assert refused({"id_token": ".".join([header, forged.split(".")[1], signature])})


def test_an_algorithm_the_provider_does_not_announce_is_refused(keys):
    # HS256 keyed with the public key's modulus: the classic confusion attack.
    assert refused(id_token(key=OctKey.import_key(b"k" * 32), alg="HS256"))
    unsigned = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."  # {"alg":"none"}.{"sub":"x"}.
    assert refused({"id_token": unsigned})


def test_issuer_audience_and_times_are_checked_with_a_clock_skew(keys):
    now = int(time.time())
    assert refused(id_token(iss="https://evil.example"))
    assert refused(id_token(aud="another-client"))
    assert refused(id_token(exp=now - oidc.LEEWAY_SECONDS - 30))
    assert not refused(id_token(exp=now - 30))  # within the allowed skew
    assert not refused(id_token(iat=now + 30))
    assert refused(id_token(sub=None))


def test_the_acr_is_checked_when_required(keys):
    keys.config["OIDC_ACR_VALUES"] = "muc2 muc3"
    assert refused(id_token())
    assert refused(id_token(acr="muc1"))
    assert not refused(id_token(acr="muc2"))


def test_a_token_without_an_id_token_is_refused(keys):
    assert refused({"access_token": "at"})


def test_pending_logins_from_the_session_are_parsed_safely():
    assert oidc.Pending.from_dict(None) is None
    assert oidc.Pending.from_dict({"state": "s"}) is None
    pending = oidc.Pending("s", "n", "v", 5)
    assert oidc.Pending.from_dict(pending.to_dict()) == pending
