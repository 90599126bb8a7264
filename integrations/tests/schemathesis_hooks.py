"""Schemathesis hooks for test_schemathesis.py (loaded through SCHEMATHESIS_HOOKS): a generated
Idempotency-Key that is valid becomes unique, so that valid requests are not refused as replays of
another body (422); missing and malformed keys are left as generated, to be refused with 400."""

import re
import uuid

import schemathesis

VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


@schemathesis.hook
def map_headers(context, headers):
    key = (headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and VALID_KEY.match(key):
        headers["Idempotency-Key"] = f"st-{uuid.uuid4().hex}"
    return headers
