"""Workbooks: the import template, the full-data export and the report exports."""
