"""A webhook receiver on 127.0.0.1 for the tests and the bench: it verifies every request's
Standard Webhooks signature with the standardwebhooks library and keeps what it accepted."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class Receiver:
    """start()/stop() may be called again and again on the same port (the receiver "down", then up).
    `hold` makes the next requests wait (a slow receiver); `answer` is the status it replies with."""

    def __init__(self, secret: str, port: int = 0):
        self.webhook = Webhook(secret)
        self.port = port
        self.accepted: list[dict] = []  # {"id", "body", "received_at"} of verified requests
        self.rejected: list[str] = []
        self.arrived = threading.Event()
        self.hold = threading.Event()
        self.hold.set()
        self.answer = 200
        self.lock = threading.Lock()
        self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/appeal-desk"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.arrived.set()
                receiver.hold.wait(60)
                try:
                    payload = receiver.webhook.verify(body, dict(self.headers))
                except WebhookVerificationError as exc:
                    with receiver.lock:
                        receiver.rejected.append(str(exc))
                    self.send_response(400)
                else:
                    with receiver.lock:
                        receiver.accepted.append({"id": self.headers["webhook-id"], "body": payload,
                                                  "received_at": time.time()})
                    self.send_response(receiver.answer)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def ids(self) -> list[str]:
        with self.lock:
            return [item["id"] for item in self.accepted]

    def bodies(self) -> list[dict]:
        with self.lock:
            return [item["body"] for item in self.accepted]
