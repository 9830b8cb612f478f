"""Where a built message goes: an SMTP server (CNNT_SMTP_URL) or, unset, an `.eml` file per message.

`smtp://` starts TLS with STARTTLS whenever the server offers it, and requires it when the URL has a
user and password (they are never sent in the clear); `smtps://` speaks TLS from the first byte. The
server's certificate is always verified, against the system's CAs plus `CNNT_SMTP_CA_FILE` if set.
A failure is a `MailDeliveryError`: permanent for an SMTP 5xx answer about the message (the sender
gives up at once), temporary for anything else (4xx, a refused or broken connection, a rejected
login or missing STARTTLS: a setting to fix, after which the queued messages still go).
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from app.config import Settings

SMTP_TIMEOUT_S = 30.0
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


class MailDeliveryError(Exception):
    """A message not delivered; `permanent` when retrying cannot help (an SMTP 5xx about the message)."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class MailTransport(Protocol):
    """Delivers one built message (`number` names it, e.g. in a file name) or raises MailDeliveryError."""

    def send(self, message: EmailMessage, *, number: int) -> None:
        """Deliver `message`."""


@dataclass(frozen=True, slots=True)
class SmtpServer:
    """CNNT_SMTP_URL taken apart: host, port, TLS from the start or by STARTTLS, optional login."""

    host: str
    port: int
    implicit_tls: bool
    username: str = ""
    password: str = ""

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        """`smtp://user:pass@host:587` or `smtps://host:465`; user and password are percent-decoded."""
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            raise ValueError("CNNT_SMTP_URL must look like smtp://user:pass@host:587 or smtps://host:465")
        return cls(host=parts.hostname, port=parts.port or DEFAULT_PORTS[parts.scheme],
                   implicit_tls=parts.scheme == "smtps", username=unquote(parts.username or ""),
                   password=unquote(parts.password or ""))


class SmtpTransport:
    """Sends through an SMTP server, one connection per message (a handful a minute at most)."""

    def __init__(self, server: SmtpServer, *, ca_file: Path | None = None) -> None:
        self.server = server
        self.tls = ssl.create_default_context()
        if ca_file is not None:
            self.tls.load_verify_locations(cafile=str(ca_file))

    def send(self, message: EmailMessage, *, number: int) -> None:
        """Deliver `message`, translating every failure into a MailDeliveryError."""
        try:
            self._send(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _text in error.recipients.values()]
            raise MailDeliveryError(f"người nhận bị từ chối: {error.recipients}",
                                    permanent=all(500 <= c < 600 for c in codes)) from error
        except smtplib.SMTPAuthenticationError as error:
            raise MailDeliveryError(f"đăng nhập SMTP bị từ chối: {error.smtp_code}",
                                    permanent=False) from error
        except smtplib.SMTPResponseException as error:
            text = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) \
                else str(error.smtp_error)
            raise MailDeliveryError(f"{error.smtp_code} {text}",
                                    permanent=500 <= error.smtp_code < 600) from error
        except UnicodeEncodeError as error:  # smtplib logs in with ASCII only
            raise MailDeliveryError("tên đăng nhập hoặc mật khẩu SMTP có ký tự ngoài ASCII",
                                    permanent=False) from error
        except (smtplib.SMTPException, OSError) as error:  # ssl.SSLError is an OSError
            raise MailDeliveryError(f"{type(error).__name__}: {error}", permanent=False) from error

    def _send(self, message: EmailMessage) -> None:
        """One SMTP conversation: connect, TLS, log in if asked, send."""
        server = self.server
        smtp: smtplib.SMTP
        if server.implicit_tls:
            smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=SMTP_TIMEOUT_S, context=self.tls)
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=SMTP_TIMEOUT_S)
        with smtp:
            smtp.ehlo()
            if not server.implicit_tls and smtp.has_extn("starttls"):
                smtp.starttls(context=self.tls)
                smtp.ehlo()
            elif not server.implicit_tls and server.username:
                raise MailDeliveryError("máy chủ SMTP không hỗ trợ STARTTLS: không gửi mật khẩu "
                                        "khi chưa mã hóa", permanent=False)
            if server.username:
                smtp.login(server.username, server.password)
            smtp.send_message(message)


class FileTransport:
    """Writes each message as `<folder>/<yyyymmdd-hhmmss>-<number>.eml` (UTC), atomically (temp, rename)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage, *, number: int) -> None:
        """Write the message's bytes; a reader never sees half a file."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            name = f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{number}.eml"
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
            with os.fdopen(handle, "wb") as file:
                file.write(message.as_bytes())
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.folder / name)
        except OSError as error:
            raise MailDeliveryError(f"không ghi được tệp thư: {error}", permanent=False) from error


def transport_for(settings: Settings) -> MailTransport:
    """The SMTP server of CNNT_SMTP_URL, or `.eml` files under DATA_DIR/mail when it is unset."""
    if settings.smtp_url:
        return SmtpTransport(SmtpServer.from_url(settings.smtp_url), ca_file=settings.smtp_ca_file)
    return FileTransport(settings.mail_dir)
