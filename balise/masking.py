"""How a URL with credentials is shown anywhere balise prints or logs one: never its password.

REDIS_URL, BALISE_SMTP_URL and BALISE_DATABASE_URL may carry one, and so may the errors of the
libraries that use them; `config show`, `status`, warnings, errors and logs all go through here.
"""

from __future__ import annotations

import re

_URL_CREDENTIALS = re.compile(r"(?P<user>[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*):\S*@")


def mask_url_password(text: str) -> str:
    """Every `scheme://user:secret@host` in `text` becomes `scheme://user:••••@host`."""
    return _URL_CREDENTIALS.sub(r"\g<user>:••••@", text)
