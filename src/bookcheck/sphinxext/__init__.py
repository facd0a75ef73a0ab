"""Sphinx extension of the book: transcript directives, anchored C includes, and the
verification marks and report."""
from . import domain, includes, transcripts, verification, verification_report


def setup(app):
    # Read by the checker from conf.py; registered so Sphinx accepts them.
    app.add_config_value("bookcheck_normalise", [], "env", [list])
    domain.setup(app)
    includes.setup(app)
    transcripts.setup(app)
    verification.setup(app)
    verification_report.setup(app)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
