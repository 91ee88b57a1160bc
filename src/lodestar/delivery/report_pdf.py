"""A status report as PDF, with fpdf2: the report's markdown rendered to (sanitized) HTML by
lodestar.core.markdown, then laid out by fpdf2's HTML writer (headings, paragraphs, lists,
tables, bold and italic, code).

No font is bundled: the PDF uses the core Helvetica font, which only covers Latin-1. Common
typography outside it (dashes, curly quotes, the ellipsis, arrows, the euro sign) is
written in ASCII; any other character outside Latin-1 becomes "?". docs/ship-reports.md
says so."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.fonts import FontFace

from lodestar.core.markdown import render
from lodestar.delivery.models import StatusReport

_PLAIN = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u2022": "-",
        "\u2192": "->",
        "\u2190": "<-",
        "\u2264": "<=",
        "\u2265": ">=",
        "\u2260": "!=",
        "\u20ac": "EUR ",
        "\u2122": "(TM)",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
    }
)


def latin1(text: str) -> str:
    """`text` in the characters the core fonts have (Latin-1): common typography in ASCII,
    anything else as "?"."""
    return text.translate(_PLAIN).encode("latin-1", errors="replace").decode("latin-1")


class _ReportPDF(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(format="A4")
        self.footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", size=8)
        self.set_text_color(110)
        self.cell(0, 6, self.footer_text, align="L")
        self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0)


def report_pdf(report: StatusReport, *, compress: bool = True) -> bytes:
    """The PDF of `report` (its current body). `compress=False` leaves the page streams
    readable (tests look for the text in them)."""
    footer = latin1(f"{report.title} - {report.get_status_display()}")
    pdf = _ReportPDF(footer)
    pdf.set_compression(compress)
    pdf.set_title(latin1(report.title))
    pdf.set_author("Lodestar")
    pdf.set_creator("Lodestar")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    html = latin1(str(render(report.body)))
    pdf.write_html(
        html,
        table_line_separators=True,
        li_prefix_color=(0, 0, 0),
        tag_styles={
            "h1": FontFace(size_pt=18, emphasis="BOLD", color=(20, 30, 60)),
            "h2": FontFace(size_pt=13, emphasis="BOLD", color=(20, 30, 60)),
            "h3": FontFace(size_pt=11, emphasis="BOLD", color=(20, 30, 60)),
        },
    )
    return bytes(pdf.output())
