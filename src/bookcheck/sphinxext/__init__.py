"""Sphinx extension of the book: transcript directives and anchored C includes."""
from . import includes, transcripts, verification


def setup(app):
    # Read by the checker from conf.py; registered so Sphinx accepts them.
    app.add_config_value("bookcheck_normalise", [], "env", [list])
    includes.setup(app)
    transcripts.setup(app)
    verification.setup(app)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
