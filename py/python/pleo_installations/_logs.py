"""Where the SDK's log records go: nowhere until the application configures ``logging``
(as libraries do), or to stderr when ``PLEO_LOG`` names a level, as in the Node package and
the command line."""

from __future__ import annotations

import logging
import sys
import warnings
from typing import Mapping, Optional

#: The values of ``PLEO_LOG``, and the ``logging`` level each prints from.
LEVELS: Mapping[str, Optional[int]] = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "error": logging.ERROR,
    "off": None,
}


class _Line(logging.Formatter):
    """``pleo-installations <level> <line>``, the level in the SDK's words."""

    def format(self, record: logging.LogRecord) -> str:
        level = "warn" if record.levelno == logging.WARNING else record.levelname.lower()
        return f"pleo-installations {level} {record.getMessage()}"


def configure(environ: Mapping[str, str]) -> None:
    """Gives the package's logger its ``NullHandler``, and a stderr handler when
    ``environ["PLEO_LOG"]`` names a level; any other value warns once and prints nothing."""
    logger = logging.getLogger("pleo_installations")
    logger.addHandler(logging.NullHandler())
    value = environ.get("PLEO_LOG", "")
    if not value:
        return
    if value not in LEVELS:
        allowed = ", ".join(LEVELS)
        warnings.warn(f"PLEO_LOG={value!r} is not one of {allowed}: no log is printed", RuntimeWarning, stacklevel=2)
        return
    level = LEVELS[value]
    if level is None:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Line())
    logger.addHandler(handler)
    logger.setLevel(level)
