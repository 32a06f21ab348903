"""The one exception type ailedger raises, carrying an exit code and a hint, and the exit
codes every command shares (README: Exit codes)."""

from __future__ import annotations

EXIT_OK = 0
# dbt ran and a model or test failed.
EXIT_BUILD_FAILED = 1
# Input refused or unusable, nothing changed: a refused file, a missing path or warehouse.
EXIT_REFUSED = 2
# `ailedger status`: a source that landed before has stopped arriving.
EXIT_STALE = 3
# A budget's halt threshold is crossed (alerts).
EXIT_HALT = 4
# The warehouse itself failed mid-run, e.g. a full disk (sysexits EX_IOERR).
EXIT_WAREHOUSE_FAULT = 74
# Bad command line (sysexits EX_USAGE).
EXIT_USAGE = 64
# Gave up waiting for another writer's lock (sysexits EX_TEMPFAIL: try again later).
EXIT_LOCK_TIMEOUT = 75


class AiledgerError(Exception):
    """A user-facing failure: the message names the file, row and column where there is one."""

    def __init__(
        self, message: str, *, hint: str | None = None, exit_code: int = EXIT_REFUSED
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"
