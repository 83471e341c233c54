"""Static half of the API check: read the package's Python with `ast` and
list every attribute it takes from each native module, without loading any.

Bindings are collected per file, not per scope: an import inside a function
binds its name for the whole file. That over-approximates (a local variable
named like a native alias would be misread) but never misses an import made
lazily inside a function, which the TRELLIS.2 packages do."""

import ast
from collections import namedtuple

Use = namedtuple("Use", "path line module attr expr")         # expr: as written, e.g. '_C.foo'
Unresolved = namedtuple("Unresolved", "path line module")     # imported, found nowhere


def module_name(relpath):
    """'o_voxel/convert/__init__.py' -> ('o_voxel.convert', True)."""
    parts = relpath[:-3].split("/")
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def _resolve(current, is_package, level, target):
    """Absolute module of `from <level dots><target> import …` in `current`."""
    if level == 0:
        return target or ""
    base = current.split(".") if is_package else current.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def _init_names(tree):
    """Names a package's __init__ defines or imports; None if it can define
    anything (star import, module __getattr__)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name == "__getattr__":
                return None
            found.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    return None
                found.add(alias.asname or alias.name.split(".")[0])
    return found


class _Scanner:
    def __init__(self, sources, native_modules):
        self.native = set(native_modules)
        self.trees = {}
        self.python = {}   # module name -> is_package
        for rel, text in sorted(sources.files.items()):
            self.trees[rel] = ast.parse(text, filename=rel)
            name, is_package = module_name(rel)
            self.python[name] = is_package
        # Every package that holds a known module, __init__.py or not
        # (namespace directories such as a kernels/ with only a .so inside).
        self.prefixes = {".".join(m.split(".")[:i]) for m in list(self.python) + list(self.native)
                         for i in range(1, m.count(".") + 1)}
        self.init_names = {module_name(rel)[0]: _init_names(tree)
                           for rel, tree in self.trees.items() if rel.endswith("__init__.py")}
        self.uses, self.unresolved = set(), set()

    def known(self, module):
        return module in self.python or module in self.native or module in self.prefixes

    def note_if_unresolved(self, rel, line, module):
        """Record an import of a module inside our packages that nothing provides."""
        parent = module.rpartition(".")[0]
        if self.known(module) or not self.python.get(parent):
            return
        defined = self.init_names.get(parent)
        if defined is not None and module.rpartition(".")[2] not in defined:
            self.unresolved.add(Unresolved(rel, line, module))

    def bindings(self, rel, tree):
        current, is_package = module_name(rel)
        bound = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        bound[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        bound[top] = top
                    self.note_if_unresolved(rel, node.lineno, alias.name)
            elif isinstance(node, ast.ImportFrom):
                source = _resolve(current, is_package, node.level, node.module)
                if source and source not in self.native:
                    self.note_if_unresolved(rel, node.lineno, source)
                for alias in node.names:
                    if alias.name == "*":
                        continue
                    local = alias.asname or alias.name
                    candidate = f"{source}.{alias.name}"
                    if self.known(candidate):
                        bound[local] = candidate
                    elif source in self.native:
                        # from ._C import foo: foo is taken from the module now.
                        self.uses.add(Use(rel, node.lineno, source, alias.name,
                                          f"from {'.' * node.level}{node.module or ''} import {alias.name}"))
                    else:
                        self.note_if_unresolved(rel, node.lineno, candidate)
        return bound

    def take(self, rel, node, bound, chain, written=None):
        """chain: [local name, attr, attr, …] -> Use of the first attribute
        after the longest native-module prefix. written: the expression as
        the source spells it, when it is not the chain itself (getattr)."""
        if chain[0] not in bound:
            return
        prefix = bound[chain[0]].split(".")
        dotted = prefix + chain[1:]
        for cut in range(len(dotted) - 1, len(prefix) - 1, -1):
            module = ".".join(dotted[:cut])
            if module in self.native:
                # dotted[cut] is chain[cut - len(prefix) + 1]: keep the source's spelling.
                expr = written or ".".join(chain[: cut - len(prefix) + 2])
                self.uses.add(Use(rel, node.lineno, module, dotted[cut], expr))
                return

    def scan(self):
        for rel, tree in self.trees.items():
            bound = self.bindings(rel, tree)
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute):
                    chain = _chain(node)
                    if chain:
                        self.take(rel, node, bound, chain)
                elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                      and node.func.id in ("getattr", "hasattr") and len(node.args) >= 2
                      and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
                    chain = _chain(node.args[0])
                    if chain and node.func.id == "getattr":
                        self.take(rel, node, bound, chain + [node.args[1].value],
                                  f"getattr({'.'.join(chain)}, {node.args[1].value!r})")
        return sorted(self.uses), sorted(self.unresolved)


def _chain(node):
    """a.b.c -> ['a', 'b', 'c']; None when the root is not a plain name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id] + parts[::-1]


def collect_uses(sources, native_modules):
    """(uses, unresolved) for the Python in `sources` (a code_to_scan.Sources).

    native_modules: dotted names of the modules that count as native.
    uses: every Use of an attribute of a native module.
    unresolved: imports of modules inside the scanned packages that are
    neither Python files there nor native modules (e.g. `from . import _xatlas`
    when only `_cumesh_xatlas` was built)."""
    return _Scanner(sources, native_modules).scan()
