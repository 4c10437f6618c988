"""A third-party import made lazy where it costs every notebook-running process a second or
more of CPU for something it almost never uses."""
from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types

#: jsonschema's optional checker of the ``iri`` and ``iri-reference`` formats (its
#: ``format-nongpl`` extra, which jupyter-events requires, so every JupyterLab install has it)
IRI_PARSERS = "rfc3987_syntax"
_LOCK = threading.RLock()


def defer_iri_parsers() -> None:
    """Let ``rfc3987_syntax`` build its parsers only when an IRI is checked.

    nbformat imports jsonschema (so papermill and nbconvert do too), and jsonschema imports
    ``rfc3987_syntax`` for its ``iri`` format checks, a module that builds several Lark
    Earley parsers when it is imported: 1.2-1.5 s of CPU on this project's 2-core machine in
    every process that executes or renders a notebook (``import nbformat`` 1.4 s, 0.2 s
    without them), for formats that no notebook schema uses (jsonschema issue 1428). This
    puts a stand-in module in its place whose ``is_valid_syntax`` (all jsonschema takes
    from it) and every other attribute import the real module on first use, so an IRI is
    checked exactly as before and a process that checks none never builds the parsers.

    Does nothing where the module (or lark, which it needs) is not installed, or where it is
    imported already (jsonschema may have taken the real function then)."""
    with _LOCK:
        if IRI_PARSERS in sys.modules:
            return
        try:
            spec = importlib.util.find_spec(IRI_PARSERS)
            parser_library = importlib.util.find_spec("lark")  # what it builds them with
        except (ImportError, ValueError):
            return
        if spec is None or parser_library is None:  # jsonschema would go without the checks
            return
        stand_in = types.ModuleType(IRI_PARSERS, "stand-in for rfc3987_syntax "
                                    "(littlehuman.lazy_imports): imports it on first use")

        def real() -> types.ModuleType:
            with _LOCK:
                if sys.modules.get(IRI_PARSERS) is stand_in:
                    del sys.modules[IRI_PARSERS]
                return importlib.import_module(IRI_PARSERS)

        def is_valid_syntax(term: str, value: str) -> bool:
            return real().is_valid_syntax(term, value)

        def __getattr__(name: str):  # noqa: N807 (a module's own __getattr__, PEP 562)
            if name.startswith("__") and name.endswith("__"):  # the import system's and
                raise AttributeError(name)  # introspection's questions load nothing
            return getattr(real(), name)

        stand_in.is_valid_syntax = is_valid_syntax
        stand_in.__getattr__ = __getattr__
        stand_in.__spec__, stand_in.__loader__ = spec, spec.loader
        stand_in.__file__, stand_in.__package__ = spec.origin, IRI_PARSERS
        stand_in.__path__ = list(spec.submodule_search_locations or [])  # a package, as it is
        sys.modules[IRI_PARSERS] = stand_in
