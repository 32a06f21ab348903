"""dbt-duckdb plugin (profiles.yml `plugins:`), so that plain `dbt build` behaves as
`ailedger build` does: a relative warehouse path resolves against the project root, a build
waits for another writer instead of failing, and the on-run-end hook can publish the serving
copy (SQL cannot rename a file, so the hook calls the functions registered here)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from ingest.warehouse import project_root, serving_path, wait_for_other_writer


def _dbt_project_dir() -> Path:
    """The --project-dir of this dbt invocation, else ailedger's own project root."""
    try:
        from dbt.flags import get_flags

        chosen = getattr(get_flags(), "PROJECT_DIR", None)
    except Exception:  # noqa: BLE001 - flags are unset outside a dbt command
        chosen = None
    return Path(chosen).resolve() if chosen else project_root()


def publish_file(temporary: str, final: str) -> str:
    """Move a finished serving copy into place in one rename; readers keep the old file."""
    target = Path(final)
    # A WAL left beside the old copy would be replayed onto the new one.
    Path(f"{target}.wal").unlink(missing_ok=True)
    os.replace(temporary, target)
    return str(target)


def remove_file(path: str) -> str:
    """Remove a leftover temporary copy (and its WAL) from an interrupted publish."""
    for leftover in (Path(path), Path(f"{path}.wal")):
        leftover.unlink(missing_ok=True)
    return path


class Plugin(BasePlugin):
    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        path = str(creds.path)
        if path != ":memory:" and "://" not in path and not path.startswith("md:"):
            resolved = Path(path).expanduser()
            if not resolved.is_absolute():
                resolved = _dbt_project_dir() / resolved
            creds.path = str(resolved)
            self.warehouse = resolved
            resolved.parent.mkdir(parents=True, exist_ok=True)
            # Wait here (up to $AILEDGER_LOCK_WAIT) rather than fail on another writer's lock;
            # dbt connects straight after this returns.
            wait_for_other_writer(resolved)
        else:
            self.warehouse = None

    def configure_connection(self, conn: Any) -> None:
        from duckdb.sqltypes import VARCHAR

        serving = "" if self.warehouse is None else str(serving_path(self.warehouse))
        conn.create_function(
            "ailedger_serving_path", lambda: serving, [], VARCHAR, side_effects=True
        )
        conn.create_function(
            "ailedger_publish_file", publish_file, [VARCHAR, VARCHAR], VARCHAR, side_effects=True
        )
        conn.create_function(
            "ailedger_remove_file", remove_file, [VARCHAR], VARCHAR, side_effects=True
        )
