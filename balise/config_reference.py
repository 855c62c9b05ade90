"""docs/settings.md, written from `balise/config.py` so the reference cannot drift from the code.

`python -m balise.config_reference > docs/settings.md` (French) and `--lang en > docs/settings.en.md`;
tests/test_config_reference.py fails when a committed file differs from what this prints.
"""

from __future__ import annotations

import sys

from pydantic.fields import FieldInfo

from balise.config import ACCOUNT_KINDS, ENV_NAMES, SECRETS, Settings
from balise.i18n import LANGS, t

# Where `config_path()` looks without BALISE_CONFIG, as written for a person on Linux.
DEFAULT_CONFIG_SHOWN = "~/.config/balise/balise.toml"


def _default(field: FieldInfo, lang: str) -> str:
    if field.is_required():
        return t("settings.required", lang=lang)
    value = field.get_default(call_default_factory=True)
    return t("settings.none", lang=lang) if value is None else f"`{value}`"


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def reference(lang: str) -> str:
    """The whole reference in `lang`, as Markdown."""
    head = [
        t("settings.col_env", lang=lang),
        t("settings.col_toml", lang=lang),
        t("settings.col_default", lang=lang),
        t("settings.col_what", lang=lang),
    ]
    lines = [f"# {t('settings.title', lang=lang)}", "", t("settings.intro", lang=lang), ""]
    lines += [_row(*head), _row(*["---"] * len(head))]
    for name, env in ENV_NAMES.items():
        what = t(f"settings.{name}", lang=lang)
        if name in SECRETS:
            what += " " + t("settings.secret", lang=lang)
        toml = env.removeprefix("BALISE_").lower()
        lines.append(_row(f"`{env}`", f"`{toml}`", _default(Settings.model_fields[name], lang), what))
    lines += ["", f"## {t('settings.file_title', lang=lang)}", ""]
    lines += [t("settings.file_intro", lang=lang, default=f"`{DEFAULT_CONFIG_SHOWN}`"), ""]
    lines += [f"## {t('settings.accounts_title', lang=lang)}", "", t("settings.accounts_intro", lang=lang)]
    for platform, kind in ACCOUNT_KINDS.items():
        table = f"[organizations.{t('settings.slug', lang=lang)}.{platform}]"
        lines += ["", f"### {t('settings.accounts_table', lang=lang, table=f'`{table}`')}", ""]
        lines += [_row(t("settings.col_key", lang=lang), *head[2:]), _row(*["---"] * 3)]
        for key, field in kind.model_fields.items():
            what = t(f"settings.account_{platform}_{key}", lang=lang)
            if f"{platform}_{key}" in SECRETS:
                what += " " + t("settings.secret", lang=lang)
            lines.append(_row(f"`{key}`", _default(field, lang), what))
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    lang = argv[argv.index("--lang") + 1] if "--lang" in argv[:-1] else "fr"
    if lang not in LANGS:
        print(f"--lang : {' ou '.join(LANGS)}", file=sys.stderr)
        return 2
    sys.stdout.write(reference(lang))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
