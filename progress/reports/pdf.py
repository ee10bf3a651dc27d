"""The status report as a PDF: the summary table and the dashboard's charts, drawn with matplotlib."""

from io import BytesIO

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402
from reportlab.lib import colors  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import getSampleStyleSheet  # noqa: E402
from reportlab.lib.units import cm  # noqa: E402
from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle  # noqa: E402

from core import formats  # noqa: E402

from .labels import sectors  # noqa: E402

COMMITTED, PIPELINE, TARGET = "#0b5563", "#e0a800", "#b03a2e"


def _n(value, decimals=0):
    return formats.number(value, decimals)


def _chart(draw, width=17, height=7.5) -> Image:
    fig, ax = plt.subplots(figsize=(width / 2.54, height / 2.54), dpi=150)
    draw(ax)
    ax.spines[["top", "right"]].set_visible(False)
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _pos: _n(v)))
    fig.tight_layout()
    buffer = BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    buffer.seek(0)
    return Image(buffer, width=width * cm, height=height * cm)


def _trajectory(fig, label):
    def draw(ax):
        years = list(fig["trajectory"])
        ax.plot(
            years,
            [fig["trajectory"][y] for y in years],
            marker="o",
            color=COMMITTED,
            label=_("Committed reduction in effect (t CO2e/yr)"),
        )
        if fig["target_path"]:
            ax.plot(
                years,
                [fig["target_path"][y] for y in years],
                linestyle="--",
                color=TARGET,
                label=_("Straight path to the target"),
            )
        ax.set_title(label)
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=7, loc="upper left")

    return draw


def _per_year(by_year, target, title, bar_label, target_max=None, counts=True):
    def draw(ax):
        years = list(by_year)
        ax.bar(years, [by_year[y] for y in years], color=COMMITTED, label=bar_label)
        if target is not None and years:
            ax.axhline(target, linestyle="--", color=TARGET, label=_("Annual target"))
        if target_max:
            ax.axhline(target_max, linestyle=":", color=TARGET, label=_("Upper end of target"))
        if counts:
            ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set_title(title)
        ax.legend(fontsize=7)

    return draw


def _summary_table(totals: dict) -> Table:
    """The per-sector summary table, one row per sector, so build_pdf reads as a list of sections."""
    rows = [[_("Sector"), _("Target"), _("Committed"), _("Pipeline"), _("Realised"), _("Share")]]
    for key, label in sectors():
        fig = totals[key]
        share = formats.percent(fig["committed_share"] or 0, 1)
        realised = f"{_n(fig['realised_tonnes'])} ({fig['realised_year'] or '–'})"
        rows.append(
            [label, _n(fig["target_tonnes"]), _n(fig["committed_tonnes"]), _n(fig["pipeline_tonnes"]), realised, share]
        )
    table = Table(rows, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dce6ea")),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ]
        )
    )
    return table


def _per_year_charts(totals: dict, styles) -> list:
    """The second page: partnerships signed per sector, then international partnerships and funding."""
    story = [Paragraph(_("Partnerships signed per year"), styles["Heading2"])]
    for key, label in sectors():
        signed = totals[key]["partnerships_signed"]
        counts = {y: s["count"] for y, s in signed.items()}
        first = next(iter(signed.values()), {})
        story.append(
            _chart(
                _per_year(
                    counts, first.get("target"), label, _("Partnerships signed"), target_max=first.get("target_max")
                ),
                height=6,
            )
        )
    story.append(Paragraph(_("International partnerships and external funding"), styles["Heading2"]))
    international = totals["international_partnerships"]
    story.append(
        _chart(
            _per_year(
                international["by_year"], international["target_per_year"], _("International partnerships"), _("Signed")
            ),
            height=5.5,
        )
    )
    funding = totals["external_funding"]
    story.append(
        _chart(
            _per_year(
                funding["by_year"], funding["target_per_year"], _("External funding (DKK)"), _("Granted"), counts=False
            ),
            height=5.5,
        )
    )
    return story


def build_pdf(totals: dict, *, generated) -> bytes:
    """Title and summary table, the sector trajectories, then a page of per-year charts."""
    styles = getSampleStyleSheet()
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=1.8 * cm,
        bottomMargin=1.8 * cm,
        title=_("Status report: priority 4"),
        author="Aalborg Kommune",
    )
    story = [
        Paragraph(_("Status report: climate partnerships and green supply"), styles["Title"]),
        Paragraph(
            _("Aalborg Kommune, business strategy 2023-2026, priority 4. For Aalborg Erhvervsråd."), styles["Normal"]
        ),
        Paragraph(
            _("Figures as of %(day)s; generated %(when)s.")
            % {"day": formats.date(totals["as_of"]), "when": formats.datetime(generated)},
            styles["Normal"],
        ),
        Spacer(1, 0.5 * cm),
    ]
    table = _summary_table(totals)
    story += [Paragraph(_("Reduction potential (t CO2e/yr)"), styles["Heading2"]), table, Spacer(1, 0.4 * cm)]
    for key, label in sectors():
        story.append(_chart(_trajectory(totals[key], label)))
    story.append(PageBreak())
    story += _per_year_charts(totals, styles)
    doc.build(story)
    return buffer.getvalue()
