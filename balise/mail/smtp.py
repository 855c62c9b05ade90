"""Handing one mail to the server of BALISE_SMTP_URL, knowing when the hand-over begins.

Until the message itself is sent (after the server accepted the sender and the recipient) a
failure leaves nothing at the server: the mail may be tried again (`Unsent`). From then until
the server's answer, a cut (timeout, lost connection) leaves the outcome unknown (`Uncertain`):
the server may already hold the mail. The caller is told just before that point
(`handing_over`), so it can record it outside any transaction held open over the network.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from contextlib import suppress
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import unquote, urlparse

from balise.config import get_settings
from balise.errors import BaliseError, ConfigError
from balise.mail.letter import Letter
from balise.masking import mask_url_password

TIMEOUT = 30  # seconds, for each exchange with the server


class Unsent(Exception):
    """The server does not have the mail. `final`: it refused the address for good."""

    def __init__(self, detail: str, *, final: bool = False) -> None:
        super().__init__(detail)
        self.detail, self.final = detail, final


class Uncertain(Exception):
    """The hand-over was cut before the server answered: it may have the mail."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def failure(exc: Exception) -> str:
    """What went wrong, said for a person, with any password in a URL masked."""
    said = exc.message() if isinstance(exc, BaliseError) else str(exc) or type(exc).__name__
    return mask_url_password(said)


def send(letter: Letter, handing_over: Callable[[], bool]) -> bool:
    """Send `letter`; False, with nothing sent, if `handing_over()` said the mail is no longer
    ours to send. Raises `Unsent` or `Uncertain`."""
    try:
        message = _message(letter)
        client = _connect()
    except (ConfigError, OSError, smtplib.SMTPException) as exc:
        raise Unsent(failure(exc)) from exc
    try:
        if not _hand_over(client, message, letter.to, handing_over):
            return False
    finally:
        client.close()
    return True


def _hand_over(client: smtplib.SMTP, message: EmailMessage, to: str, handing_over: Callable[[], bool]) -> bool:
    try:
        sender = parseaddr(str(message["From"]))[1]
        code, reply = client.mail(sender)
        if code != 250:
            raise Unsent(f"{_said(code, reply)} ({sender})")
        code, reply = client.rcpt(to)
        if code not in (250, 251):
            raise Unsent(f"{_said(code, reply)} ({to})", final=code >= 500)
        if not handing_over():
            return False
    except (OSError, smtplib.SMTPException) as exc:
        raise Unsent(failure(exc)) from exc
    try:
        code, reply = client.data(message.as_bytes(policy=message.policy.clone(linesep="\r\n")))
    except smtplib.SMTPResponseException as exc:
        raise Unsent(failure(exc)) from exc  # the server refused DATA itself
    except (OSError, smtplib.SMTPException) as exc:
        raise Uncertain(failure(exc)) from exc
    if code != 250:  # smtplib returns the answer to the message, whatever it is
        raise Unsent(_said(code, reply))  # the server answered no: it does not have the mail
    with suppress(OSError, smtplib.SMTPException):
        client.quit()  # the server has the mail: a goodbye that fails changes nothing
    return True


def _said(code: int, reply: bytes) -> str:
    return f"{code} {reply.decode(errors='replace')}"


def _message(letter: Letter) -> EmailMessage:
    url = urlparse(get_settings().smtp_url or "")
    message = EmailMessage()
    message["From"] = get_settings().mail_from or f"balise@{url.hostname}"
    message["To"] = letter.to
    message["Subject"] = letter.subject
    message.set_content(letter.text)
    if letter.html:
        message.add_alternative(letter.html, subtype="html")
        html_part = message.get_body(("html",))
        assert html_part is not None
        for image in letter.images:
            maintype, subtype = image.mime.split("/", 1)
            html_part.add_related(
                image.path.read_bytes(), maintype, subtype, cid=f"<{image.cid}>", filename=image.name,
                disposition="inline",
            )  # fmt: skip
    return message


def _connect() -> smtplib.SMTP:
    """Connected, encrypted when the server offers it, logged in: ready for the sender."""
    smtp_url = get_settings().smtp_url or ""
    url = urlparse(smtp_url)
    if url.scheme not in {"smtp", "smtps"} or not url.hostname:
        raise ConfigError("notify.bad_smtp_url", url=smtp_url)  # masked by `failure`
    port = url.port or (465 if url.scheme == "smtps" else 25)
    client: smtplib.SMTP
    if url.scheme == "smtps":
        client = smtplib.SMTP_SSL(url.hostname, port, timeout=TIMEOUT, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(url.hostname, port, timeout=TIMEOUT)
    try:
        client.ehlo()
        if url.scheme == "smtp" and client.has_extn("starttls"):
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
    except BaseException:
        client.close()
        raise
    return client
