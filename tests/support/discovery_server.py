#!/usr/bin/env python3
"""Serves legacy API discovery (/api, /apis, /api/v1, /apis/<group>/<version>) built from the
bundled OpenAPI spec, on 127.0.0.1, so `kubectl run --dry-run=client` and other commands that only
need discovery can produce real objects without a cluster. Every other path answers 404 with a
Status. Prints the port on stdout, then serves until stdin closes or it is killed.

Stand-in until the real local API server exists for these tests (it serves discovery only).
"""
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PATH_RE = re.compile(r"^/(?:api/(?P<cv>v[^/]+)|apis/(?P<g>[^/]+)/(?P<v>v[^/]+))"
                     r"/(?:namespaces/\{namespace\}/)?(?P<plural>[a-z0-9.-]+)(?:/\{name\})?$")


def build(spec_path):
    spec = json.load(open(spec_path))
    resources = {}
    for path, item in spec["paths"].items():
        if "/watch/" in path:
            continue
        m = PATH_RE.match(path)
        if not m:
            continue
        group, version = m.group("g") or "", m.group("cv") or m.group("v")
        for method, op in item.items():
            gvk = op.get("x-kubernetes-group-version-kind") if isinstance(op, dict) else None
            if not gvk:
                continue
            key = (group, version, m.group("plural"))
            r = resources.setdefault(key, {"name": m.group("plural"), "singularName": gvk["kind"].lower(),
                                           "namespaced": False, "kind": gvk["kind"], "verbs": set()})
            if "{namespace}" in path:
                r["namespaced"] = True
            r["verbs"].add({"post": "create", "put": "update", "watchlist": "watch"}.get(
                op["x-kubernetes-action"], op["x-kubernetes-action"]))
    by_gv = {}
    for (g, v, _), r in resources.items():
        r = dict(r, verbs=sorted(r["verbs"]))
        by_gv.setdefault((g, v), []).append(r)
    return by_gv


def main():
    by_gv = build(sys.argv[1])
    groups = {}
    for (g, v) in sorted(by_gv):
        if g:
            groups.setdefault(g, []).append(v)

    def group_json(g, versions):
        vs = [{"groupVersion": f"{g}/{v}", "version": v} for v in sorted(versions, reverse=True)]
        ga = [x for x in vs if re.fullmatch(r"v\d+", x["version"])]
        return {"name": g, "versions": vs, "preferredVersion": (ga or vs)[0]}

    docs = {
        "/api": {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []},
        "/apis": {"kind": "APIGroupList", "apiVersion": "v1",
                  "groups": [group_json(g, vs) for g, vs in sorted(groups.items())]},
        "/version": {"major": "1", "minor": "34", "gitVersion": "v1.34.0"},
    }
    for (g, v), rs in by_gv.items():
        gv = f"{g}/{v}" if g else v
        path = f"/apis/{gv}" if g else f"/api/{v}"
        docs[path] = {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": rs}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            doc = docs.get(self.path.split("?")[0].rstrip("/"))
            code = 200 if doc else 404
            body = json.dumps(doc or {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                      "reason": "NotFound", "code": 404, "message": "not found"}).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # serve until the parent closes our stdin (or kills us)
    server.shutdown()


if __name__ == "__main__":
    main()
