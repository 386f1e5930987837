#!/usr/bin/env python3
"""Generates the C++ Kubernetes API types and their JSON codecs from the OpenAPI (Swagger 2.0) spec.

Run by the build (see src/api/CMakeLists.txt); nothing it writes is committed.

  gen_types.py --spec api/swagger.json --out build/generated          write every file
  gen_types.py --spec api/swagger.json --list                        print the files it would write

One header (`include/kube/api/<group>/<version>.h`) and one codec source (`src/api/<group>_<version>.cc`)
per group-version, plus `src/api/builtin_resources.cc`, the table of every REST resource in the spec.

Mapping rules (docs/ARCHITECTURE.md explains why):
  * optional scalars, strings, lists and maps -> std::optional<T>; required ones -> T;
  * nested objects -> kube::OptionalBox<T> when optional (8 bytes when absent), T when required;
  * Quantity, IntOrString, Time, MicroTime, byte strings -> small hand-written value types;
  * free-form objects (RawExtension, FieldsV1, JSON, ...) -> kube::json::Raw (lossless JSON text);
  * top-level kinds carry their group/version/kind/plural/scope as static members and do not store
    apiVersion/kind (they are implied by the type and always written when encoding).
"""

import argparse
import json
import os
import re
import sys
import textwrap

CPP_KEYWORDS = set("""
alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t char32_t
class compl concept const consteval constexpr constinit const_cast continue co_await co_return co_yield
decltype default delete do double dynamic_cast else enum explicit export extern false float for friend
goto if inline int long mutable namespace new noexcept not not_eq nullptr operator or or_eq private
protected public register reinterpret_cast requires return short signed sizeof static static_assert
static_cast struct switch template this thread_local throw true try typedef typeid typename union
unsigned using virtual void volatile wchar_t while xor xor_eq linux unix errno assert
""".split())

# Definitions implemented by hand in kube/core (see include/kube/core/api_support.h).
SPECIAL_TYPES = {
    "io.k8s.apimachinery.pkg.api.resource.Quantity": "::kube::Quantity",
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "::kube::IntOrString",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time": "::kube::Time",
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": "::kube::MicroTime",
}
RAW_TYPE = "::kube::json::Raw"

# Names the kind structs reserve for their static resource traits.
TRAIT_NAMES = {"group", "version", "api_version", "kind", "plural", "scope"}

PATH_RE = re.compile(
    r"^/(?:api/(?P<core_version>v[^/]+)|apis/(?P<group>[^/]+)/(?P<version>v[^/]+))"
    r"/(?:namespaces/\{namespace\}/)?(?P<plural>[a-z0-9.-]+)(?:/\{name\}(?:/(?P<sub>[a-z0-9.-]+))?)?$")


def snake_case(name):
    """camelCase JSON name -> snake_case C++ name; keeps acronyms (and their plurals) as one word."""
    name = name.lstrip("$").replace("-", "_")
    words = re.findall(r"[A-Z]{2,}s(?=[A-Z]|_|$)|[A-Z]{2,}(?=[A-Z][a-z]|[A-Z]\d|_|$)|[A-Z]?[a-z]+\d*|[A-Z]+\d*|\d+|_", name)
    out = "_".join(w.lower() for w in words if w != "_")
    out = re.sub(r"_+", "_", out)
    if out in CPP_KEYWORDS:
        out += "_"
    return out


def group_version_of(def_name):
    """Definition name -> (namespace parts, header path, source stem)."""
    parts = def_name.split(".")
    prefix = parts[:-1]
    if prefix[:3] == ["io", "k8s", "api"]:
        ns = prefix[3:]
    elif prefix[:5] == ["io", "k8s", "apimachinery", "pkg", "apis"]:
        ns = prefix[5:]
    elif prefix[:4] == ["io", "k8s", "apimachinery", "pkg"]:
        ns = prefix[4:]
    elif prefix[:2] == ["io", "k8s"] and "apis" in prefix:
        ns = prefix[prefix.index("apis") + 1:]
    else:
        raise SystemExit(f"gen_types: cannot place definition {def_name}")
    return tuple(ns)


def header_path(ns):
    return "kube/api/" + "/".join(ns) + ".h"


def source_path(ns):
    return "src/api/" + "_".join(ns) + ".cc"


def cpp_namespace(ns):
    return "kube::api::" + "::".join(ns)


def doc_comment(text, indent):
    if not text:
        return ""
    text = text.replace("\r", "")
    lines = []
    for para in text.split("\n"):
        para = para.rstrip().rstrip("\\")
        if not para:
            lines.append("")
            continue
        lines.extend(textwrap.wrap(para, width=96 - len(indent), break_long_words=False,
                                   break_on_hyphens=False) or [""])
    while lines and not lines[-1]:
        lines.pop()
    return "".join(f"{indent}///{(' ' + l) if l else ''}\n" for l in lines)


class Model:
    def __init__(self, spec):
        self.spec = spec
        self.defs = spec["definitions"]
        self.structs = {}      # def name -> info
        self.raw_defs = set()  # definitions that are free-form JSON
        for name, d in self.defs.items():
            if name in SPECIAL_TYPES:
                continue
            if "properties" not in d:
                self.raw_defs.add(name)
                continue
            self.structs[name] = d
        self.resources = self._resources_from_paths()

    # ---- types ------------------------------------------------------------------------------
    def ref_name(self, schema):
        return schema["$ref"].split("/")[-1]

    def is_struct_ref(self, schema):
        return "$ref" in schema and self.ref_name(schema) in self.structs

    def cpp_type(self, schema, from_ns):
        """C++ type of a schema used as a list element / map value / required field."""
        if "$ref" in schema:
            ref = self.ref_name(schema)
            if ref in SPECIAL_TYPES:
                return SPECIAL_TYPES[ref]
            if ref in self.raw_defs:
                return RAW_TYPE
            ns = group_version_of(ref)
            short = ref.split(".")[-1]
            return short if ns == from_ns else f"::{cpp_namespace(ns)}::{short}"
        t = schema.get("type")
        fmt = schema.get("format")
        if t == "string":
            return "::kube::ByteString" if fmt == "byte" else "std::string"
        if t == "integer":
            return "std::int64_t" if fmt == "int64" else "std::int32_t"
        if t == "number":
            return "double"
        if t == "boolean":
            return "bool"
        if t == "array":
            return f"std::vector<{self.cpp_type(schema['items'], from_ns)}>"
        if t == "object":
            ap = schema.get("additionalProperties")
            if ap:
                return f"std::map<std::string, {self.cpp_type(ap, from_ns)}>"
            return RAW_TYPE
        if t is None:
            return RAW_TYPE
        raise SystemExit(f"gen_types: unsupported schema {schema}")

    def field_type(self, schema, required, from_ns):
        base = self.cpp_type(schema, from_ns)
        if required:
            return base
        if self.is_struct_ref(schema):
            return f"::kube::OptionalBox<{base}>"
        return f"std::optional<{base}>"

    def struct_deps(self, schema):
        """Struct definitions a schema embeds (so they must be complete first)."""
        if "$ref" in schema:
            return [self.ref_name(schema)] if self.is_struct_ref(schema) else []
        if schema.get("type") == "array":
            return self.struct_deps(schema["items"])
        if schema.get("type") == "object" and schema.get("additionalProperties"):
            return self.struct_deps(schema["additionalProperties"])
        return []

    # ---- resources (REST paths) ---------------------------------------------------------------
    def _resources_from_paths(self):
        res = {}   # (group, version, plural) -> info
        for path, item in self.spec["paths"].items():
            # Deprecated /watch/ paths only tell which resources support watch.
            path = path.replace("/watch/", "/", 1)
            m = PATH_RE.match(path)
            if not m:
                continue
            group = m.group("group") or ""
            version = m.group("core_version") or m.group("version")
            plural = m.group("plural")
            sub = m.group("sub")
            namespaced = "{namespace}" in path
            for method, op in item.items():
                if method == "parameters" or "x-kubernetes-action" not in op:
                    continue
                gvk = op.get("x-kubernetes-group-version-kind")
                action = op["x-kubernetes-action"]
                key = (group, version, plural)
                r = res.setdefault(key, {"group": group, "version": version, "plural": plural,
                                         "kind": None, "namespaced": False, "verbs": set(),
                                         "subresources": {}})
                if namespaced:
                    r["namespaced"] = True
                if sub:
                    s = r["subresources"].setdefault(sub, {"verbs": set(), "gvk": None})
                    s["verbs"].add(action)
                    if gvk:
                        s["gvk"] = gvk
                else:
                    if gvk and r["kind"] is None:
                        r["kind"] = gvk["kind"]
                    r["verbs"].add(action)
        # A path like /api/v1/namespaces/{name}/status parses as plural "namespaces": fine. Drop
        # entries that never had a main (non-subresource) endpoint with a kind.
        return {k: v for k, v in res.items() if v["kind"]}


VERB_ORDER = ["create", "delete", "deletecollection", "get", "list", "patch", "put", "update", "watch",
              "watchlist", "connect", "post"]


def verbs_of(actions):
    out = set()
    for a in actions:
        if a == "post":
            out.add("create")
        elif a == "put":
            out.add("update")
        elif a == "watchlist":
            out.add("watch")
        else:
            out.add(a)
    return sorted(out)


class Generator:
    def __init__(self, model):
        self.m = model
        self.by_ns = {}
        for name in model.structs:
            self.by_ns.setdefault(group_version_of(name), []).append(name)
        # GVK -> resource for kind structs
        self.kind_resource = {}
        for r in model.resources.values():
            self.kind_resource.setdefault((r["group"], r["version"], r["kind"]), r)

    def outputs(self):
        files = []
        for ns in sorted(self.by_ns):
            files.append("include/" + header_path(ns))
            files.append(source_path(ns))
        files.append("src/api/builtin_resources.cc")
        files.append("include/kube/api/all.h")
        return files

    # ---- helpers ----------------------------------------------------------------------------
    def kind_of(self, name):
        gvks = self.m.structs[name].get("x-kubernetes-group-version-kind")
        if gvks and len(gvks) == 1:
            return gvks[0]
        return None

    def fields(self, name):
        d = self.m.structs[name]
        required = set(d.get("required", []))
        out = []
        is_kind = self.kind_of(name) is not None
        seen = {}
        for json_name, schema in sorted(d["properties"].items()):
            if is_kind and json_name in ("apiVersion", "kind"):
                continue
            cpp = snake_case(json_name)
            if cpp in seen:
                raise SystemExit(f"gen_types: {name}: fields {seen[cpp]} and {json_name} both map to {cpp}")
            seen[cpp] = json_name
            if is_kind and cpp in TRAIT_NAMES:
                raise SystemExit(f"gen_types: {name}: field {json_name} collides with a resource trait")
            # metadata of a kind is always present (an empty ObjectMeta when absent on the wire).
            req = json_name in required or (is_kind and json_name == "metadata")
            out.append({"json": json_name, "cpp": cpp, "schema": schema, "required": req})
        return out

    def ordered(self, ns):
        """Structs of one group-version, each after the ones it embeds (cycles are broken by boxes)."""
        names = sorted(self.by_ns[ns])
        local = set(names)
        order, state = [], {}

        def visit(n):
            if state.get(n) == 2:
                return
            if state.get(n) == 1:
                return  # cycle: only possible through OptionalBox/vector members, which allow it
            state[n] = 1
            for f in self.fields(n):
                s = f["schema"]
                # optional struct refs are boxed: no completeness needed
                if "$ref" in s and not f["required"]:
                    continue
                for dep in self.m.struct_deps(s):
                    if dep in local:
                        visit(dep)
            state[n] = 2
            order.append(n)

        for n in names:
            visit(n)
        return order

    def deps_ns(self, ns):
        out = set()
        for name in self.by_ns[ns]:
            for f in self.fields(name):
                for dep in self._all_refs(f["schema"]):
                    dns = group_version_of(dep)
                    if dns != ns and dep in self.m.structs:
                        out.add(dns)
        return sorted(out)

    def _all_refs(self, schema):
        if "$ref" in schema:
            return [self.m.ref_name(schema)]
        if schema.get("type") == "array":
            return self._all_refs(schema["items"])
        if schema.get("type") == "object" and schema.get("additionalProperties"):
            return self._all_refs(schema["additionalProperties"])
        return []

    # ---- header -----------------------------------------------------------------------------
    def header(self, ns):
        gv = "/".join(ns)
        out = [f"// Kubernetes API types of {gv}: generated at build time from api/swagger.json by",
               "// tools/codegen/gen_types.py. Edit the generator, not this file.",
               "#pragma once", "", "#include \"kube/core/api_support.h\""]
        for dns in self.deps_ns(ns):
            out.append(f"#include \"{header_path(dns)}\"")
        out += ["", f"namespace {cpp_namespace(ns)} {{", ""]
        order = self.ordered(ns)
        for name in order:
            out.append(f"struct {name.split('.')[-1]};")
        if ns == ("meta", "v1"):
            out += ["", "using Time = ::kube::Time;", "using MicroTime = ::kube::MicroTime;"]
            for raw in sorted(self.m.raw_defs):
                if group_version_of(raw) == ns:
                    out.append(f"using {raw.split('.')[-1]} = ::kube::json::Raw;")
        else:
            for raw in sorted(self.m.raw_defs):
                if group_version_of(raw) == ns:
                    out.append(f"using {raw.split('.')[-1]} = ::kube::json::Raw;")
        out.append("")
        for name in order:
            out.append(self.struct_decl(name, ns))
        out.append(f"}}  // namespace {cpp_namespace(ns)}")
        out.append("")
        return "\n".join(out)

    def struct_decl(self, name, ns):
        short = name.split(".")[-1]
        d = self.m.structs[name]
        s = doc_comment(d.get("description", ""), "")
        s += f"struct {short} {{\n"
        gvk = self.kind_of(name)
        if gvk:
            api_version = gvk["version"] if not gvk["group"] else f"{gvk['group']}/{gvk['version']}"
            s += f"  static constexpr std::string_view group = \"{gvk['group']}\";\n"
            s += f"  static constexpr std::string_view version = \"{gvk['version']}\";\n"
            s += f"  static constexpr std::string_view api_version = \"{api_version}\";\n"
            s += f"  static constexpr std::string_view kind = \"{gvk['kind']}\";\n"
            r = self.kind_resource.get((gvk["group"], gvk["version"], gvk["kind"]))
            if r:
                scope = "Namespaced" if r["namespaced"] else "Cluster"
                s += f"  static constexpr std::string_view plural = \"{r['plural']}\";\n"
                s += f"  static constexpr ::kube::Scope scope = ::kube::Scope::{scope};\n"
            s += "\n"
        for f in self.fields(name):
            s += doc_comment(f["schema"].get("description", ""), "  ")
            s += f"  {self.m.field_type(f['schema'], f['required'], ns)} {f['cpp']}{{}};\n"
        s += f"\n  bool operator==(const {short}&) const = default;\n"
        s += "};\n"
        s += f"void read_json(::kube::json::Reader& in, {short}& out);\n"
        s += f"void write_json(::kube::json::Writer& out, const {short}& in);\n"
        return s

    # ---- codecs -----------------------------------------------------------------------------
    def source(self, ns):
        out = [f"// JSON codecs of the {'/'.join(ns)} types: generated at build time by tools/codegen/gen_types.py.",
               f"#include \"{header_path(ns)}\"", "", "#include \"kube/core/json.h\"", "",
               f"namespace {cpp_namespace(ns)} {{", ""]
        for name in self.ordered(ns):
            out.append(self.reader(name))
            out.append(self.writer(name))
        out.append(f"}}  // namespace {cpp_namespace(ns)}")
        out.append("")
        return "\n".join(out)

    def reader(self, name):
        short = name.split(".")[-1]
        fields = self.fields(name)
        by_len = {}
        for f in fields:
            by_len.setdefault(len(f["json"]), []).append(f)
        if self.kind_of(name):
            # apiVersion and kind are implied by the type; when present they must agree with it.
            for member, trait in (("apiVersion", "api_version"), ("kind", "kind")):
                by_len.setdefault(len(member), []).append({"json": member, "trait": trait})
        body = f"void read_json(::kube::json::Reader& in, {short}& out) {{\n"
        if not by_len:
            body += "  in.skip_object();\n}\n"
            return body
        body += "  in.read_object([&out](std::string_view key, ::kube::json::Reader& value) {\n"
        body += "    switch (key.size()) {\n"
        for n in sorted(by_len):
            body += f"      case {n}:\n"
            for f in by_len[n]:
                if "trait" in f:
                    body += (f"        if (::kube::json::key_is(key, \"{f['json']}\")) "
                             f"return value.expect_string(\"{f['json']}\", {short}::{f['trait']});\n")
                else:
                    body += f"        if (::kube::json::key_is(key, \"{f['json']}\")) return value.read(out.{f['cpp']});\n"
            body += "        return;\n"
        body += "      default:\n        return;  // unknown fields are ignored\n"
        body += "    }\n  });\n}\n"
        return body

    def writer(self, name):
        short = name.split(".")[-1]
        gvk = self.kind_of(name)
        body = f"void write_json(::kube::json::Writer& out, const {short}& in) {{\n"
        body += "  out.begin_object();\n"
        if gvk:
            body += f"  out.member(\"apiVersion\", {short}::api_version);\n"
            body += f"  out.member(\"kind\", {short}::kind);\n"
        for f in self.fields(name):
            if f["required"]:
                body += f"  out.member(\"{f['json']}\", in.{f['cpp']});\n"
            else:
                body += f"  if (in.{f['cpp']}) out.member(\"{f['json']}\", *in.{f['cpp']});\n"
        body += "  out.end_object();\n}\n"
        return body

    # ---- resource table -----------------------------------------------------------------------
    def resources_source(self):
        out = ["// The REST resources of api/swagger.json: generated at build time by tools/codegen/gen_types.py.",
               "#include \"kube/core/builtin_resources.h\"", "", "namespace kube {", "namespace {", ""]
        rows = []
        for key in sorted(self.m.resources):
            r = self.m.resources[key]
            subs = []
            for sname in sorted(r["subresources"]):
                sub = r["subresources"][sname]
                g = sub["gvk"] or {}
                subs.append(f"{{\"{sname}\", \"{g.get('group', '')}\", \"{g.get('version', '')}\", "
                            f"\"{g.get('kind', '')}\", \"{','.join(verbs_of(sub['verbs']))}\"}}")
            arr = "nullptr"
            if subs:
                arr = f"k{len(rows)}Subresources"
                out.append(f"constexpr BuiltinSubresource {arr}[] = {{\n    " + ",\n    ".join(subs) + "};")
            scope = "Scope::Namespaced" if r["namespaced"] else "Scope::Cluster"
            rows.append(f"{{\"{r['group']}\", \"{r['version']}\", \"{r['kind']}\", \"{r['plural']}\", "
                        f"\"{r['kind'].lower()}\", {scope}, \"{','.join(verbs_of(r['verbs']))}\", "
                        f"{{{arr if subs else ''}}}}}")
        out.append("")
        out.append("constexpr BuiltinResource kResources[] = {\n    " + ",\n    ".join(rows) + "};")
        out += ["", "}  // namespace", "",
                "std::span<const BuiltinResource> builtin_resources() { return kResources; }", "",
                "}  // namespace kube", ""]
        return "\n".join(out)

    def all_header(self):
        out = ["// Every generated Kubernetes API group-version (heavy: prefer the one header you need).",
               "#pragma once", ""]
        for ns in sorted(self.by_ns):
            out.append(f"#include \"{header_path(ns)}\"")
        return "\n".join(out) + "\n"

    def write_all(self, root):
        files = {}
        for ns in sorted(self.by_ns):
            files["include/" + header_path(ns)] = self.header(ns)
            files[source_path(ns)] = self.source(ns)
        files["src/api/builtin_resources.cc"] = self.resources_source()
        files["include/kube/api/all.h"] = self.all_header()
        assert sorted(files) == sorted(self.outputs())
        for rel, text in files.items():
            path = os.path.join(root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            # Rewrite only on change so an unchanged spec does not trigger recompiles.
            if os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                    if f.read() == text:
                        continue
            with open(path + ".tmp", "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spec", required=True)
    ap.add_argument("--out")
    ap.add_argument("--list", action="store_true", help="print the files that would be written")
    args = ap.parse_args()
    with open(args.spec, encoding="utf-8") as f:
        spec = json.load(f)
    gen = Generator(Model(spec))
    if args.list:
        print(";".join(gen.outputs()))
        return 0
    if not args.out:
        ap.error("--out is required unless --list")
    gen.write_all(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
