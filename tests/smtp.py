"""A real SMTP server on loopback (aiosmtpd) that keeps what it received, for the mail tests.

It can answer scripted failures (a 451 to the next DATA, a 550 to a recipient), offer STARTTLS or
speak TLS from the start with a self-signed certificate made by `openssl`, and require a login.
"""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import subprocess
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

# Characters a URL must percent-encode (smtplib sends logins in ASCII only).
USER, PASSWORD = "cnnt@example.vn", "mat khau:@/%thu#?"


@dataclass
class Received:
    """One message as the server took it: envelope and parsed content."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        """The plain-text part's content."""
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())


@dataclass
class KeepingHandler:
    """Keeps every accepted message; answers DATA from `data_answers` first, refuses `refused` recipients."""

    received: list[Received] = field(default_factory=list)
    data_answers: deque[str] = field(default_factory=deque)
    refused: set[str] = field(default_factory=set)
    logins: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def nth(self, count: int, timeout_s: float = 15) -> Received:
        """The `count`-th message received, waiting for it (an app's sender delivers after its commit)."""
        deadline = time.monotonic() + timeout_s
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"{len(self.received)} messages, waited for {count}"
            time.sleep(0.1)
        return self.received[count - 1]

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        """Refuse the recipients listed, accept the others."""
        if address in self.refused:
            return "550 5.1.1 Không có hộp thư này"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        """A scripted answer if one is left, else keep the message."""
        if self.data_answers:
            return self.data_answers.popleft()
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 2.0.0 OK"


def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    """Accept USER with PASSWORD only (LOGIN or PLAIN)."""
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER
          and auth_data.password.decode() == PASSWORD)
    # An explicit message: without one, aiosmtpd 1.4 leaves a refused AUTH PLAIN unanswered.
    return AuthResult(success=True) if ok else AuthResult(success=False, handled=False,
                                                          message="535 5.7.8 Sai thông tin đăng nhập")


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def self_signed(folder: Path) -> tuple[Path, Path]:
    """(certificate, key) for 127.0.0.1 and localhost, made by openssl."""
    cert, key = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    return cert, key


@contextmanager
def smtp_server(*, starttls: tuple[Path, Path] | None = None, implicit_tls: tuple[Path, Path] | None = None,
                login: bool = False) -> Iterator[tuple[KeepingHandler, int]]:
    """A running server on 127.0.0.1 (handler, port); STARTTLS or TLS with a (cert, key) pair."""
    handler = KeepingHandler()
    options: dict[str, Any] = {}
    if login:
        options.update(authenticator=authenticator, auth_required=True)
    if starttls:
        options.update(tls_context=_server_tls(*starttls), require_starttls=True)
    if implicit_tls:
        options.update(ssl_context=_server_tls(*implicit_tls), auth_require_tls=False)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, server_hostname="localhost", **options)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def _server_tls(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    return context
