"""A fake GitHub REST API on 127.0.0.1 for the issue-comment endpoints; it records every request."""
from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeGitHub:
    def __init__(self, read_only: bool = False) -> None:
        self.read_only = read_only
        self.comments: dict[int, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, dict[str, str], Any]] = []
        self._next = 1000
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeGitHub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                fake.requests.append((method, self.path, dict(self.headers), body))
                if self.headers.get("Authorization") != "Bearer test-token":
                    return self._reply(401, {"message": "Bad credentials"})
                listing = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments(\?.*)?", self.path)
                single = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/comments/(\d+)", self.path)
                if method != "GET" and fake.read_only:
                    return self._reply(403, {"message": "Resource not accessible by integration"})
                if listing and method == "GET":
                    found = re.search(r"[?&]page=(\d+)", self.path)
                    page = int(found.group(1)) if found else 1
                    items = [c for c in fake.comments.values() if c["issue"] == int(listing.group(2))]
                    return self._reply(200, items[(page - 1) * 100: page * 100])
                if listing and method == "POST":
                    fake._next += 1
                    fake.comments[fake._next] = {"id": fake._next, "issue": int(listing.group(2)), "body": body["body"]}
                    return self._reply(201, fake.comments[fake._next])
                if single and method == "PATCH":
                    comment = fake.comments.get(int(single.group(2)))
                    if comment is None:
                        return self._reply(404, {"message": "Not Found"})
                    comment["body"] = body["body"]
                    return self._reply(200, comment)
                return self._reply(404, {"message": "Not Found"})

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_PATCH(self) -> None:
                self._handle("PATCH")

        return Handler
