"""`balise demo`: see the whole pipeline work, on the sandbox, with nothing configured."""

from __future__ import annotations

from balise.cli import output
from balise.i18n import t


def demo_command() -> None:
    from balise.config import get_settings
    from balise.demo import run_demo

    with output.console.status(t("cli.demo_setup")) as status:
        rows = run_demo(lambda step: status.update(t("cli.demo_" + step)))
    table = output.table("number", "result", "platforms", "why", "text", show_lines=True)
    for row in rows:
        places = "\n".join(
            t("labels.labelled", label=p, value=t("labels." + s)) + (f"\n{u}" if u else "") for p, s, u in row.platforms
        )
        reasons = "\n".join(row.reasons) or "—"
        table.add_row(
            str(row.post_id),
            t("labels." + row.state),
            places,
            reasons,
            row.text[:80] + ("…" if len(row.text) > 80 else ""),
        )
    output.console.print(table)
    published = sum(r.state == "published" for r in rows)
    output.ok(t("cli.demo_done", published=published, total=len(rows), outbox=get_settings().data_path / "outbox"))
