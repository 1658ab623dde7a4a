"""A stub SMS gateway on the loopback: a real HTTP server in a thread that records each request
(and checks its signature) and answers from a script of status codes."""

import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StubGateway:
    """`answers` is consumed one status per request (then 200 for ever); `received` holds the
    decoded JSON bodies of the requests, `valid` whether each one's HMAC signature held."""

    def __init__(self, *, secret: str = "stub-secret", path: str = "/v1/sms/send"):
        self.secret = secret
        self.path = path
        self.answers: list[int] = []
        self.received: list[dict] = []
        self.valid: list[bool] = []
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                signed = "\n".join(
                    [
                        "POST",
                        self.path,
                        self.headers.get("X-Timestamp", ""),
                        self.headers.get("X-Nonce", ""),
                        hashlib.sha256(raw).hexdigest(),
                    ]
                )
                expected = base64.b64encode(
                    hmac.new(gateway.secret.encode(), signed.encode(), hashlib.sha256).digest()
                ).decode()
                with gateway.lock:
                    status = gateway.answers.pop(0) if gateway.answers else 200
                    if status == 200:
                        gateway.received.append(json.loads(raw))
                        gateway.valid.append(
                            hmac.compare_digest(expected, self.headers.get("X-Signature", ""))
                        )
                answer = (
                    {"code": "OK", "request_id": "stub"}
                    if status == 200
                    else {"code": "isv.ERROR", "message": "stub says no"}
                )
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{self.path}"

    def sent_to(self, phone: str) -> list[str]:
        return [r["template_params"]["content"] for r in self.received if r["phone"] == phone]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def configure(settings, gateway: StubGateway) -> None:
    """Point the HTTP sender at the stub."""
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = gateway.url
    settings.SMS_API_KEY = "stub-key"
    settings.SMS_API_SECRET = gateway.secret
    settings.SMS_AUTH = "hmac"
    settings.SMS_SIGN_NAME = "宜君县调解"
    settings.SMS_TEMPLATE_ID = "SMS_0001"
    settings.SMS_HTTP_TIMEOUT = 2
