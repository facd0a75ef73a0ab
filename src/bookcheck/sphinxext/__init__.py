"""Sphinx extension of the book: transcript directives, anchored C includes, and the
verification marks and report.

It registers every ``bookcheck_*`` setting of :data:`bookcheck.config.DEFAULTS`, with the
same defaults the checker uses, and checks the paths they name when the build starts, the
way the checker does (:func:`bookcheck.config.resolve_layout`).
"""
from ..config import DEFAULTS
from . import domain, includes, transcripts, verification, verification_report


def check_layout(app) -> None:
    """A wrong path fails the build, naming the setting, rather than leaving every
    transcript marked as not checked."""
    app.bookcheck_layout = None  # read again for every build
    domain.layout(app)


def setup(app):
    for name, default in DEFAULTS.items():
        app.add_config_value(name, default, "env", [type(default)] if isinstance(default, str)
                             else [list, tuple])
    app.connect("builder-inited", check_layout, priority=100)
    domain.setup(app)
    includes.setup(app)
    transcripts.setup(app)
    verification.setup(app)
    verification_report.setup(app)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
