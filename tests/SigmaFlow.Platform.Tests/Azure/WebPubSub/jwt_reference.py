#!/usr/bin/env python3
"""Independent reference for Hs256JwtTests: HS256 JWTs as Azure Web PubSub expects them, computed with the
Python standard library only (hmac, hashlib, base64, json). Run `python3 jwt_reference.py` and paste the output
into the test's expected values; the C# code under test shares nothing with this script.

Rules encoded here (AZURE-REFERENCE.md section 2.2/2.3):
* header {"alg":"HS256","typ":"JWT"}, compact JSON, base64url without padding;
* payload claims in the order aud, iat, nbf, exp, sub, role, webpubsub.group (only those present);
* signature = HMAC-SHA256 over "header.payload" keyed with the UTF-8 bytes of the access key string (the key is
  NOT base64-decoded, even when it looks like base64).
"""
import base64
import hashlib
import hmac
import json


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def compact(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def token(key: str, claims: dict) -> str:
    signing_input = b64url(compact({"alg": "HS256", "typ": "JWT"})) + "." + b64url(compact(claims))
    signature = hmac.new(key.encode("utf-8"), signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + b64url(signature)


KEY = "SigmaFlowTestKey/+=0123456789abcdefghijklmnopqrstuvwxyz"  # looks like base64 on purpose
IAT = 1767225600  # 2026-01-01T00:00:00Z

# 1. Client access token: user, roles and groups, one hour.
print("client:", token(KEY, {
    "aud": "https://sigmaflow.webpubsub.azure.com/client/hubs/market",
    "iat": IAT,
    "exp": IAT + 3600,
    "sub": "trader-é1",
    "role": ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup.signals"],
    "webpubsub.group": ["bars.BTCUSD", "signals"],
}))

# 2. REST token: audience = request URL without query or trailing slash, with nbf.
print("rest:", token(KEY, {
    "aud": "https://sigmaflow.webpubsub.azure.com/api/hubs/market/groups/bars.BTCUSD/:send",
    "iat": IAT,
    "nbf": IAT,
    "exp": IAT + 3600,
}))

# 3. jwt.io's canonical example (secret "your-256-bit-secret"), to show this script matches the well-known value.
header = b64url(b'{"alg":"HS256","typ":"JWT"}')
payload = b64url(b'{"sub":"1234567890","name":"John Doe","iat":1516239022}')
sig = hmac.new(b"your-256-bit-secret", (header + "." + payload).encode("ascii"), hashlib.sha256).digest()
print("jwt.io:", header + "." + payload + "." + b64url(sig))
