# Reference values for WebhookSignatureTests, computed with Python's standard library only (hmac, hashlib), independently
# of the C# code: X-SigmaFlow-Signature = "sha256=" + hex(HMAC-SHA256(secret, f"{timestamp}.{body}")).
import hashlib
import hmac

cases = [
    ("whsec-0123456789abcdef", 1767225600, b'{"id":"r1|BTCUSD|1767225600000","type":"alert"}'),
    ("s\u00e9cret-with-unicode-\u2713!", 1700000000, '{"text":"caf\u00e9 \u2615"}'.encode("utf-8")),
    ("another-secret-value", 0, b""),
]
for secret, timestamp, body in cases:
    mac = hmac.new(secret.encode("utf-8"), str(timestamp).encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    print(f"sha256={mac}")
