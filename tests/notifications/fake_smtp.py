"""A mail server on loopback speaking just enough SMTP for Django's SMTP backend: it takes
messages, refuses a recipient, refuses the message itself, or stops answering, as asked."""

from __future__ import annotations

import contextlib
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Behaviour:
    rcpt_reply: str = "250 OK"
    data_reply: str = "250 OK: queued"
    # Where the server goes silent: "greeting" (connects, never says hello) or "data" (takes the
    # whole message, never answers its final dot).
    silent_at: str = ""
    received: list[bytes] = field(default_factory=list)


class _Handler(socketserver.StreamRequestHandler):
    timeout = 30  # never outlive a test by much

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def _wait(self) -> None:
        # Say nothing until the client gives up and closes the connection.
        with contextlib.suppress(OSError):
            self.rfile.read()

    def handle(self) -> None:
        behaviour: Behaviour = self.server.behaviour
        if behaviour.silent_at == "greeting":
            return self._wait()
        self._say("220 fake-smtp ESMTP")
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self._say("250 fake-smtp")
            elif command.startswith("MAIL FROM"):
                self._say("250 OK")
            elif command.startswith("RCPT TO"):
                self._say(behaviour.rcpt_reply)
            elif command == "DATA":
                self._say("354 End data with <CR><LF>.<CR><LF>")
                body = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    body += chunk
                if behaviour.silent_at == "data":
                    return self._wait()
                if behaviour.data_reply.startswith("250"):
                    behaviour.received.append(body)
                self._say(behaviour.data_reply)
            elif command == "RSET" or command == "NOOP":
                self._say("250 OK")
            elif command == "QUIT":
                self._say("221 Bye")
                return None
            else:
                self._say("502 Command not implemented")
        return None


class FakeSMTP(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.behaviour = Behaviour()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
