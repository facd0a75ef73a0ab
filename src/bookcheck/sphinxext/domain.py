"""The extension's state in the build environment: one Sphinx Domain, so it is pickled
with the environment, purged per page, and merged after a parallel read (``-j``) by
Sphinx's own protocol rather than by attributes on the environment."""
from __future__ import annotations

from pathlib import Path

from sphinx.domains import Domain
from sphinx.errors import ExtensionError

from ..config import DEFAULTS, ConfigError, Layout, resolve_layout


def layout(app) -> Layout:
    """Where the book's parts are: the checker's own reading of the ``bookcheck_*``
    settings (:func:`bookcheck.config.resolve_layout`), once per build. A path that
    cannot be right fails the build, naming the setting."""
    found = getattr(app, "bookcheck_layout", None)
    if found is None:
        settings = {name: app.config[name] for name in DEFAULTS if name in app.config}
        try:
            found = resolve_layout(Path(app.confdir) / "conf.py", settings)
        except ConfigError as exc:
            raise ExtensionError(str(exc)) from None
        app.bookcheck_layout = found
    return found


class BookcheckDomain(Domain):
    name = "bookcheck"
    label = "bookcheck"
    initial_data = {
        "transcripts": {},  # docname -> [block dicts], in page order
        "matrix_docs": set(),  # pages with a verification-matrix
        "example_pages": {"api": set(), "sources": set()},  # pages with example-api/-sources
        "results_fingerprint": None,  # of the results directory at the last read
        "example_names": None,  # the example files at the last read
    }

    def clear_doc(self, docname: str) -> None:
        self.data["transcripts"].pop(docname, None)
        self.data["matrix_docs"].discard(docname)
        for docs in self.data["example_pages"].values():
            docs.discard(docname)

    def merge_domaindata(self, docnames, otherdata: dict) -> None:
        wanted = set(docnames)
        for docname in wanted & set(otherdata["transcripts"]):
            self.data["transcripts"][docname] = otherdata["transcripts"][docname]
        self.data["matrix_docs"] |= otherdata["matrix_docs"] & wanted
        for kind, docs in otherdata["example_pages"].items():
            self.data["example_pages"][kind] |= docs & wanted

    def resolve_any_xref(self, env, fromdocname, builder, target, node, contnode):
        return []


def data(env) -> dict:
    return env.get_domain(BookcheckDomain.name).data


def setup(app):
    if BookcheckDomain.name not in app.registry.domains:  # both extensions of the book use it
        app.add_domain(BookcheckDomain)
