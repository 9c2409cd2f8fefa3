#!/usr/bin/env python3
"""Writes testdata/vendor/: a `cargo vendor`-style directory source of stub crates.

Each stub carries the real crate name, version and the real requirements between
the gRPC crates (etcd-client, tonic, prost, hyper, ...), with empty code (tonic and
etcd-client carry a type or two, see SOURCES). Fixture
workspaces replace crates-io with this folder, so `cargo metadata --offline`
resolves them exactly as it would against the real registry, with no network.

Run it from anywhere: `python3 testdata/generate-vendor.py [OUT_DIR]`. The output is
committed; rerun after editing the table below. CI writes it to a temporary directory and
compares, so the committed folder never drifts from this table.
"""
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "vendor")

# name -> version -> dict(deps=[(name, req, kind, extra)], features={}, rust=None)
# kind: "normal" | "build"; extra: {"optional": True}, {"package": ...} or
# {"target": "cfg(unix)"} (a `[target.<cfg>]` table)
CRATES = {}


def crate(name, version, deps=(), features=None, rust_version=None):
    CRATES.setdefault(name, {})[version] = {
        "deps": list(deps),
        "features": features or {},
        "rust_version": rust_version,
    }


def d(name, req, kind="normal", **extra):
    return (name, req, kind, extra)


# --- leaf and transport stack -------------------------------------------------
crate("tower-service", "0.3.3")
for v in ["0.2.12"]:
    crate("http", v)
crate("http", "1.3.1")
crate("http-body", "0.4.6", [d("http", "^0.2")])
crate("http-body", "1.0.1", [d("http", "^1")])
crate("socket2", "0.4.10")
crate("socket2", "0.5.8")
crate("h2", "0.3.26", [d("http", "^0.2")])
crate("h2", "0.4.8", [d("http", "^1.0")])
crate("hyper", "0.14.32", [d("http", "^0.2"), d("http-body", "^0.4"), d("h2", "^0.3.24"),
                           d("tower-service", "^0.3"), d("socket2", "^0.4.7")])
crate("hyper", "1.6.0", [d("http", "^1"), d("http-body", "^1"), d("h2", "^0.4")])
crate("hyper-util", "0.1.10", [d("http", "^1.0"), d("hyper", "^1.4.0"), d("tower-service", "^0.3"),
                               d("socket2", "^0.5")])
crate("tower", "0.4.13", [d("tower-service", "^0.3.1")])
crate("tower", "0.5.2", [d("tower-service", "^0.3.3")])
crate("axum", "0.6.20", [d("http", "^0.2.9"), d("http-body", "^0.4.4"), d("hyper", "^0.14.24"),
                         d("tower", "^0.4.13"), d("tower-service", "^0.3")])
crate("axum", "0.7.9", [d("http", "^1.0.0"), d("http-body", "^1.0.0"), d("hyper", "^1.1.0"),
                        d("tower", "^0.5.1"), d("tower-service", "^0.3")])
crate("axum", "0.8.1", [d("http", "^1.0.0"), d("http-body", "^1.0.0"), d("hyper", "^1.1.0"),
                        d("tower", "^0.5.2"), d("tower-service", "^0.3")])

# --- prost train ----------------------------------------------------------------
for v in ["0.11.9", "0.12.6", "0.13.5", "0.14.1"]:
    req = "^" + v  # the prost crates of one release require each other's exact release line
    crate("prost-derive", v)
    crate("prost", v, [d("prost-derive", req)])
    crate("prost-types", v, [d("prost", req)])
    crate("prost-build", v, [d("prost", req), d("prost-types", req)])

# --- tonic train ----------------------------------------------------------------
# tonic: (version, prost req or None, http, http-body, hyper, h2, tower, axum, extra deps, rust-version)
TONIC = [
    ("0.8.3", "^0.11", "^0.2", "^0.4.4", "^0.14.14", "^0.3", "^0.4.7", "^0.6", [], None),
    ("0.9.2", "^0.11", "^0.2", "^0.4.4", "^0.14.14", "^0.3", "^0.4.7", "^0.6.9", [], None),
    ("0.10.2", "^0.12", "^0.2", "^0.4.4", "^0.14.26", "^0.3.17", "^0.4.7", "^0.6.9", [], None),
    ("0.11.0", "^0.12", "^0.2", "^0.4.4", "^0.14.26", "^0.3.24", "^0.4.7", "^0.6.9", [], None),
    ("0.12.3", "^0.13", "^1", "^1", "^1", "^0.4", "^0.4.7", "^0.7",
     [d("hyper-util", "^0.1.4")], None),
    ("0.13.1", "^0.13", "^1", "^1", "^1", "^0.4", "^0.5", "^0.8",
     [d("hyper-util", "^0.1.4")], "1.75"),
    # The 0.14 line's rust-versions as published: 0.14.0 1.86, 0.14.1–0.14.5 1.75, 0.14.6+
    # 1.88, so a workspace on rust 1.80 must stop at 0.14.5.
    ("0.14.0", None, "^1", "^1", "^1", "^0.4", "^0.5", "^0.8",
     [d("hyper-util", "^0.1.4")], "1.86"),
    ("0.14.1", None, "^1", "^1", "^1", "^0.4", "^0.5", "^0.8",
     [d("hyper-util", "^0.1.4")], "1.75"),
    ("0.14.2", None, "^1", "^1", "^1", "^0.4", "^0.5", "^0.8",
     [d("hyper-util", "^0.1.4")], "1.75"),
    ("0.14.5", None, "^1", "^1", "^1", "^0.4", "^0.5", "^0.8",
     [d("hyper-util", "^0.1.4")], "1.75"),
    ("0.14.6", None, "^1", "^1", "^1", "^0.4", "^0.5", "^0.8",
     [d("hyper-util", "^0.1.4")], "1.88"),
]
for (v, prost, http, body, hyper, h2, tower, axum, extra, rv) in TONIC:
    deps = [d("http", http), d("http-body", body), d("tower-service", "^0.3"),
            d("hyper", hyper, optional=True), d("h2", h2, optional=True),
            d("tower", tower, optional=True), d("axum", axum, optional=True)]
    for e in extra:
        deps.append((e[0], e[1], e[2], {"optional": True}))
    features = {
        "default": ["transport", "codegen"] + (["prost"] if prost else []),
        "codegen": [],
        "transport": ["dep:hyper", "dep:h2", "dep:tower", "dep:axum"]
        + (["dep:hyper-util"] if extra else []),
    }
    if prost:
        deps.append(d("prost", prost, optional=True))
        features["prost"] = ["dep:prost"]
    minor = ".".join(v.split(".")[:2])
    # TLS features as the real releases name them: `tls` (and `tls-roots`) up to 0.12,
    # `tls-ring` / `tls-aws-lc` over an internal `_tls-any` from 0.13.
    if minor in ("0.12", "0.13", "0.14"):
        features["tls-native-roots"] = []
        features["tls-webpki-roots"] = []
    if minor in ("0.13", "0.14"):
        features["_tls-any"] = []
        features["tls-ring"] = ["_tls-any"]
        features["tls-aws-lc"] = ["_tls-any"]
    else:
        features["tls"] = []
        if minor not in ("0.12",):
            features["tls-roots"] = ["tls"]
    crate("tonic", v, deps, features, rv)
    # tonic-build: prost codegen behind a default `prost` feature up to 0.13; from 0.14 it
    # lives in tonic-prost-build.
    tb_deps = [] if prost is None else [d("prost-build", prost, optional=True)]
    tb_features = {}
    if minor in ("0.12", "0.13"):
        tb_deps.append(d("prost-types", "^0.13", optional=True))
    if prost:
        tb_features = {
            "default": ["transport", "prost"],
            "transport": [],
            "prost": ["dep:prost-build"] + (["dep:prost-types"] if minor in ("0.12", "0.13") else []),
        }
    else:
        tb_features = {"default": ["transport"], "transport": []}
    crate("tonic-build", v, tb_deps, tb_features, rust_version=rv)

# tonic-prost(-build) and tonic-health 0.14.x need tonic 0.14 of the same patch, and declare
# the rust-version of that tonic release.
for (v, rv) in [("0.14.2", "1.75"), ("0.14.5", "1.75"), ("0.14.6", "1.88")]:
    crate("tonic-prost", v, [d("prost", "^0.14"), d("tonic", "^" + v)], rust_version=rv)
    crate("tonic-prost-build", v, [d("prost-build", "^0.14"), d("prost-types", "^0.14"),
                                   d("tonic-build", "^" + v)], rust_version=rv)
# tonic-health follows tonic's line.
for (v, prost, rv) in [("0.9.2", "^0.11", None), ("0.10.2", "^0.12", None),
                       ("0.12.3", "^0.13", None), ("0.13.1", "^0.13", None),
                       ("0.14.2", None, "1.75"), ("0.14.5", None, "1.75"),
                       ("0.14.6", None, "1.88")]:
    deps = [d("tonic", "^" + v)]
    deps.append(d("prost", prost) if prost else d("tonic-prost", "^" + v))
    crate("tonic-health", v, deps, rust_version=rv)

# --- etcd-client ------------------------------------------------------------------
# (version, tonic, prost, http, tower, extra, rust-version)
ETCD = [
    ("0.10.4", "^0.8.0", "^0.11", "^0.2.8", "^0.4.13", [], None),
    ("0.11.1", "^0.9.2", "^0.11.9", "^0.2.9", "^0.4.13", [], None),
    ("0.12.4", "^0.10.0", "^0.12", "^0.2.9", "^0.4.13", [], None),
    ("0.13.0", "^0.11.0", "^0.12", "^0.2.12", "^0.4.13", [], None),
    ("0.14.0", "^0.12", "^0.13", "^1.1", "^0.4", [], None),
    ("0.14.1", "^0.12.3", "^0.13", "^1.1", "^0.4", [], None),
    ("0.15.0", "^0.12.3", "^0.13", "^1.1", "^0.4", [], "1.80.0"),
    ("0.16.1", "^0.13.1", "^0.13", "^1.1", "^0.5", [], "1.80.0"),
    ("0.17.0", "^0.14", "^0.14", "^1.1", "^0.5", [d("tonic-prost", "^0.14")], "1.80.0"),
]
for (v, tonic, prost, http, tower, extra, rv) in ETCD:
    tonic_line = tonic.lstrip("^")
    deps = [d("tonic", tonic), d("prost", prost), d("http", http), d("tower", tower),
            d("tower-service", "^0.3"), d("tonic-build", tonic, "build")] + extra
    if v.startswith("0.17"):
        deps.append(d("tonic-prost-build", "^0.14", "build"))
    crate("etcd-client", v, deps, rust_version=rv)

# --- telemetry exporter and an in-house gRPC crate -----------------------------------
crate("opentelemetry-otlp", "0.13.0", [d("tonic", "^0.9.0", optional=True), d("prost", "^0.11.0", optional=True),
                                       d("http", "^0.2")],
      {"default": ["grpc-tonic"], "grpc-tonic": ["dep:tonic", "dep:prost"]})
crate("opentelemetry-otlp", "0.27.0", [d("tonic", "^0.12.3", optional=True), d("prost", "^0.13.3", optional=True),
                                       d("http", "^1.1")],
      {"default": ["grpc-tonic"], "grpc-tonic": ["dep:tonic", "dep:prost"]})
# From 0.29 the exporter reaches tonic through opentelemetry-proto, as the real releases do:
# otlp 0.29 → proto 0.29 → tonic 0.12, 0.30 → 0.30 → tonic 0.13, 0.31 → 0.31 → tonic 0.14.
for (v, tonic, prost) in [("0.29.0", "^0.12.3", "^0.13"), ("0.30.0", "^0.13.1", "^0.13.5"),
                          ("0.31.0", "^0.14.1", None)]:
    proto_deps = [d("tonic", tonic, optional=True)]
    proto_features = {"default": ["gen-tonic"], "gen-tonic": ["dep:tonic"]}
    if prost:
        proto_deps.append(d("prost", prost, optional=True))
        proto_features["gen-tonic"].append("dep:prost")
    else:
        proto_deps.append(d("tonic-prost", "^0.14.1", optional=True))
        proto_deps.append(d("prost", "^0.14", optional=True))
        proto_features["gen-tonic"] += ["dep:tonic-prost", "dep:prost"]
    crate("opentelemetry-proto", v, proto_deps, proto_features)
    crate("opentelemetry-otlp", v, [d("opentelemetry-proto", "^" + v, optional=True),
                                     d("http", "^1.1")],
          {"default": ["grpc-tonic"], "grpc-tonic": ["dep:opentelemetry-proto"]})
# acme-grpc stands for an in-house gRPC crate published to the registry; its newest
# release is still on tonic 0.9.
crate("acme-grpc", "1.2.0", [d("tonic", "^0.9"), d("prost", "^0.11")])
crate("acme-grpc", "1.3.0", [d("tonic", "^0.9.2"), d("prost", "^0.11.9")])
# acme-platform stands for an in-house crate that wraps etcd-client: tonic reaches a member
# through it two hops away; 2.0.0 moved to an etcd-client built on tonic 0.12.
crate("acme-platform", "1.4.0", [d("etcd-client", "^0.11")])
crate("acme-platform", "2.0.0", [d("etcd-client", "^0.14")])

# --- platform-specific dependencies ----------------------------------------------------
# The real target tables of the transport stack's system crates, so that `--target` has
# registry conditions to evaluate: socket2 depends on libc on unix and on winapi (0.4) or
# windows-sys (0.5) on windows; winapi picks its import libraries by target triple, and
# windows-targets by `cfg(all(...))` (the stub keeps its two x86_64 tables).
def on(target, name, req):
    return d(name, req, target=target)


crate("libc", "0.2.169")
crate("winapi-i686-pc-windows-gnu", "0.4.0")
crate("winapi-x86_64-pc-windows-gnu", "0.4.0")
crate("winapi", "0.3.9", [on("i686-pc-windows-gnu", "winapi-i686-pc-windows-gnu", "^0.4"),
                          on("x86_64-pc-windows-gnu", "winapi-x86_64-pc-windows-gnu", "^0.4")])
crate("windows_x86_64_gnu", "0.52.6")
crate("windows_x86_64_msvc", "0.52.6")
crate("windows-targets", "0.52.6", [
    on('cfg(all(target_arch = "x86_64", target_env = "gnu", not(target_abi = "llvm"), '
       'not(windows_raw_dylib)))', "windows_x86_64_gnu", "^0.52.6"),
    on('cfg(all(target_arch = "x86_64", target_env = "msvc", not(windows_raw_dylib)))',
       "windows_x86_64_msvc", "^0.52.6"),
])
crate("windows-sys", "0.52.0", [d("windows-targets", "^0.52.0")])
CRATES["socket2"]["0.4.10"]["deps"] += [on("cfg(unix)", "libc", "^0.2.149"),
                                        on("cfg(windows)", "winapi", "^0.3.9")]
CRATES["socket2"]["0.5.8"]["deps"] += [on("cfg(unix)", "libc", "^0.2.150"),
                                       on("cfg(windows)", "windows-sys", "^0.52")]

# --- code for fixtures that really compile --------------------------------------------
# Every other stub has an empty src/lib.rs. These carry the few types a fixture needs to
# fail to compile the way users' builds do when two tonic lines meet
# (workspaces/build-error): each tonic line has its own `Status`, and etcd-client's error
# carries the `Status` of the tonic it is built on.
SOURCES = {}


def code(name, version, text):
    SOURCES[(name, version)] = text


for (v, *_) in TONIC:
    code("tonic", v, "/// The status of a gRPC call.\n#[derive(Debug)]\npub struct Status;\n")
# Code generation as build scripts call it: `tonic_build::compile_protos` up to 0.13; from 0.14
# it is `tonic_prost_build::compile_protos` (workspaces/build-check).
COMPILE_PROTOS = ("/// Generates the gRPC code for `proto`.\n"
                  "pub fn compile_protos(proto: &str) -> Result<(), std::io::Error> {\n"
                  "    let _ = proto;\n    Ok(())\n}\n")
for (v, *_) in TONIC:
    if not v.startswith("0.14"):
        code("tonic-build", v, COMPILE_PROTOS)
for v in ["0.14.2", "0.14.5", "0.14.6"]:
    code("tonic-prost-build", v, COMPILE_PROTOS)
for (v, *_) in ETCD:
    code("etcd-client", v, "/// An etcd client error.\n#[derive(Debug)]\npub enum Error {\n"
         "    /// A gRPC call failed.\n    GRpcStatus(tonic::Status),\n}\n")


def toml_str(s):
    return json.dumps(s)


def manifest(name, version, spec):
    lines = [
        "# Stub of the published crate: real name, version and requirements, no code.",
        "[package]",
        f"name = {toml_str(name)}",
        f"version = {toml_str(version)}",
        'edition = "2018"',
    ]
    if spec["rust_version"]:
        lines.append(f"rust-version = {toml_str(spec['rust_version'])}")
    lines += ['description = "test stub"', 'license = "MIT"', "", "[lib]", 'path = "src/lib.rs"']
    by_table = {}
    for (dname, req, kind, extra) in spec["deps"]:
        parts = [f"version = {toml_str(req)}"]
        if extra.get("optional"):
            parts.append("optional = true")
        by_table.setdefault((extra.get("target") or "", kind), []).append(
            f"{dname} = {{ {', '.join(parts)} }}")
    # The package's own tables, then each target's, as cargo vendor writes them.
    for (target, kind) in sorted(by_table, key=lambda t: (t[0], t[1] != "normal")):
        header = {"normal": "dependencies", "build": "build-dependencies"}[kind]
        if target:
            header = f"target.{toml_str(target)}.{header}"
        lines += ["", f"[{header}]"] + sorted(by_table[(target, kind)])
    if spec["features"]:
        lines += ["", "[features]"]
        for f, vals in sorted(spec["features"].items()):
            lines.append(f"{f} = [{', '.join(toml_str(x) for x in vals)}]")
    return "\n".join(lines) + "\n"


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    count = 0
    for name, versions in sorted(CRATES.items()):
        for version, spec in sorted(versions.items()):
            root = os.path.join(OUT, f"{name}-{version}")
            os.makedirs(os.path.join(root, "src"))
            with open(os.path.join(root, "Cargo.toml"), "w") as f:
                f.write(manifest(name, version, spec))
            with open(os.path.join(root, "src", "lib.rs"), "w") as f:
                f.write(SOURCES.get((name, version), ""))
            with open(os.path.join(root, ".cargo-checksum.json"), "w") as f:
                f.write('{"files":{}}')
            count += 1
    print(f"wrote {count} stub crates to {OUT}")


if __name__ == "__main__":
    main()
