"""The one exception type ailedger raises, carrying an exit code and a hint."""

from __future__ import annotations


class AiledgerError(Exception):
    """A user-facing failure: the message names the file, row and column where there is one."""

    def __init__(self, message: str, *, hint: str | None = None, exit_code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"
