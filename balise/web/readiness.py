"""What email approval still lacks on this installation: the answer of `balise serve`'s home page
and of `balise calendar url`'s warning. Only "set or not", never a setting's value: the home page
is open to anyone who reaches the server."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlparse

from balise.config import get_settings


def only_this_computer(url: str) -> bool:
    """Whether `url` leads back to the machine that opens it (127.0.0.1, localhost, ::1, 0.0.0.0):
    an approver who clicks it on her own computer reaches nothing."""
    host = (urlparse(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


@dataclass(frozen=True)
class Readiness:
    smtp: bool  # BALISE_SMTP_URL: the server that sends the mails
    sender: bool  # BALISE_MAIL_FROM: who the mails come from
    public_address: bool  # BALISE_PUBLIC_URL: set, and not this computer only

    @property
    def complete(self) -> bool:
        return self.smtp and self.sender and self.public_address


def readiness() -> Readiness:
    settings = get_settings()
    return Readiness(
        smtp=bool(settings.smtp_url),
        sender=bool(settings.mail_from),
        public_address=not only_this_computer(settings.public_url),
    )
