"""Grading rules: profile loading (profiles are data), facts and the grading engine."""
