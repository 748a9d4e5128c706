"""The package's import rules and size limits, read from the source with ``ast`` (nothing is imported).

1. No import circles between hilbert_core modules, lazy imports (inside functions, or under
   ``TYPE_CHECKING``) included: a reader still has to follow them.
2. No module imports a private name (``_name``) from another module.
3. Only ``hilbert_core/cli/entry.py`` imports the ``hilbert_core/cli`` command modules, and nothing
   outside ``hilbert_core/cli`` imports ``hilbert_core.cli``.
4. Modules stay within 350 lines and functions within 60, unless a ``# size: <reason>`` line says why
   (anywhere in the module; for a function, right above its ``def`` or inside it before its first
   statement).

Edges of the import graph: ``import a.b`` -> module ``a.b``; ``from a import b`` -> module ``a.b`` when
there is one, else package ``a`` (its ``__init__``). So a submodule that imports a name from its
package's ``__init__`` depends on that ``__init__``; if the ``__init__`` imports it back, that is a circle.
"""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "hilbert_core"
MAX_MODULE_LINES = 350
MAX_FUNCTION_LINES = 60
SIZE_MARK = "# size:"
# Modules of the cli package that are not command modules: the package, its entry point and what the
# command modules share (see hilbert_core/cli/__init__.py).
CLI_NOT_COMMANDS = {"", "entry", "common"}


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name; a package is named by its __init__: "hilbert_core.cli"
    target: str  # the module the import reads
    name: str | None  # the name taken from ``target`` when it is not itself a module
    line: int


def find_modules(package_dir: Path) -> dict[str, Path]:
    """Dotted name -> file of every module under ``package_dir`` (a package is its ``__init__.py``)."""
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(package_dir.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    """The absolute module name ``from <module> import ...`` reads, relative levels resolved."""
    if not node.level:
        return node.module or ""
    package = importer.split(".") if is_package else importer.split(".")[:-1]
    parent = package[: len(package) - node.level + 1]
    return ".".join([*parent, node.module] if node.module else parent)


def find_imports(modules: dict[str, Path]) -> list[Import]:
    """Every import (at any depth of the code) from one of ``modules`` to another of ``modules``."""
    found = []
    for importer, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found += [
                    Import(importer, a.name, None, node.lineno) for a in node.names if a.name in modules
                ]
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(node, importer, path.name == "__init__.py")
                for alias in node.names:
                    if f"{base}.{alias.name}" in modules:
                        found.append(Import(importer, f"{base}.{alias.name}", None, node.lineno))
                    elif base in modules:
                        found.append(Import(importer, base, alias.name, node.lineno))
    return found


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of ``graph`` (node -> successors)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while not component or component[-1] != v:
                component.append(stack.pop())
            components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return components


def _shortest_path(graph: dict[str, set[str]], start: str, end: str, allowed: set[str]) -> list[str]:
    """Breadth-first path ``[start, ..., end]`` through ``allowed`` nodes (there is one in a component)."""
    previous = {start: start}
    queue = deque([start])
    while end not in previous:
        v = queue.popleft()
        for w in sorted(graph[v] & allowed):
            if w not in previous:
                previous[w] = v
                queue.append(w)
    path = [end]
    while path[-1] != start:
        path.append(previous[path[-1]])
    return path[::-1]


def find_cycles(imports: list[Import]) -> list[str]:
    """Import circles as ``"a -> b -> a"``: for every edge inside a circle, the shortest circle through it."""
    graph: dict[str, set[str]] = {}
    for imp in imports:
        graph.setdefault(imp.importer, set())
        graph.setdefault(imp.target, set())
        if imp.target != imp.importer:
            graph[imp.importer].add(imp.target)
    cycles = set()
    for component in _strongly_connected(graph):
        inside = set(component)
        for a in component:
            for b in sorted(graph[a] & inside):
                cycle = [a, *_shortest_path(graph, b, a, inside)[:-1]]
                first = cycle.index(min(cycle))  # the same circle, whichever edge found it
                cycle = cycle[first:] + cycle[:first]
                cycles.add(" -> ".join([*cycle, cycle[0]]))
    return sorted(cycles)


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def find_private_imports(imports: list[Import]) -> list[str]:
    """``from .x import _y`` anywhere; and a private module imported from outside its own package."""
    bad = []
    for imp in imports:
        parent, _, last = imp.target.rpartition(".")
        if imp.name is not None and _is_private(imp.name):
            bad.append(f"{imp.importer}:{imp.line} imports {imp.name} from {imp.target}")
        elif imp.name is None and _is_private(last) and not _inside(imp.importer, parent):
            bad.append(f"{imp.importer}:{imp.line} imports the private module {imp.target}")
    return bad


def find_cli_imports(imports: list[Import], cli: str) -> list[str]:
    """Imports of package ``cli`` from outside it, and of its command modules by another than its entry."""
    bad = []
    for imp in imports:
        if not _inside(imp.target, cli):
            continue
        submodule = imp.target.removeprefix(cli).lstrip(".")  # "" for the package itself
        if not _inside(imp.importer, cli):
            bad.append(f"{imp.importer}:{imp.line} imports {imp.target} (only the cli package may)")
        elif submodule not in CLI_NOT_COMMANDS and imp.importer != f"{cli}.entry":
            bad.append(
                f"{imp.importer}:{imp.line} imports the command module {imp.target} (only {cli}.entry may)"
            )
    return sorted(set(bad))


def find_oversized(modules: dict[str, Path]) -> list[str]:
    """Modules over MAX_MODULE_LINES and functions over MAX_FUNCTION_LINES lines without a size mark."""
    bad = []
    for name, path in modules.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        if len(lines) > MAX_MODULE_LINES and not any(SIZE_MARK in line for line in lines):
            bad.append(f"{name}: {len(lines)} lines (> {MAX_MODULE_LINES})")
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            length = node.end_lineno - node.lineno + 1
            top = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            # the line above the def (or its decorators), through the signature to the first statement
            near = lines[max(top - 2, 0) : node.body[0].lineno]
            if length > MAX_FUNCTION_LINES and not any(SIZE_MARK in line for line in near):
                bad.append(
                    f"{name}.{node.name} (line {node.lineno}): {length} lines (> {MAX_FUNCTION_LINES})"
                )
    return bad


def _report(problems: list[str], what: str) -> str:
    return f"{len(problems)} {what}:\n" + "\n".join(problems)


def test_no_import_cycles():
    cycles = find_cycles(find_imports(find_modules(PACKAGE)))
    assert not cycles, _report(cycles, "import circles (break one edge of each: move the shared code down)")


def test_no_private_names_are_imported():
    bad = find_private_imports(find_imports(find_modules(PACKAGE)))
    assert not bad, _report(bad, "imports of private names (make the name public, or move the code)")


def test_only_the_cli_entry_point_imports_the_cli_modules():
    bad = find_cli_imports(find_imports(find_modules(PACKAGE)), "hilbert_core.cli")
    assert not bad, _report(bad, "imports of the command line")


def test_modules_and_functions_stay_small():
    bad = find_oversized(find_modules(PACKAGE))
    assert not bad, _report(
        bad, f"oversized modules or functions (split them, or add '{SIZE_MARK} <reason>')"
    )


def _write_package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root / "toy"


CLEAN = {
    "toy/__init__.py": "from .a import f\nfrom . import b\n",  # an __init__ importing its submodules
    "toy/a.py": "import os as _os\nfrom .b import g as _g\n\ndef f():\n    from toy.sub import deep\n",
    "toy/b.py": "import toy.sub.deep\n\ndef g():\n    pass\n",
    "toy/sub/__init__.py": "",
    "toy/sub/deep.py": "from ..c import h\n",
    "toy/c.py": "def h():\n    return 1\n",
    "toy/cli/__init__.py": "from .entry import main\n",
    "toy/cli/entry.py": "from . import common, run\n\ndef main():\n    pass\n",
    "toy/cli/common.py": "",
    "toy/cli/run.py": "from .common import x\n",
}


def test_the_checker_passes_a_clean_package(tmp_path):
    modules = find_modules(_write_package(tmp_path, CLEAN))
    imports = find_imports(modules)
    assert {(i.importer, i.target) for i in imports} >= {
        ("toy", "toy.a"),
        ("toy", "toy.b"),
        ("toy.a", "toy.sub.deep"),  # inside a function
        ("toy.b", "toy.sub.deep"),
        ("toy.sub.deep", "toy.c"),
        ("toy.cli.run", "toy.cli.common"),
    }
    assert find_cycles(imports) == []
    assert find_private_imports(imports) == []
    assert find_cli_imports(imports, "toy.cli") == []
    assert find_oversized(modules) == []


def test_the_checker_finds_circles_private_names_cli_imports_and_long_code(tmp_path):
    long_body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    files = {
        **CLEAN,
        # a circle through a lazy import, and one through the package's __init__
        "toy/c.py": "def h():\n    from .a import f\n",
        "toy/b.py": "from . import VERSION\n\ndef g():\n    pass\n",
        "toy/__init__.py": "VERSION = 1\nfrom .a import f\nfrom . import b\n",
        "toy/d.py": "from .c import _hidden, __doc__\nfrom toy.cli.run import x\nimport toy.cli\n",
        "toy/long.py": (
            f"def long():\n{long_body}\n\n# size: a generated table\ndef marked():\n{long_body}\n\n"
            f"def marked_inside():\n    # size: one recipe, read top to bottom\n{long_body}"
        ),
        "toy/big.py": "x = 1\n" * (MAX_MODULE_LINES + 1),
    }
    modules = find_modules(_write_package(tmp_path, files))
    imports = find_imports(modules)
    assert find_cycles(imports) == [
        "toy -> toy.a -> toy.b -> toy",
        "toy -> toy.b -> toy",
        "toy.a -> toy.sub.deep -> toy.c -> toy.a",
    ]
    assert find_private_imports(imports) == ["toy.d:1 imports _hidden from toy.c"]
    assert find_cli_imports(imports, "toy.cli") == [
        "toy.d:2 imports toy.cli.run (only the cli package may)",
        "toy.d:3 imports toy.cli (only the cli package may)",
    ]
    assert find_oversized(modules) == [
        f"toy.big: {MAX_MODULE_LINES + 1} lines (> {MAX_MODULE_LINES})",
        f"toy.long.long (line 1): {MAX_FUNCTION_LINES + 1} lines (> {MAX_FUNCTION_LINES})",
    ]


def test_a_submodule_of_cli_may_not_import_a_command_module(tmp_path):
    files = {**CLEAN, "toy/cli/common.py": "from .run import x\n"}
    imports = find_imports(find_modules(_write_package(tmp_path, files)))
    assert find_cli_imports(imports, "toy.cli") == [
        "toy.cli.common:1 imports the command module toy.cli.run (only toy.cli.entry may)"
    ]
