"""A PDF shown inside the window (QtPdf): pages, zoom, and a jump to any page.

``PdfPreview.load_pdf(data, page=0)`` shows PDF bytes, e.g. a batch file opened at
the first page of one document in it. The bytes live in a QBuffer held by the widget
for as long as the document is shown (QPdfDocument reads from the device lazily).
Pages are counted from 0 in this API, and from 1 on screen.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, Qt
from PySide6.QtGui import QColor, QPalette, QResizeEvent, QShowEvent
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

ZOOM_STEP = 1.25
ZOOM_MIN, ZOOM_MAX = 0.25, 4.0


class PdfPreview(QWidget):
    """``PdfPreview(parent=None, placeholder="")``: toolbar over a continuous page view."""

    def __init__(self, parent: QWidget | None = None, placeholder: str = "") -> None:
        super().__init__(parent)
        self._data: bytes | None = None
        self._bytes = QByteArray()
        self._buffer: QBuffer | None = None
        self._pending_page: int | None = None
        self._placeholder_text = placeholder or self.tr("尚无文书可显示。")

        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        palette = self.view.palette()
        palette.setColor(QPalette.ColorRole.Dark, QColor("#8a8f96"))  # around the pages
        self.view.setPalette(palette)
        self.navigator = self.view.pageNavigator()

        self.prev_button = QToolButton(self)
        self.prev_button.setText(self.tr("上一页"))
        self.next_button = QToolButton(self)
        self.next_button.setText(self.tr("下一页"))
        self.page_spin = QSpinBox(self)
        self.page_spin.setRange(1, 1)
        self.page_spin.setKeyboardTracking(False)
        self.page_spin.setToolTip(self.tr("输入页码后按回车跳到该页"))
        self.page_total = QLabel(self)
        self.fit_button = QToolButton(self)
        self.fit_button.setText(self.tr("适合宽度"))
        self.fit_button.setCheckable(True)
        self.fit_button.setChecked(True)
        self.zoom_out_button = QToolButton(self)
        self.zoom_out_button.setText("−")
        self.zoom_out_button.setToolTip(self.tr("缩小"))
        self.zoom_in_button = QToolButton(self)
        self.zoom_in_button.setText("+")
        self.zoom_in_button.setToolTip(self.tr("放大"))
        self.zoom_label = QLabel(self)
        self.zoom_label.setMinimumWidth(48)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.prev_button)
        bar.addWidget(self.next_button)
        bar.addSpacing(8)
        bar.addWidget(QLabel(self.tr("第"), self))
        bar.addWidget(self.page_spin)
        bar.addWidget(self.page_total)
        bar.addStretch(1)
        bar.addWidget(self.fit_button)
        bar.addWidget(self.zoom_out_button)
        bar.addWidget(self.zoom_label)
        bar.addWidget(self.zoom_in_button)
        self.toolbar = QWidget(self)
        self.toolbar.setLayout(bar)

        self.placeholder = QLabel(self._placeholder_text, self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("color: #666; font-size: 14px;")
        self.placeholder.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.view)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.stack, 1)

        self.prev_button.clicked.connect(lambda: self.show_page(self.current_page() - 1))
        self.next_button.clicked.connect(lambda: self.show_page(self.current_page() + 1))
        self.page_spin.valueChanged.connect(lambda value: self.show_page(value - 1))
        self.fit_button.clicked.connect(self.fit_width)
        self.zoom_in_button.clicked.connect(self.zoom_in)
        self.zoom_out_button.clicked.connect(self.zoom_out)
        self.navigator.currentPageChanged.connect(self._on_page_changed)
        self._update_controls()

    # -- content ------------------------------------------------------------------------
    def load_pdf(self, data: bytes, page: int = 0) -> int:
        """Show ``data`` at ``page`` (0-based); the page count, 0 if it is no readable PDF."""
        self._close_document()
        self._bytes = QByteArray(data)
        self._buffer = QBuffer(self._bytes, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        if self.document.status() != QPdfDocument.Status.Ready or self.document.pageCount() < 1:
            self._close_document()
            self.placeholder.setText(self.tr("无法显示此文件：不是有效的 PDF。"))
            self.stack.setCurrentWidget(self.placeholder)
            self._update_controls()
            return 0
        self._data = bytes(data)
        self.stack.setCurrentWidget(self.view)
        self.page_spin.blockSignals(True)
        self.page_spin.setRange(1, self.document.pageCount())
        self.page_spin.blockSignals(False)
        self.show_page(page)
        return self.document.pageCount()

    def clear(self, text: str | None = None) -> None:
        """Show the placeholder (``text``, else the one given at construction)."""
        self._close_document()
        self.placeholder.setText(text if text is not None else self._placeholder_text)
        self.stack.setCurrentWidget(self.placeholder)
        self._update_controls()

    def pdf_bytes(self) -> bytes | None:
        return self._data

    def page_count(self) -> int:
        return self.document.pageCount() if self._data is not None else 0

    def current_page(self) -> int:
        if self._pending_page is not None:
            return self._pending_page
        return self.navigator.currentPage() if self._data is not None else 0

    def _close_document(self) -> None:
        self._data = None
        self._pending_page = None
        self.document.close()
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.deleteLater()
            self._buffer = None
        self._bytes = QByteArray()

    # -- navigation ---------------------------------------------------------------------
    def show_page(self, index: int) -> None:
        """Scroll to page ``index`` (0-based, clamped to the document)."""
        count = self.page_count()
        if count == 0:
            return
        index = max(0, min(index, count - 1))
        if not self.view.isVisible():
            # the view lays its pages out when shown; jump then (showEvent)
            self._pending_page = index
        else:
            self._pending_page = None
            self._jump(index)
        self._update_controls()

    def _jump(self, index: int) -> None:
        # QPdfView scrolls only when the navigator's page changes; after a zoom the page
        # is unchanged but its position moved, so step away first to scroll for real.
        if self.navigator.currentPage() == index and self.page_count() > 1:
            other = index + 1 if index + 1 < self.page_count() else index - 1
            self.navigator.jump(other, QPointF())
        self.navigator.jump(index, QPointF())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._pending_page is not None:
            page, self._pending_page = self._pending_page, None
            self._jump(page)
            self._update_controls()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_controls()  # 适合宽度 changes the zoom shown

    def _on_page_changed(self, _page: int) -> None:
        self._update_controls()

    # -- zoom ---------------------------------------------------------------------------
    def fit_width(self) -> None:
        page = self.current_page()
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.show_page(page)

    def zoom_in(self) -> None:
        self._set_zoom(self.effective_zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self._set_zoom(self.effective_zoom() / ZOOM_STEP)

    def _set_zoom(self, factor: float) -> None:
        page = self.current_page()
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(ZOOM_MIN, min(ZOOM_MAX, factor)))
        self.show_page(page)  # stay on the page read, not on the same scroll offset

    def effective_zoom(self) -> float:
        """The zoom shown (1.0 = actual size), also while 适合宽度 sizes the pages."""
        if self.view.zoomMode() == QPdfView.ZoomMode.Custom or self.page_count() == 0:
            return self.view.zoomFactor()
        widest = max(self.document.pagePointSize(i).width() for i in range(self.page_count()))
        margins = self.view.documentMargins()
        available = self.view.viewport().width() - margins.left() - margins.right()
        screen = self.view.logicalDpiX() / 72.0
        return max(ZOOM_MIN, available / (widest * screen)) if widest > 0 else 1.0

    # -- controls -----------------------------------------------------------------------
    def _update_controls(self) -> None:
        count = self.page_count()
        page = self.current_page()
        has = count > 0
        self.prev_button.setEnabled(has and page > 0)
        self.next_button.setEnabled(has and page < count - 1)
        self.page_spin.setEnabled(has)
        self.page_spin.blockSignals(True)
        self.page_spin.setRange(1, max(count, 1))
        self.page_spin.setValue(page + 1 if has else 1)
        self.page_spin.blockSignals(False)
        self.page_total.setText(self.tr("/ {count} 页").format(count=str(count)))
        fitting = self.view.zoomMode() == QPdfView.ZoomMode.FitToWidth
        self.fit_button.setChecked(fitting)
        for button in (self.fit_button, self.zoom_in_button, self.zoom_out_button):
            button.setEnabled(has)
        self.zoom_label.setText(f"{round(self.effective_zoom() * 100)}%" if has else "")
