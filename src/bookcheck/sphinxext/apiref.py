"""The API reference of ``examples/c``: Doxygen at build time, breathe, links to the source.

At ``builder-inited`` Doxygen reads the examples (``doc/sphinx/Doxyfile``, with INPUT and
OUTPUT_DIRECTORY set for this build) and writes XML where breathe reads it; its warnings
(a function or type without a doc comment, broken markup) become Sphinx warnings with
the example's file and line. Two directives:

``.. example-api::``
    One section per example file: breathe's ``doxygenfile`` rendering, each entry
    followed by a link to its line in the listing of ``example-sources``.
``.. example-sources::``
    One section per example file: the whole file, numbered, with an anchor per line
    (``<file>.c-<line>``), so an entry can link to where it is defined.

Entries are in Sphinx's C domain: a chapter links to one with ``:c:func:`name``` (a
function), ``:c:type:`name``` or ``:c:struct:`name``` (a type), ``:c:var:`name```.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

from . import domain
from .includes import examples_dir

logger = logging.getLogger(__name__)

DOXYGEN_WARNING = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+): warning: (?P<text>.*)$")
# Undocumented macros and struct fields are plumbing of the examples, not their API.
IGNORED_WARNING = re.compile(r"\((macro definition\) of file|variable\) of (struct|union)) "
                             r"\S+ is not documented\.$")


def example_files(app) -> list[Path]:
    return sorted(examples_dir(app).glob("*.c"))


def xml_dir(app) -> Path | None:
    project = app.config.breathe_default_project
    path = app.config.breathe_projects.get(project)
    return (Path(app.confdir) / path).resolve() if path else None


def run_doxygen(app) -> None:
    """Regenerate the XML (removing the old one, so a deleted example leaves nothing)."""
    app.bookcheck_api_locations = {}
    if not app.config.bookcheck_doxyfile:
        return
    doxyfile = (Path(app.confdir) / app.config.bookcheck_doxyfile).resolve()
    target = xml_dir(app)
    if target is None:
        raise ExtensionError("bookcheck_doxyfile is set but breathe_projects has no entry "
                             "for breathe_default_project: where should the XML go?")
    doxygen = shutil.which("doxygen")
    if doxygen is None:
        raise ExtensionError("doxygen is not installed; the API reference needs it: "
                             "install the doxygen package (apt-get install doxygen)")
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    config = (doxyfile.read_text(encoding="utf-8")
              + f'\nINPUT = "{examples_dir(app)}"\nOUTPUT_DIRECTORY = "{target.parent}"\n'
              + f'XML_OUTPUT = "{target.name}"\n')
    done = subprocess.run([doxygen, "-"], input=config, text=True, capture_output=True,
                          cwd=doxyfile.parent)
    if done.returncode != 0 or not (target / "index.xml").is_file():
        raise ExtensionError(f"doxygen failed (exit {done.returncode}) on {doxyfile}:\n"
                             + done.stderr.strip())
    report_warnings(done.stderr)
    drop_undocumented_macros(target)
    app.bookcheck_api_locations = read_locations(target)


def report_warnings(stderr: str) -> None:
    """Doxygen's warnings as Sphinx warnings at the example's file and line."""
    warnings: list[list[str]] = []  # [location, text, continuation lines...]
    for line in stderr.splitlines():
        match = DOXYGEN_WARNING.match(line.strip())
        if match:
            warnings.append([f"{match['file']}:{match['line']}", match["text"]])
        elif line.strip() and warnings:
            warnings[-1].append(line.strip())
        elif line.strip():
            warnings.append(["", line.strip()])
    for location, *text in warnings:
        if IGNORED_WARNING.search(text[0]):
            continue
        logger.warning("doxygen: %s", " ".join(text), location=location or None,
                       type="bookcheck", subtype="doxygen")


def documented(member) -> bool:
    return any("".join(member.find(tag).itertext()).strip()
               for tag in ("briefdescription", "detaileddescription")
               if member.find(tag) is not None)


def drop_undocumented_macros(xml: Path) -> None:
    """Remove undocumented ``#define`` entries: plumbing, and PY_SSIZE_T_CLEAN in every file
    would be a duplicate C declaration."""
    for path in sorted(xml.glob("*.xml")):
        tree = ElementTree.parse(path)
        changed = False
        for section in tree.getroot().iter("sectiondef"):
            for member in list(section.findall("memberdef")):
                if member.get("kind") == "define" and not documented(member):
                    section.remove(member)
                    changed = True
        if changed:
            tree.write(path, encoding="utf-8", xml_declaration=True)


def read_locations(xml: Path) -> dict[str, dict[str, int]]:
    """{example file name: {entry name: line}} for every documented function, type, variable."""
    locations: dict[str, dict[str, int]] = {}
    for path in sorted(xml.glob("*.xml")):
        if path.name == "index.xml":
            continue
        root = ElementTree.parse(path).getroot()
        for compound in root.iter("compounddef"):
            entries = [compound] if compound.get("kind") in ("struct", "union") else []
            entries += list(compound.iter("memberdef"))
            for entry in entries:
                name = entry.findtext("compoundname") or entry.findtext("name")
                location = entry.find("location")
                if not name or location is None or not location.get("line"):
                    continue
                line = int(location.get("bodystart") or location.get("line"))
                if entry.get("kind") in ("function",):
                    line = int(location.get("line"))
                file_name = Path(location.get("file", "")).name
                locations.setdefault(file_name, {})[name] = line
    return locations


class example_link(nodes.Inline, nodes.Element):
    """A link to the API section of an example (``to="api"``) or to a line of its listing
    (``to="sources"``, ``line=0`` for the whole file), resolved when pages are written."""


def anchor(to: str, file_name: str, line: int = 0) -> str:
    if to == "sources" and line:
        return f"{file_name}-{line}"  # the id Pygments gives the line (linespans)
    return nodes.make_id(f"{'source' if to == 'sources' else 'api'} {file_name}")


def link(to: str, file_name: str, text: str, line: int = 0) -> example_link:
    node = example_link(to=to, file=file_name, line=line)
    node += nodes.Text(text)
    return node


def pages(env) -> dict[str, set]:
    """{"api": docnames with example-api, "sources": docnames with example-sources}."""
    return domain.data(env)["example_pages"]


class ExampleApi(SphinxDirective):
    has_content = False

    def run(self):
        pages(self.env)["api"].add(self.env.docname)
        project = self.config.breathe_default_project
        files = example_files(self.env.app)
        if not files:
            raise self.error(f"example-api: no *.c file in {self.config.bookcheck_examples_dir}")
        text = []
        for path in files:
            self.env.note_dependency(str(path))
            text += [path.name, "-" * len(path.name), "",
                     f".. doxygenfile:: {path.name}", f"   :project: {project}", ""]
        container = nodes.section()
        container.document = self.state.document
        source, line = self.get_source_info()
        content = StringList(text, items=[(source, line - 1)] * len(text))
        nested_parse_with_titles(self.state, content, container, self.content_offset)
        locations = getattr(self.env.app, "bookcheck_api_locations", {})
        for section in container.children:
            if not isinstance(section, nodes.section):
                continue
            file_name = section[0].astext()
            section["ids"].insert(0, anchor("api", file_name))
            section.insert(1, nodes.paragraph(
                "", "Source: ", link("sources", file_name, f"{file_name}, whole and numbered"),
                classes=["example-source-link"]))
            for desc in section.findall(addnodes.desc):
                self.link_entry(desc, file_name, locations.get(file_name, {}))
        return container.children

    @staticmethod
    def link_entry(desc, file_name: str, lines: dict[str, int]) -> None:
        signature = next(desc.findall(addnodes.desc_signature), None)
        name_node = next(signature.findall(addnodes.desc_name), None) if signature else None
        line = lines.get(name_node.astext().strip() if name_node else "")
        content = next((c for c in desc.children if isinstance(c, addnodes.desc_content)), None)
        if line and content is not None:
            content += nodes.paragraph(
                "", "", nodes.Text("Defined in "),
                link("sources", file_name, f"{file_name}, line {line}", line),
                classes=["example-source-link"])


class ExampleSources(SphinxDirective):
    has_content = False

    def run(self):
        pages(self.env)["sources"].add(self.env.docname)
        sections = []
        for path in example_files(self.env.app):
            self.env.note_dependency(str(path))
            section = nodes.section(ids=[anchor("sources", path.name)])
            section += nodes.title(path.name, path.name)
            section += nodes.paragraph("", "", nodes.Text("Its functions and types: "),
                                       link("api", path.name, f"{path.name} in the API reference"),
                                       classes=["example-source-link"])
            text = path.read_text(encoding="utf-8")
            literal = nodes.literal_block(text, text, language="c", linenos=True,
                                          classes=["example-source"])
            # Pygments wraps line N in <span id="<file>-N">: a link can land on any line.
            literal["highlight_args"] = {"linespans": path.name, "linenostart": 1}
            literal.source, literal.line = str(path), 1
            section += literal
            sections.append(section)
        return sections


def resolve_links(app, doctree, docname) -> None:
    """Links in HTML (and ePub); plain text where a builder has no such anchors (LaTeX)."""
    for ref in list(doctree.findall(example_link)):
        targets = sorted(pages(app.env)[ref["to"]])
        if not targets or app.builder.format != "html":
            ref.replace_self(nodes.inline("", "", *ref.children))
            continue
        uri = app.builder.get_relative_uri(docname, targets[0]) + "#" \
            + anchor(ref["to"], ref["file"], ref["line"])
        ref.replace_self(nodes.reference("", "", *ref.children, internal=True, refuri=uri))


def outdated(app, env, added, changed, removed) -> list[str]:
    """An example file added or deleted changes the API and source pages."""
    names = [p.name for p in example_files(app)]
    previous = domain.data(env)["example_names"]
    domain.data(env)["example_names"] = names
    if previous is None or previous == names:
        return []
    return sorted(pages(env)["api"] | pages(env)["sources"])


def setup(app):
    domain.setup(app)
    app.add_config_value("bookcheck_doxyfile", "", "env", [str])
    app.add_node(example_link)
    app.add_directive("example-api", ExampleApi)
    app.add_directive("example-sources", ExampleSources)
    app.connect("builder-inited", run_doxygen)
    app.connect("env-get-outdated", outdated)
    app.connect("doctree-resolved", resolve_links)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
