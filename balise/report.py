"""The activity report: one self-contained HTML file (charts embedded as PNG) and its figures as CSV.

It answers what the ROEQ policy asks the snapshots for: « comptabiliser des données pour les
rapports d'activités » — followers and likes over the year, what was published on which topic,
which posts people engaged with, what the gate stopped and how long the second sign-off took.
"""

from __future__ import annotations

import base64
import csv
import io
import os
import stat
import statistics
import tempfile
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, func, select

from balise.comments.figures import CommentFigures, comment_figures
from balise.compliance import load_policy
from balise.errors import InvalidInput
from balise.i18n import t
from balise.metrics import count_text, platform_name
from balise.models import AccountSnapshot, AuditEvent, ComplianceResult, Organization, Post, PostSnapshot, utcnow
from balise.platforms import PLATFORMS
from balise.private import FILE_MODE, user_mode
from balise.states import SIGNOFF_SPAN, State
from balise.timeparse import check_year

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

TOP_POSTS = 10


@dataclass(frozen=True)
class Period:
    """From the first day's midnight to the last day's end, in the organization's zone."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), tzinfo=self.zone).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=self.zone).astimezone(UTC)

    def months(self) -> list[str]:
        """`YYYY-MM` of every month the period touches."""
        months, year, month = [], self.first.year, self.first.month
        while (year, month) <= (self.last.year, self.last.month):
            months.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months


def parse_period(first: str, last: str, zone: ZoneInfo) -> Period:
    """`--from` and `--to` as typed; a malformed date or a period ending before it starts is refused."""
    days = []
    for option, value in (("--from", first), ("--to", last)):
        try:
            days.append(datetime.strptime(value.strip(), "%Y-%m-%d").date())
        except ValueError as exc:
            raise InvalidInput("report.bad_date", option=option, value=value) from exc
        check_year(days[-1], value)
    if days[1] < days[0]:
        raise InvalidInput("report.end_before_start", first=first, last=last)
    return Period(days[0], days[1], zone)


@dataclass(frozen=True)
class AudiencePoint:
    platform: str
    taken_at: datetime
    followers: int | None
    likes: int | None


@dataclass(frozen=True)
class EngagingPost:
    post_id: int
    platform: str
    published_at: datetime
    text: str
    reactions: int | None
    comments: int | None
    shares: int | None
    reach: int | None

    @property
    def engagement(self) -> int:
        return sum(v or 0 for v in (self.reactions, self.comments, self.shares))


@dataclass(frozen=True)
class SignoffDelays:
    delays: tuple[timedelta, ...]

    @property
    def median(self) -> timedelta | None:
        if not self.delays:
            return None
        return timedelta(seconds=statistics.median(d.total_seconds() for d in self.delays))

    @property
    def longest(self) -> timedelta | None:
        return max(self.delays) if self.delays else None


@dataclass(frozen=True)
class ReportData:
    org_name: str
    period: Period
    generated_at: datetime
    audience: list[AudiencePoint]
    topics: dict[str, list[int]]  # topic label -> posts published in each month of the period
    engaging: list[EngagingPost]
    rejections: list[tuple[str, int]]  # reason code -> drafts rejected for it
    signoff: SignoffDelays
    comments: CommentFigures


def gather(session: Session, org: Organization, period: Period) -> ReportData:
    """Every figure of the report, from the database only (no platform is asked)."""
    return ReportData(
        org_name=org.name,
        period=period,
        generated_at=utcnow(),
        audience=_audience(session, org, period),
        topics=_topics(session, org, period),
        engaging=_engaging(session, org, period),
        rejections=_rejections(session, org, period),
        signoff=_signoff(session, org, period),
        comments=comment_figures(session, org, period.start, period.end),
    )


def _in_period(column: Mapped[datetime] | Mapped[datetime | None], period: Period) -> sa.ColumnElement[bool]:
    return sa.and_(column >= period.start, column < period.end)


def _audience(session: Session, org: Organization, period: Period) -> list[AudiencePoint]:
    rows = session.exec(
        select(AccountSnapshot)
        .where(AccountSnapshot.org_id == org.id, _in_period(col(AccountSnapshot.taken_at), period))
        .order_by(col(AccountSnapshot.taken_at))
    )
    return [
        AudiencePoint(s.platform, s.taken_at, s.followers, s.likes)
        for s in rows
        if s.followers is not None or s.likes is not None
    ]


def _published(org: Organization, period: Period) -> sa.ColumnElement[bool]:
    return sa.and_(col(Post.org_id) == org.id, _in_period(col(Post.published_at), period))


def _topics(session: Session, org: Organization, period: Period) -> dict[str, list[int]]:
    policy = load_policy(org.policy_override)
    labels = {topic.id: topic.label for topic in policy.topics}
    order = [*labels.values(), t("report.other_topic")]
    months = period.months()
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(months))
    for topic, published_at in session.exec(select(Post.topic, Post.published_at).where(_published(org, period))):
        assert published_at is not None
        if not (topic or "").strip():
            label = t("report.no_topic")
        else:
            known, topic_id = policy.category_topic(topic or "")
            label = labels[topic_id] if topic_id else t("report.other_topic") if known else (topic or "").strip()
        counts[label][months.index(published_at.astimezone(period.zone).strftime("%Y-%m"))] += 1
    rank = {label: i for i, label in enumerate(order)}
    return dict(sorted(counts.items(), key=lambda item: (item[0] == t("report.no_topic"), rank.get(item[0], 99))))


def _engaging(session: Session, org: Organization, period: Period) -> list[EngagingPost]:
    """Each published post's latest snapshot per platform, the most engaging first."""
    latest = (
        select(col(PostSnapshot.target_id), func.max(PostSnapshot.taken_at).label("taken_at"))
        .where(PostSnapshot.org_id == org.id)
        .group_by(col(PostSnapshot.target_id))
        .subquery()
    )
    rows = session.exec(
        select(PostSnapshot, Post)
        .join(
            latest,
            sa.and_(
                col(PostSnapshot.target_id) == latest.c.target_id,
                col(PostSnapshot.taken_at) == latest.c.taken_at,
            ),
        )
        .join(Post, col(Post.id) == col(PostSnapshot.post_id))
        .where(_published(org, period))
    )
    posts = [
        EngagingPost(
            post_id=post.id or 0,
            platform=s.platform,
            published_at=post.published_at or s.taken_at,
            text=post.text,
            reactions=s.reactions,
            comments=s.comments,
            shares=s.shares,
            reach=s.reach,
        )
        for s, post in rows
        if any(v is not None for v in (s.reactions, s.comments, s.shares, s.reach))
    ]
    posts.sort(key=lambda p: (-p.engagement, -(p.reach or 0), p.published_at))
    return posts[:TOP_POSTS]


def _rejections(session: Session, org: Organization, period: Period) -> list[tuple[str, int]]:
    """Drafts the gate rejected, per reason code (a draft counts once per code)."""
    rows = session.exec(
        select(ComplianceResult.post_id, ComplianceResult.reasons)
        .join(Post, col(Post.id) == col(ComplianceResult.post_id))
        .where(
            Post.org_id == org.id,
            ComplianceResult.verdict == "rejected",
            _in_period(col(ComplianceResult.created_at), period),
        )
    )
    pairs = {(post_id, str(reason.get("code", "?"))) for post_id, reasons in rows for reason in reasons}
    return sorted(Counter(code for _, code in pairs).items(), key=lambda item: (-item[1], item[0]))


def _signoff(session: Session, org: Organization, period: Period) -> SignoffDelays:
    """From the gate's go-ahead (awaiting_signoff) to the sign-off (scheduled), from the audit log."""
    events = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.org_id == org.id,
            AuditEvent.action == "transition",
            col(AuditEvent.to_state).in_([s.value for s in SIGNOFF_SPAN]),
            AuditEvent.created_at < period.end,
        )
        .order_by(col(AuditEvent.id))
    )
    waiting_since: dict[int, datetime] = {}
    delays = []
    for event in events:
        if event.post_id is None:
            continue
        if event.to_state == State.AWAITING_SIGNOFF.value:
            waiting_since[event.post_id] = event.created_at
        elif event.post_id in waiting_since and event.created_at >= period.start:
            delays.append(event.created_at - waiting_since.pop(event.post_id))
    return SignoffDelays(tuple(delays))


# -- charts --------------------------------------------------------------------------------


def _png(figure: Figure) -> str:
    """The figure as base64 PNG, for a `data:` URL: the report is one file to email or print."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(height: float) -> Figure:
    # A Figure without pyplot: no global state, the Agg canvas above, safe in a web worker.
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, height), dpi=110, layout="constrained")
    figure.set_facecolor("white")
    return figure


def _axes(figure: Figure, title: str, ylabel: str) -> Axes:
    axes = figure.add_subplot()
    axes.set_axisbelow(True)  # the grid behind the bars and lines
    axes.set_title(title, loc="left", fontsize=12)
    axes.set_ylabel(ylabel)
    return axes


def month_label(month: str, lang: str | None = None) -> str:
    """`2026-04` → « avr. 2026 »."""
    year, number = month.split("-")
    return t("dates.month", lang=lang, month=t("dates.months_short", lang=lang).split(",")[int(number) - 1], year=year)


def audience_chart(points: list[AudiencePoint], zone: ZoneInfo) -> str | None:
    """Followers (and Facebook likes) over time, one line per platform and figure."""
    if not points:
        return None
    from matplotlib.dates import AutoDateLocator, date2num, num2date
    from matplotlib.ticker import FuncFormatter

    figure = _figure(4.2)
    axes = _axes(figure, t("report.chart_audience"), t("report.axis_people"))
    for platform in sorted({p.platform for p in points}):
        mine = [p for p in points if p.platform == platform]
        for measure, style in (("followers", "-"), ("likes", "--")):
            values = [(p.taken_at, getattr(p, measure)) for p in mine if getattr(p, measure) is not None]
            if values:
                axes.plot(
                    date2num([v[0] for v in values]),
                    [v[1] for v in values],
                    style,
                    marker="o" if len(values) < 40 else None,
                    markersize=3,
                    color=PLATFORMS[platform].colour if platform in PLATFORMS else None,
                    label=t(f"report.series_{measure}", name=platform_name(platform)),
                )
    axes.xaxis.set_major_locator(AutoDateLocator(maxticks=8))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: _day_tick(num2date(x, tz=zone).date())))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda y, _: count_text(int(y))))
    axes.grid(alpha=0.3)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=3, frameon=False)
    return _png(figure)


def _day_tick(day: date) -> str:
    month = t("dates.months_short").split(",")[day.month - 1]
    return f"{day.day} {month}\n{day.year}"


def topics_chart(topics: dict[str, list[int]], months: list[str]) -> str | None:
    """Posts published per month, stacked by topic."""
    if not topics:
        return None
    import textwrap

    from matplotlib import colormaps
    from matplotlib.ticker import MaxNLocator

    figure = _figure(4.6 + 0.25 * len(topics))
    axes = _axes(figure, t("report.chart_topics"), t("report.axis_posts"))
    bottom = [0] * len(months)
    palette = colormaps["tab10" if len(topics) <= 10 else "tab20"]
    for index, (label, counts) in enumerate(topics.items()):
        axes.bar(range(len(months)), counts, bottom=bottom, color=palette(index), label=textwrap.fill(label, 60))
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    axes.set_xticks(range(len(months)), [month_label(m) for m in months])
    if len(months) > 8:
        axes.tick_params(axis="x", labelrotation=45)
        for tick in axes.get_xticklabels():
            tick.set(horizontalalignment="right", rotation_mode="anchor")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="y", alpha=0.3)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncols=2, frameon=False, fontsize=9)
    return _png(figure)


# -- HTML and CSV --------------------------------------------------------------------------


def duration_text(delay: timedelta | None) -> str:
    """« 1 j 4 h », « 3 h 20 min », « 12 min »: a delay as a coordinator reads it."""
    if delay is None:
        return "—"
    minutes = round(delay.total_seconds() / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return t("report.duration_days", days=days, hours=hours)
    if hours:
        return t("report.duration_hours", hours=hours, minutes=minutes)
    return t("report.duration_minutes", minutes=minutes)


def render_html(data: ReportData) -> str:
    """The report page, in the user's language, with nothing to fetch: charts are inline PNG."""
    from jinja2 import Environment

    zone = data.period.zone
    environment = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    environment.filters["count"] = lambda v: "—" if v is None else count_text(v)
    environment.filters["day"] = lambda d: d.astimezone(zone).strftime("%Y-%m-%d")
    environment.globals["t"] = t
    return environment.from_string(TEMPLATE).render(
        data=data,
        first=data.period.first.isoformat(),
        last=data.period.last.isoformat(),
        generated=data.generated_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        audience_png=audience_chart(data.audience, zone),
        latest_audience=_latest_audience(data.audience),
        topics_png=topics_chart(data.topics, data.period.months()),
        months=[month_label(m) for m in data.period.months()],
        month_totals=[sum(column) for column in zip(*data.topics.values(), strict=True)],
        total_posts=sum(sum(c) for c in data.topics.values()),
        platform_name=platform_name,
        code_label=reason_label,
        median=duration_text(data.signoff.median),
        longest=duration_text(data.signoff.longest),
        comments_median=duration_text(data.comments.median),
        comments_p90=duration_text(data.comments.p90),
        short=lambda text: text if len(text) <= 90 else text[:89] + "…",
    )


def reason_label(code: str) -> str:
    """A reason code in words; a code added to the gate later still shows, as itself."""
    try:
        return t(f"report.code_{code}")
    except KeyError:
        return code


def _latest_audience(points: list[AudiencePoint]) -> list[tuple[AudiencePoint, AudiencePoint]]:
    """Per platform, the first and the last snapshot of the period: the year's growth."""
    by_platform: dict[str, list[AudiencePoint]] = defaultdict(list)
    for point in points:
        by_platform[point.platform].append(point)
    return [(mine[0], mine[-1]) for _, mine in sorted(by_platform.items())]


FORMULA_STARTS = ("=", "+", "-", "@")


def render_csv(data: ReportData) -> bytes:
    """The report's figures, one per line (section;date;plateforme;element;mesure;valeur).

    Semicolons and a BOM: Excel in French opens such a file in columns, with its accents.
    """
    zone = data.period.zone
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")

    def write(cells: list[object]) -> None:
        writer.writerow([_inert(cell) for cell in cells])

    write(["section", "date", "plateforme", "element", "mesure", "valeur"])
    for point in data.audience:
        day = point.taken_at.astimezone(zone).strftime("%Y-%m-%d")
        for measure, value in (("abonnes", point.followers), ("mentions_jaime", point.likes)):
            if value is not None:
                write(["abonnes", day, point.platform, "", measure, value])
    months = data.period.months()
    for label, counts in data.topics.items():
        for month, count in zip(months, counts, strict=True):
            write(["publications_par_mois", month, "", label, "publications", count])
    for post in data.engaging:
        day = post.published_at.astimezone(zone).strftime("%Y-%m-%d")
        figures = [
            ("reactions", post.reactions),
            ("commentaires", post.comments),
            ("partages", post.shares),
            ("portee", post.reach),
            ("engagement", post.engagement),
        ]
        for measure, figure in figures:
            write(["publications_engageantes", day, post.platform, f"n° {post.post_id}", measure, figure])
    for code, count in data.rejections:
        write(["refus_par_raison", "", "", code, "brouillons", count])
    delays = data.signoff
    signoff: list[tuple[str, int | str]] = [
        ("nombre", len(delays.delays)),
        ("mediane_minutes", _minutes(delays.median)),
        ("max_minutes", _minutes(delays.longest)),
    ]
    for measure, minutes in signoff:
        write(["delais_approbation", "", "", "", measure, minutes])
    for category, count in data.comments.categories.items():
        write(["commentaires_par_categorie", "", "", category, "commentaires", count])
    response: list[tuple[str, int | str]] = [
        ("traites", len(data.comments.delays)),
        ("mediane_minutes", _minutes(data.comments.median)),
        ("p90_minutes", _minutes(data.comments.p90)),
        ("en_attente", data.comments.waiting),
    ]
    for measure, minutes in response:
        write(["delais_reponse_commentaires", "", "", "", measure, minutes])
    return buffer.getvalue().encode("utf-8-sig")


def _inert(cell: object) -> object:
    """A text cell a spreadsheet would read as a formula (a policy label "=HYPERLINK(...)") is
    kept as text, behind an apostrophe (OWASP's advice for CSV injection)."""
    return f"'{cell}" if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell


def _minutes(delay: timedelta | None) -> int | str:
    return "" if delay is None else round(delay.total_seconds() / 60)


def default_path(data_dir: Path, period: Period) -> Path:
    return data_dir / "reports" / f"rapport-{period.first.isoformat()}-{period.last.isoformat()}.html"


def write_outputs(files: dict[Path, bytes], private: Collection[Path] = ()) -> None:
    """Write every file or none: each goes to a temporary file beside it, then all are renamed.

    Used by the report and the calendar export; errors name the path and the fix, in French.
    Files in `private` (balise's data directory) are 0600; the others get the mode an existing
    file had, or the person's usual one.
    """
    written: list[tuple[Path, Path]] = []
    current = Path()
    try:
        for current, data in files.items():
            mode = _output_mode(current, current in private)
            written.append((_temporary(current), current))
            written[-1][0].write_bytes(data)
            written[-1][0].chmod(mode)
        for temporary, current in written:
            os.replace(temporary, current)
    except OSError as exc:
        raise InvalidInput("report.unwritable", path=current, detail=exc.strerror or str(exc)) from exc
    finally:
        for temporary, _ in written:
            temporary.unlink(missing_ok=True)


def _output_mode(path: Path, private: bool) -> int:
    """A new file's mode, or the one of the regular file it replaces. Anything else at the path
    (a link, a device like /dev/full, a pipe) is refused: renaming over it would replace it."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return FILE_MODE if private else user_mode()
    if stat.S_ISDIR(info.st_mode):
        raise InvalidInput("report.output_is_dir", path=path)
    if not stat.S_ISREG(info.st_mode):
        raise InvalidInput("report.output_not_regular", path=path)
    return FILE_MODE if private else stat.S_IMODE(info.st_mode)


def _temporary(path: Path) -> Path:
    if not path.parent.is_dir():
        raise InvalidInput("report.no_such_folder", path=path, folder=path.parent)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    return Path(name)


TEMPLATE = """<!DOCTYPE html>
<html lang="{{ t('report.lang') }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ t('report.title') }} — {{ data.org_name }} — {{ first }} – {{ last }}</title>
<style>
  body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: #222; max-width: 1000px;
         margin: 2rem auto; padding: 0 1.5rem; line-height: 1.45; }
  h1 { font-size: 1.7rem; margin-bottom: .2rem; }
  h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 2px solid #1565c0; padding-bottom: .2rem; }
  .meta { color: #555; margin-top: 0; }
  img { max-width: 100%; height: auto; display: block; margin: 1rem 0; }
  table { border-collapse: collapse; width: 100%; margin: .8rem 0; font-size: .92rem; }
  th, td { border: 1px solid #ccc; padding: .35rem .55rem; text-align: left; vertical-align: top; }
  th { background: #eef3fa; }
  td.n, th.n, td.d { text-align: right; white-space: nowrap; }
  td.d { text-align: left; }
  table.topics th.n { white-space: normal; font-size: .8rem; min-width: 4.5rem; }
  .empty { color: #666; font-style: italic; }
  .figures { display: flex; gap: 2rem; flex-wrap: wrap; }
  .figure { font-size: 1.6rem; font-weight: bold; }
  @media print { body { margin: 0; } h2 { break-after: avoid; } img, table { break-inside: avoid; } }
</style>
</head>
<body>
<h1>{{ t('report.title') }} — {{ data.org_name }}</h1>
<p class="meta">{{ t('report.period', first=first, last=last) }} · {{ t('report.generated', when=generated) }}</p>

<section id="abonnes">
<h2>{{ t('report.section_audience') }}</h2>
{% if audience_png %}
<img src="data:image/png;base64,{{ audience_png }}" alt="{{ t('report.chart_audience') }}">
<table>
<tr><th>{{ t('report.col_platform') }}</th><th>{{ t('report.col_first') }}</th>
<th class="n">{{ t('report.col_followers') }}</th>
<th class="n">{{ t('report.col_likes') }}</th><th>{{ t('report.col_last') }}</th>
<th class="n">{{ t('report.col_followers') }}</th><th class="n">{{ t('report.col_likes') }}</th></tr>
{% for first_point, last_point in latest_audience %}
<tr><td>{{ platform_name(first_point.platform) }}</td>
<td class="d">{{ first_point.taken_at | day }}</td>
<td class="n">{{ first_point.followers | count }}</td><td class="n">{{ first_point.likes | count }}</td>
<td class="d">{{ last_point.taken_at | day }}</td><td class="n">{{ last_point.followers | count }}</td>
<td class="n">{{ last_point.likes | count }}</td></tr>
{% endfor %}
</table>
{% else %}
<p class="empty">{{ t('report.no_audience') }}</p>
{% endif %}
</section>

<section id="publications">
<h2>{{ t('report.section_topics') }}</h2>
{% if topics_png %}
<p>{{ t('report.posts_total', count=total_posts) }}</p>
<img src="data:image/png;base64,{{ topics_png }}" alt="{{ t('report.chart_topics') }}">
<table class="topics">
<tr><th>{{ t('report.col_month') }}</th>{% for label in data.topics %}<th class="n">{{ label }}</th>{% endfor %}
<th class="n">{{ t('report.col_total') }}</th></tr>
{% for month in months %}
{% set row = loop.index0 %}
<tr><td class="d">{{ month }}</td>
{% for counts in data.topics.values() %}<td class="n">{{ counts[row] }}</td>{% endfor %}
<td class="n"><strong>{{ month_totals[row] }}</strong></td></tr>
{% endfor %}
<tr><td><strong>{{ t('report.col_total') }}</strong></td>{% for counts in data.topics.values() %}
<td class="n"><strong>{{ counts | sum }}</strong></td>{% endfor %}
<td class="n"><strong>{{ total_posts }}</strong></td></tr>
</table>
{% else %}
<p class="empty">{{ t('report.no_posts') }}</p>
{% endif %}
</section>

<section id="engagement">
<h2>{{ t('report.section_engaging') }}</h2>
{% if data.engaging %}
<p>{{ t('report.engaging_intro') }}</p>
<table>
<tr><th>{{ t('report.col_date') }}</th><th>{{ t('report.col_platform') }}</th><th>{{ t('report.col_post') }}</th>
<th class="n">{{ t('report.col_reactions') }}</th><th class="n">{{ t('report.col_comments') }}</th>
<th class="n">{{ t('report.col_shares') }}</th><th class="n">{{ t('report.col_reach') }}</th></tr>
{% for post in data.engaging %}
<tr><td class="d">{{ post.published_at | day }}</td><td>{{ platform_name(post.platform) }}</td>
<td>n° {{ post.post_id }} — {{ short(post.text) }}</td><td class="n">{{ post.reactions | count }}</td>
<td class="n">{{ post.comments | count }}</td><td class="n">{{ post.shares | count }}</td>
<td class="n">{{ post.reach | count }}</td></tr>
{% endfor %}
</table>
{% else %}
<p class="empty">{{ t('report.no_engaging') }}</p>
{% endif %}
</section>

<section id="refus">
<h2>{{ t('report.section_rejections') }}</h2>
{% if data.rejections %}
<table>
<tr><th>{{ t('report.col_reason') }}</th><th>{{ t('report.col_code') }}</th>
<th class="n">{{ t('report.col_drafts') }}</th></tr>
{% for code, count in data.rejections %}
<tr><td>{{ code_label(code) }}</td><td><code>{{ code }}</code></td><td class="n">{{ count }}</td></tr>
{% endfor %}
</table>
{% else %}
<p class="empty">{{ t('report.no_rejections') }}</p>
{% endif %}
</section>

<section id="approbations">
<h2>{{ t('report.section_signoff') }}</h2>
{% if data.signoff.delays %}
<div class="figures">
<div>{{ t('report.signoff_count') }}<div class="figure">{{ data.signoff.delays | length }}</div></div>
<div>{{ t('report.signoff_median') }}<div class="figure">{{ median }}</div></div>
<div>{{ t('report.signoff_max') }}<div class="figure">{{ longest }}</div></div>
</div>
<p>{{ t('report.signoff_intro') }}</p>
{% else %}
<p class="empty">{{ t('report.no_signoff') }}</p>
{% endif %}
</section>

<section id="commentaires">
<h2>{{ t('report.section_comments') }}</h2>
{% if data.comments.total %}
<table>
<tr><th>{{ t('report.comments_category') }}</th><th>{{ t('report.comments_count') }}</th></tr>
{% for category, count in data.comments.categories.items() %}
<tr><td>{{ t('comments.category_' + category) }}</td><td>{{ count }}</td></tr>
{% endfor %}
</table>
<div class="figures">
<div>{{ t('report.comments_answered') }}<div class="figure">{{ data.comments.delays | length }}</div></div>
<div>{{ t('report.comments_median') }}<div class="figure">{{ comments_median }}</div></div>
<div>{{ t('report.comments_p90') }}<div class="figure">{{ comments_p90 }}</div></div>
</div>
<p>{{ t('report.comments_intro') }}</p>
{% else %}
<p class="empty">{{ t('report.no_comments') }}</p>
{% endif %}
</section>
</body>
</html>
"""
