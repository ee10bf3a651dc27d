"""What each kind of import reads, checks and writes: the shared base (base), the values people write for
our choices (synonyms) and one module per kind; KINDS names them all."""

from .registry import KINDS

__all__ = ["KINDS"]
