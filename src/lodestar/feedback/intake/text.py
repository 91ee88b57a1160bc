"""Plain text out of an email body: HTML to text, forwarded mail unwrapped, the quoted reply
and the signature cut off. Pure functions over strings, so each rule is tested on its own."""

from __future__ import annotations

import re
from email.headerregistry import Address
from email.utils import parseaddr
from html.parser import HTMLParser

_BLOCKS = {
    "address", "article", "aside", "br", "dd", "div", "dl", "dt", "footer", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre", "section", "table", "tr", "ul",
}  # fmt: skip
# Never text a reader sees; a blockquote in a mail is the message being replied to.
_SKIPPED = {"head", "script", "style", "template", "title", "blockquote"}
_VOID = {"area", "base", "br", "col", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _TextExtractor(HTMLParser):
    """Collects text nodes; a stack of open tags knows whether we are inside a skipped one
    (it tolerates the unclosed tags mail clients write)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    def _skipping(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag not in _VOID:
            self.stack.append((tag, tag in _SKIPPED or "gmail_quote" in classes))
        if tag in _BLOCKS and not self._skipping():
            self.parts.append("\n- " if tag == "li" else "\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break
        if self._skipping():
            return
        if tag in _BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping():
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """The words of an HTML mail, one paragraph per line, without quoted replies, scripts or
    styles. The result is plain text: it is escaped wherever it is shown."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return tidy("".join(parser.parts))


def tidy(text: str) -> str:
    """Unify line ends, trim each line, and keep at most one blank line in a row."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# Where the new text of a reply ends and the quoted message (or the signature) begins.
_REPLY_TAILS = [
    # "On Tue, 3 Mar 2026 at 10:04, Ann Lee <ann@x.com> wrote:", maybe wrapped onto two lines
    re.compile(
        r"^(On|Am|Le|El|Op) [^\n]{0,300}(\n[^\n]{0,200})?"
        r"(wrote|schrieb|a écrit|escribió|schreef) ?:$",
        re.M,
    ),
    re.compile(r"^-{2,} ?Original Message ?-{2,}$", re.M | re.I),
    re.compile(r"^_{20,}\n(From|De|Von):", re.M),  # Outlook's rule above the quoted header
    re.compile(r"^From: [^\n]*\n(Sent|Date): ", re.M),  # Outlook's quoted header, no rule
    re.compile(r"^-- ?$", re.M),  # the signature separator
    re.compile(r"^Sent from my [\w .-]{2,40}$", re.M | re.I),
    re.compile(r"^Get Outlook for \w+", re.M | re.I),
]


def strip_reply(text: str) -> str:
    """The new part of a reply: what comes before the first quoted-reply header or signature
    separator, without '>'-quoted lines."""
    text = tidy(text)
    cut = min((m.start() for p in _REPLY_TAILS if (m := p.search(text))), default=len(text))
    kept = [line for line in text[:cut].split("\n") if not line.startswith(">")]
    return tidy("\n".join(kept))


_FORWARD_MARKER = re.compile(
    r"^(-{5,} ?Forwarded message ?-{5,}|Begin forwarded message:)$", re.M | re.I
)
_HEADER_LINE = re.compile(r"^(\w[\w-]*): ?(.*)$")


def unforward(text: str) -> tuple[Address | None, str, str]:
    """For a forwarded mail ('---------- Forwarded message ---------' then From:, Date:, ...
    lines): (the original sender, the forwarded text, the forwarder's own note above it).
    (None, text, "") when the text holds no forwarded message with a From line."""
    text = tidy(text)
    marker = _FORWARD_MARKER.search(text)
    if marker is None:
        return None, text, ""
    lines = text[marker.end() :].lstrip("\n").split("\n")
    headers: dict[str, str] = {}
    body_starts = len(lines)
    for index, line in enumerate(lines):
        match = _HEADER_LINE.match(line)
        if not match or len(headers) >= 10:
            body_starts = index
            break
        headers[match.group(1).lower()] = match.group(2)
    name, address = parseaddr(headers.get("from", ""))
    try:
        sender = Address(display_name=name, addr_spec=address) if "@" in address else None
    except (ValueError, IndexError):
        sender = None
    if sender is None:
        return None, text, ""
    return sender, tidy("\n".join(lines[body_starts:])), tidy(text[: marker.start()])
