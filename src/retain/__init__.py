"""retain: a keyboard-first terminal flashcard app."""

__version__ = "0.1.0"
__all__ = ["__version__"]
