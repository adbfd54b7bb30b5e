"""The Qt-free core: records, validation, storage, rules, scheduling, exchange.

Nothing under this package may import PySide6; tests/core/test_qt_free.py proves it.
"""
