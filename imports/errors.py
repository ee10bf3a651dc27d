"""The two ways an import says no: a whole file refused, or one row rejected.

In a module of their own so that reading files, parsing columns and writing rows can all raise them
without importing one another.
"""


class FileRefused(Exception):
    """The file cannot be imported at all (as opposed to rows being rejected)."""


class RowRejected(Exception):
    """A row the registry would not take, with its problems as (field, reason) pairs."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__(problems)
        self.problems = problems
