#!/usr/bin/python3
"""Checks that src/ keeps the layering CMakeLists.txt declares.

The `cruddur_module(<folder> <deps...>)` lines of CMakeLists.txt are the one
statement of which module may call which (docs/ARCHITECTURE.md explains
them). This script checks the sources and the built objects against them:

1. every `#include "x/y.h"` of a file in src/<folder> names a header of the
   folder itself or of a module it may call (directly or through another);
2. a private header (`*_int.h`) is included only inside its own folder;
3. with a build folder: every symbol an object file of one module takes
   from another is from a module it may call (the linker's view), and no
   circle of object files that call each other spans two folders.

Usage: layering.py SRC_DIR [BUILD_DIR]. Prints each breach; exits 1 if any.
"""
import os
import re
import subprocess
import sys

# Breaches known and not yet mended, each with the change that ends it; they
# are printed but do not fail the check. An entry that no longer occurs fails
# it, so that the list only shrinks.
KNOWN = set()

# Programs and folders outside the module libraries, and what they may use.
OUTSIDE = {
    "main.c": None,  # the dispatcher links everything
    "lambda": ["messaging", "ddb/remote"],
}


def read_modules(src_root):
    text = open(os.path.join(src_root, "CMakeLists.txt")).read()
    mods = {}
    for m in re.finditer(r"^cruddur_module\(([^)\s]+)([^)]*)\)", text, re.M):
        mods[m.group(1)] = m.group(2).split()
    return mods


def closure(mods, start):
    seen, todo = set(), list(start)
    while todo:
        d = todo.pop()
        if d in seen:
            continue
        seen.add(d)
        todo.extend(mods.get(d, []))
    return seen


def module_of(path, mods):
    """The module folder a path under src/ belongs to (the deepest one)."""
    d = os.path.dirname(path)
    while d and d not in mods:
        if d in OUTSIDE:
            return d
        d = os.path.dirname(d)
    return d or os.path.basename(path)


def allowed_for(mod, mods):
    if mod in mods:
        return closure(mods, mods[mod]) | {mod}
    deps = OUTSIDE.get(mod)
    if deps is None:
        return set(mods)
    return closure(mods, deps) | {mod}


def check_includes(src_root, mods, errors):
    src = os.path.join(src_root, "src")
    for dirpath, _, files in os.walk(src):
        for f in sorted(files):
            if not f.endswith((".c", ".h")):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), src)
            mod = module_of(rel, mods)
            ok = allowed_for(mod, mods)
            for n, line in enumerate(open(os.path.join(dirpath, f)), 1):
                m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                if not m:
                    continue
                inc = m.group(1)
                if "/" not in inc:
                    continue  # a header beside the file
                owner = module_of(inc, mods)
                where = f"src/{rel}:{n}"
                if inc.endswith("_int.h") and owner != mod:
                    errors.append(f"{where}: includes {inc}, private to src/{owner}/")
                    if f"src/{rel}: includes {inc}" in KNOWN:
                        errors[-1] = "known: " + errors[-1]
                elif owner not in ok:
                    errors.append(f"{where}: includes {inc}, but {mod} may not call {owner}")


def nm_symbols(obj):
    out = subprocess.run(["nm", "--defined-only", "-g", obj], capture_output=True, text=True)
    defined = {line.split()[-1] for line in out.stdout.splitlines() if len(line.split()) >= 3}
    out = subprocess.run(["nm", "-u", obj], capture_output=True, text=True)
    undefined = {line.split()[-1] for line in out.stdout.splitlines() if line.strip()}
    return defined, undefined


def check_objects(src_root, build, mods, errors):
    objs = {}  # source path under src/ -> object file
    # The libraries are targets of the top CMakeLists.txt: their objects are
    # under BUILD/CMakeFiles/cruddur_<module>.dir/src/.
    for dirpath, _, files in os.walk(os.path.join(build, "CMakeFiles")):
        if not re.search(r"/CMakeFiles/cruddur(_[a-z_]+)?\.dir/src(/|$)", dirpath):
            continue
        for f in files:
            if f.endswith(".c.o"):
                full = os.path.join(dirpath, f)
                rel = full.split("/src/", 1)[1][: -len(".o")]
                if os.path.exists(os.path.join(src_root, "src", rel)):
                    objs[rel] = full  # not the objects of since-moved files
    if not objs:
        errors.append(f"no object files of src/ under {build} (build first)")
        return
    defined, undefined = {}, {}
    for rel, obj in objs.items():
        defined[rel], undefined[rel] = nm_symbols(obj)
    owner = {}
    for rel, syms in defined.items():
        for s in syms:
            owner[s] = rel
    calls = {rel: set() for rel in objs}
    for rel, syms in undefined.items():
        mod = module_of(rel, mods)
        ok = allowed_for(mod, mods)
        for s in sorted(syms):
            other = owner.get(s)
            if not other or other == rel:
                continue
            calls[rel].add(other)
            omod = module_of(other, mods)
            if omod not in ok:
                errors.append(f"src/{rel}: calls {s} of src/{other}, but {mod} may not call {omod}")
    # Circles of files (strongly connected components, Tarjan's algorithm).
    index, low, stack, on, comps = {}, {}, [], set(), []
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in calls[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            comps.append(comp)

    for v in sorted(calls):
        if v not in index:
            visit(v)
    for comp in comps:
        folders = {os.path.dirname(c) for c in comp}
        if len(folders) > 1:
            errors.append("a circle of files spans folders: " + " ".join(sorted(comp)))


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    src_root = sys.argv[1]
    mods = read_modules(src_root)
    if not mods:
        print("no cruddur_module() lines in CMakeLists.txt")
        return 1
    errors = []
    check_includes(src_root, mods, errors)
    if len(sys.argv) > 2:
        check_objects(src_root, sys.argv[2], mods, errors)
    for e in errors:
        print(e)
    seen = {re.sub(r":\d+:", ":", e[len("known: "):]).rsplit(",", 1)[0] for e in errors if e.startswith("known: ")}
    for k in sorted(KNOWN - seen):
        errors.append(f"no longer occurs (take it out of KNOWN): {k}")
        print(errors[-1])
    if any(not e.startswith("known: ") for e in errors):
        return 1
    known = len(errors)
    print(f"layering: {len(mods)} modules, every include and call goes one way"
          + (f" but the {known} known breaches above" if known else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
