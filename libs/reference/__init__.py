"""Reference data shared by every service: ICCS taxonomy and geography (swappable per country)."""

from .loader import load_reference
from .model import Reference

__all__ = ["Reference", "load_reference"]
