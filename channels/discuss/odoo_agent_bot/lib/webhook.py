"""Signing and sending the webhook. No Odoo imports: the server's test
suite runs this module with a plain Python to check that both sides sign
the same bytes the same way."""

import hashlib
import hmac
import json
import logging
import threading
import time

_logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Odoo-Agent-Signature"
TIMESTAMP_HEADER = "X-Odoo-Agent-Timestamp"
# The user's post never waits for the server: the request runs in its own
# thread after the commit, and gives up after this many seconds.
TIMEOUT_SECONDS = 10

try:  # optional: the addon installs and works without it
    import requests
except ImportError:  # pragma: no cover - depends on the host
    requests = None


def sign(secret, timestamp, body):
    """HMAC-SHA256 of b"<timestamp>.<body>" keyed with the secret, as
    "sha256=<hex>". The timestamp is covered so an old request cannot be
    replayed with a fresh timestamp."""
    if isinstance(secret, str):
        secret = secret.encode("utf-8")
    message = str(timestamp).encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret, message, hashlib.sha256).hexdigest()


def encode(payload):
    """The exact bytes sent (and signed): compact JSON, UTF-8."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def signed_request(url, secret, payload, timestamp=None):
    """(url, body bytes, headers) of one webhook call."""
    timestamp = str(int(time.time() if timestamp is None else timestamp))
    body = encode(payload)
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }
    return url.rstrip("/") + "/discuss/webhook", body, headers


def _post(url, body, headers):
    try:
        if requests is not None:
            response = requests.post(url, data=body, headers=headers, timeout=TIMEOUT_SECONDS)
            status = response.status_code
        else:
            import urllib.request

            request = urllib.request.Request(url, data=body, headers=headers, method="POST")
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                status = response.status
        if status >= 300:
            _logger.warning("odoo agent webhook answered HTTP %s", status)
    except Exception as err:  # never let a network problem reach the user
        _logger.warning("odoo agent webhook failed: %s", err)


def send_in_background(url, secret, payload):
    """Sends the webhook from a daemon thread and returns at once."""
    target, body, headers = signed_request(url, secret, payload)
    thread = threading.Thread(target=_post, args=(target, body, headers), daemon=True)
    thread.start()
    return thread
