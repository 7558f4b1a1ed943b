"""The printed code sheet: per unit, cards to cut apart, each with a name, code and QR code.

Text is Vietnamese with full diacritics, so a TrueType font with those glyphs is embedded:
DejaVu Sans, which matplotlib (a dependency) ships, so it is there on any machine the bot
is installed on. The QR code holds the Telegram deep link; the code is printed too, for
members who join on Zalo by typing it.
"""

from __future__ import annotations

import itertools
import os
from datetime import date
from pathlib import Path

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from bot.core import dates
from bot.people.roster.sheet import Card, Sheet

FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
MARGIN = 15 * mm
CARD = 47 * mm  # one member's card, cut line included
QR = 38 * mm
QUIET = 4  # modules of blank margin around a QR code, as the standard asks
TITLE_ROOM = 26 * mm
WIDTH, HEIGHT = A4
PER_PAGE = int((HEIGHT - 2 * MARGIN - TITLE_ROOM) // CARD)


def _fonts() -> None:
    """Register DejaVu Sans (regular and bold) once, from matplotlib's data folder."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, os.fspath(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, os.fspath(folder / "DejaVuSans-Bold.ttf")))


def render(sheet: Sheet, out: Path, zalo_name: str, printed_on: date) -> int:
    """Write the sheet as a PDF; returns the number of pages."""
    _fonts()
    canvas = Canvas(os.fspath(out), pagesize=A4, invariant=True)
    canvas.setTitle(f"Mã tham gia — {sheet.unit_path}")
    canvas.setAuthor("antt-bot")
    zalo = f"OA “{zalo_name}”" if zalo_name else "tài khoản Zalo của hệ thống báo cáo ANTT"
    pages = 0
    for page in sheet.pages:
        chunks = [page.cards[i : i + PER_PAGE] for i in range(0, len(page.cards), PER_PAGE)]
        for number, cards in enumerate(chunks, start=1):
            top = _title(canvas, page.unit_path, printed_on, number, len(chunks))
            for index, card in enumerate(cards):
                _card(canvas, card, top - index * CARD, zalo)
            canvas.showPage()
            pages += 1
    canvas.save()
    return pages


def _title(canvas: Canvas, unit_path: str, printed_on: date, number: int, count: int) -> float:
    """The page's heading (the unit's path); returns where the first card starts."""
    y = HEIGHT - MARGIN - 14
    canvas.setFont(BOLD, 14)
    for line in simpleSplit(unit_path.replace("/", " › "), BOLD, 14, WIDTH - 2 * MARGIN):
        canvas.drawString(MARGIN, y, line)
        y -= 17
    canvas.setFont(FONT, 9)
    canvas.drawString(
        MARGIN,
        y - 2,
        f"Mã tham gia cá nhân, in ngày {dates.day(printed_on)}. Mỗi mã chỉ dùng một lần,"
        f" đúng cho người có tên. Trang {number}/{count}.",
    )
    return min(y - 12, HEIGHT - MARGIN - TITLE_ROOM)


def _card(canvas: Canvas, card: Card, top: float, zalo: str) -> None:
    """One member: QR code on the left, name, role, code and how to join on the right, and
    a dashed line below to cut along."""
    text_x = MARGIN + QR + 6 * mm
    width = WIDTH - MARGIN - text_x
    if card.code and card.link:
        _qr(canvas, card.link, MARGIN, top - QR - 2 * mm)
    y = top - 16
    canvas.setFont(BOLD, 13)
    canvas.drawString(text_x, y, card.name)
    y -= 15
    canvas.setFont(FONT, 10)
    canvas.drawString(text_x, y, f"Vai trò: {card.role}")
    y -= 17
    for font, size, text in _lines(card, zalo):
        canvas.setFont(font, size)
        for line in simpleSplit(text, font, size, width):
            canvas.drawString(text_x, y, line)
            y -= size + 3
    canvas.setDash(3, 3)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, top - CARD + 2 * mm, WIDTH - MARGIN, top - CARD + 2 * mm)
    canvas.setDash()


def _lines(card: Card, zalo: str) -> list[tuple[str, int, str]]:
    """What a card says under the name: how to join with the code, or why there is none."""
    if card.joined:
        return [(FONT, 10, "Đã tham gia, không cần mã.")]
    if not card.code or not card.link or not card.expires_at:
        return [
            (FONT, 10, "Chưa có mã còn dùng được. Cán bộ in lại danh sách với --renew để cấp mã.")
        ]
    return [
        (BOLD, 14, f"Mã: {card.code}"),
        (FONT, 9, f"Trên Telegram: quét mã QR bằng camera điện thoại, hoặc mở {card.link}"),
        (FONT, 9, f"Trên Zalo: nhắn “/start {card.code}” cho {zalo}"),
        (FONT, 9, f"Hạn dùng: đến {dates.stamp(card.expires_at)}."),
    ]


def _qr(canvas: Canvas, link: str, x: float, y: float) -> None:
    """The deep link as a QR code, QR wide with its quiet zone: encoded by segno (four
    times faster than reportlab's encoder; a district's sheet has thousands) and drawn as
    one filled path of horizontal runs (reportlab's widget builds a shape per run)."""
    matrix = segno.make(link, error="m", micro=False).matrix
    count = len(matrix)
    box = QR / (count + 2 * QUIET)
    path = canvas.beginPath()
    for row, cells in enumerate(matrix):
        column = 0
        for dark, run in itertools.groupby(bool(cell) for cell in cells):
            length = len(list(run))
            if dark:
                top = y + QR - (row + QUIET + 1) * box
                path.rect(x + (column + QUIET) * box, top, length * box, box)
            column += length
    canvas.drawPath(path, stroke=0, fill=1)
