"""Inspection scheduling: due dates, the annual plan and 双随机 draws."""
