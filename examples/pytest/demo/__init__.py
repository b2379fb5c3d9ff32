"""Small library under test in the xshard pytest demo."""

__version__ = "0.1.0"
