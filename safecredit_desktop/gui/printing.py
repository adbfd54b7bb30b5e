"""Printing PDF bytes through the system print dialog, and saving them to a file.

Each page is rendered by QtPdf at the printer's resolution (at most ``MAX_DPI``) in
horizontal bands, so a 1200 dpi printer does not need half a gigabyte per page, and
painted at its real size onto the whole sheet (``setFullPage``): on A4 paper the
GB/T 9704 margins land where the PDF puts them. A page that does not fit the sheet
is scaled down, never up, and centred; a landscape page on portrait paper is turned.
``print_pdf_to`` does the painting for a given QPrinter, without a dialog;
``choose_printer`` asks first and ``print_on`` prints later, so that a document is
issued (numbered) only once the user has not cancelled the dialog.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from safecredit_desktop.core import app as core
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.file_names import safe_file_name

MAX_DPI = 600
BAND_PIXELS = 1024  # rows rendered at a time
POINTS_PER_INCH = 72.0

_last_dir: Path | None = None  # where the last PDF was saved, for the next dialog


class _OpenPdf:
    """A QPdfDocument over bytes; the buffer stays alive with it."""

    def __init__(self, data: bytes) -> None:
        self.bytes = QByteArray(data)
        self.buffer = QBuffer(self.bytes)
        self.buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument()
        self.document.load(self.buffer)
        if self.document.status() != QPdfDocument.Status.Ready:
            self.close()
            raise SafeCreditError("无法打印：文件不是有效的 PDF。")

    def close(self) -> None:
        self.document.close()
        self.buffer.close()


def pdf_page_count(data: bytes) -> int:
    opened = _OpenPdf(data)
    try:
        return opened.document.pageCount()
    finally:
        opened.close()


def _page_range(count: int, first_page: int | None, last_page: int | None) -> range:
    first = max(1, first_page or 1)
    last = min(count, last_page or count)
    return range(first - 1, last)


def _all_landscape(document: QPdfDocument, pages: range) -> bool:
    sizes = [document.pagePointSize(i) for i in pages]
    return bool(sizes) and all(s.width() > s.height() for s in sizes)


def print_pdf_to(
    printer: QPrinter,
    data: bytes,
    first_page: int | None = None,
    last_page: int | None = None,
    *,
    copies: int = 1,
) -> int:
    """Paint pages ``first_page``..``last_page`` (1-based, inclusive; None = to the end)
    of the PDF ``data`` on ``printer``, ``copies`` times in order; the pages painted."""
    opened = _OpenPdf(data)
    try:
        document = opened.document
        pages = _page_range(document.pageCount(), first_page, last_page)
        if not pages:
            return 0
        printer.setFullPage(True)
        painter = QPainter()
        if not painter.begin(printer):
            raise SafeCreditError("无法开始打印：打印机不可用或输出文件无法写入。")
        try:
            for n, index in enumerate(list(pages) * max(1, copies)):
                if n and not printer.newPage():
                    raise SafeCreditError("打印中断：打印机未能开始新的一页。")
                _paint_page(painter, printer, document, index)
        finally:
            painter.end()
        return len(pages) * max(1, copies)
    finally:
        opened.close()


def _paint_page(painter: QPainter, printer: QPrinter, document: QPdfDocument, index: int) -> None:
    points = document.pagePointSize(index)
    sheet = QRectF(printer.paperRect(QPrinter.Unit.DevicePixel))
    dpi_x = printer.logicalDpiX() or printer.resolution()
    dpi_y = printer.logicalDpiY() or printer.resolution()
    # the page at its real size in device pixels (before any turn)
    width = points.width() / POINTS_PER_INCH * dpi_x
    height = points.height() / POINTS_PER_INCH * dpi_y
    turn = (width > height) != (sheet.width() > sheet.height())
    placed_w, placed_h = (height, width) if turn else (width, height)
    scale = min(1.0, sheet.width() / placed_w, sheet.height() / placed_h)
    placed_w, placed_h = placed_w * scale, placed_h * scale
    painter.save()
    painter.translate(sheet.center())
    if turn:
        painter.rotate(-90)  # the top of the page to the binding edge (GB/T 9704 横排表格)
        placed_w, placed_h = placed_h, placed_w
    target = QRectF(-placed_w / 2, -placed_h / 2, placed_w, placed_h)
    render_dpi = min(float(MAX_DPI), float(max(dpi_x, dpi_y)))
    pixels = QSize(
        max(1, round(points.width() / POINTS_PER_INCH * render_dpi)),
        max(1, round(points.height() / POINTS_PER_INCH * render_dpi)),
    )
    to_device = target.height() / pixels.height()
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
    for top in range(0, pixels.height(), BAND_PIXELS):
        rows = min(BAND_PIXELS, pixels.height() - top)
        options = QPdfDocumentRenderOptions()
        options.setScaledSize(pixels)
        options.setScaledClipRect(QRect(0, top, pixels.width(), rows))
        band = document.render(index, QSize(pixels.width(), rows), options)
        # PDFium leaves the paper transparent: lay the ink on white
        flat = QImage(band.size(), QImage.Format.Format_RGB32)
        flat.fill(QColor(Qt.GlobalColor.white))
        ink = QPainter(flat)
        ink.drawImage(0, 0, band)
        ink.end()
        painter.drawImage(
            QRectF(target.left(), target.top() + top * to_device, target.width(), rows * to_device),
            flat,
        )
    painter.restore()


def choose_printer(
    parent: QWidget | None,
    *,
    title: str = "",
    page_count: int | None = None,
    first_page: int | None = None,
    last_page: int | None = None,
    landscape: bool = False,
) -> QPrinter | None:
    """The system print dialog for a document of ``page_count`` pages (unknown: the
    range cannot be chosen), range preset to ``first_page``..``last_page``; the printer
    chosen, or None when the dialog was cancelled."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    if landscape:
        printer.setPageOrientation(QPageLayout.Orientation.Landscape)
    printer.setFullPage(True)
    if title:
        printer.setDocName(title)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(parent.tr("打印") if parent is not None else "打印")
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, True)
    if page_count is not None:
        dialog.setMinMax(1, page_count)
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
        if first_page is not None or last_page is not None:
            dialog.setPrintRange(QAbstractPrintDialog.PrintRange.PageRange)
            dialog.setFromTo(max(1, first_page or 1), min(page_count, last_page or page_count))
    else:
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, False)
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return None
    return printer


def print_on(printer: QPrinter, data: bytes) -> bool:
    """Print the PDF ``data`` on a printer chosen with ``choose_printer`` (its page
    range and copies); whether anything was printed."""
    first, last = None, None
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first, last = printer.fromPage(), printer.toPage()
    # a driver that cannot make copies itself gets each copy painted (Qt's rule)
    copies = 1 if printer.supportsMultipleCopies() else max(1, printer.copyCount())
    return print_pdf_to(printer, data, first, last, copies=copies) > 0


def print_pdf(
    parent: QWidget | None,
    data: bytes,
    *,
    first_page: int | None = None,
    last_page: int | None = None,
    title: str = "",
) -> bool:
    """Ask with the system print dialog (range preset to ``first_page``..``last_page``,
    1-based) and print; whether anything was printed."""
    opened = _OpenPdf(data)
    try:
        count = opened.document.pageCount()
        landscape = _all_landscape(opened.document, _page_range(count, first_page, last_page))
    finally:
        opened.close()
    printer = choose_printer(
        parent,
        title=title,
        page_count=count,
        first_page=first_page,
        last_page=last_page,
        landscape=landscape,
    )
    return printer is not None and print_on(printer, data)


def ask_pdf_path(parent: QWidget | None, suggested_name: str) -> Path | None:
    """Where to save a PDF (a .pdf name is ensured); None when the dialog was cancelled."""
    tr = parent.tr if parent is not None else (lambda text: text)
    folder = _last_dir or Path.home()
    chosen, _filter = QFileDialog.getSaveFileName(
        parent, tr("另存为 PDF"), str(folder / _safe_name(suggested_name)), tr("PDF 文件 (*.pdf)")
    )
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != ".pdf":
        path = path.with_name(path.name + ".pdf")
    return path


def write_pdf(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole or not at all; a sentence when it cannot be."""
    global _last_dir
    try:
        core.write_private_file(path, data)  # whole or not at all; owner only
    except OSError as exc:
        raise SafeCreditError(f"无法保存到 {path}：{exc.strerror or exc}") from exc
    _last_dir = path.parent
    return path


def save_pdf_bytes(parent: QWidget | None, data: bytes, suggested_name: str) -> Path | None:
    """Ask where to save the PDF ``data`` (a .pdf name is ensured) and write it."""
    tr = parent.tr if parent is not None else (lambda text: text)
    path = ask_pdf_path(parent, suggested_name)
    if path is None:
        return None
    try:
        return write_pdf(path, data)
    except SafeCreditError as exc:
        QMessageBox.warning(parent, tr("保存失败"), exc.message)
        return None


def _safe_name(name: str) -> str:
    """A file name without the characters Windows refuses."""
    return safe_file_name(name, suffix=".pdf", fallback="文书")
