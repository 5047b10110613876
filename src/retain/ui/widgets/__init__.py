"""Reusable widgets of the review TUI, one per module."""
