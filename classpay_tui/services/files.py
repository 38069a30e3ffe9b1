"""Writing output files all or nothing: to a temporary file beside the target, renamed into place."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from classpay_tui.domain.errors import InvalidInput, NotFound, Refused


def check_target(target: Path) -> None:
    """Refuse a target that cannot be written, before anything is done."""
    if target.is_dir():
        raise InvalidInput(f"{target} is a directory; name a file.")
    if not target.parent.is_dir():
        raise NotFound(f"There is no directory {target.parent}.")


def replace_atomically(target: Path, write: Callable[[Path], None]) -> None:
    """``write`` a temporary file beside ``target``, then rename it into place; on any
    failure the temporary file is removed and ``target`` is left as it was. Like the
    database, the file gets no world access (owner and group, as the umask allows): it
    holds clients' names and contact details."""
    check_target(target)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o660))
    except OSError as error:
        raise Refused(f"{target} could not be written: {error.strerror or error}.") from error
    try:
        write(temporary)
        os.replace(temporary, target)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise Refused(f"{target} could not be written: {error.strerror or error}.") from error
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
