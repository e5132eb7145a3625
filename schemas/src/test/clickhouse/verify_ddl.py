#!/usr/bin/env python3
"""Checks schemas/clickhouse/*.sql against a running ClickHouse server through clickhouse-client.

For each file, in NNN order: render the placeholders (legacy or modern dialect), run the CREATE, insert one fully
populated row with INSERT ... FORMAT JSONEachRow, read it back and compare every column, check the MATERIALIZED
time column, then insert the row again (a replayed twin) plus, for versioned tables, a higher-version row with
changed values, OPTIMIZE ... FINAL and check that exactly one row is left and that it is the right one.

    python3 verify_ddl.py --port 19000 --db tapflow_verify            # legacy rendering (ClickHouse 18.16)
    python3 verify_ddl.py --render-only --dialect modern > /tmp/m.sql  # print the modern rendering

It drops and recreates --db. Never point it at a database that holds data.
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DDL_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "..", "clickhouse"))


def render(sql, dialect, db):
    sql = sql.replace("{{db}}", db)
    if dialect == "legacy":
        sql = re.sub(r"\{\{LC:([^}]*)\}\}", r"\1", sql)
        sql = re.sub(r" ?\{\{CODEC:[^}]*\}\}", "", sql)
        sql = re.sub(r"\{\{TTL:[^}]*\}\}", "", sql)
    else:
        sql = re.sub(r"\{\{LC:([^}]*)\}\}", r"LowCardinality(\1)", sql)
        sql = re.sub(r" ?\{\{CODEC:([^}]*)\}\}", r" CODEC(\1)", sql)
        sql = re.sub(r"\{\{TTL:([^}]*)\}\}", r"TTL \1", sql)
    if "{{" in sql:
        raise SystemExit("unrendered placeholder left: " + sql[sql.index("{{"):][:60])
    return sql


def client(args, query, data=None):
    cmd = ["clickhouse-client", "--host", args.host, "--port", str(args.port), "-q", query]
    res = subprocess.run(cmd, input=data, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError("query failed: %s\n%s" % (query[:300], res.stderr.strip()))
    return res.stdout


def columns(sql):
    """(name, type, materialized) for each column of the single CREATE TABLE in sql."""
    body = sql[sql.index("(", sql.index("CREATE TABLE")) + 1: sql.index("\nENGINE")]
    body = body.rstrip().rstrip(")")
    cols = []
    for line in body.splitlines():
        line = line.split("--")[0].strip().rstrip(",")
        if not line:
            continue
        name, rest = line.split(None, 1)
        materialized = " MATERIALIZED " in " " + rest + " "
        typ = rest.split(" MATERIALIZED ")[0].split(" CODEC(")[0].strip()
        cols.append((name, typ, materialized))
    return cols


def sample(name, typ, i):
    t = typ
    for wrapper in ("LowCardinality(", "Nullable("):
        if t.startswith(wrapper):
            t = t[len(wrapper):-1]
    if t.startswith("Array("):
        inner = t[len("Array("):-1]
        return [sample(name, inner, i), sample(name, inner, i + 1)]
    if t == "String":
        return "%s-%d \"q\" \u00e9" % (name, i)
    if t == "UInt8":
        return 1
    if t == "UInt16":
        return 40000 + i
    if t == "UInt32":
        return 3000000000 + i
    if t == "UInt64":
        if name.endswith("_us"):
            return 1735689600123456 + i          # 2025-01-01T00:00:00.123456Z + i us
        if name.endswith("_ms"):
            return 1735689600000 + i * 0          # aligned: window/hour starts
        return (1 << 40) + i
    if t == "Int32":
        return -100 - i
    if t == "Int64":
        return -(1 << 62) - i                     # signed Avro long bit patterns must survive
    if t == "Float64":
        return i + 0.5
    raise SystemExit("no sample value for type %s (%s)" % (typ, name))


def normalise(typ, v):
    t = typ.replace("LowCardinality(", "").replace("Nullable(", "")
    if isinstance(v, list):
        return [normalise(t[len("Array("):], x) for x in v]
    if v is None:
        return None
    if "Float" in t:
        return float(v)
    if "Int" in t:
        return int(v)
    return v


VERSION_RE = re.compile(r"ReplacingMergeTree\((\w*)\)")
# the contract: which column decides between rows of the same key ('' = none, rows are immutable twins)
EXPECTED_VERSION = {
    "l7_request_log": "", "l4_flow_log": "sequence", "app_metrics_1s": "", "app_metrics_1m": "", "app_map_1m": "",
    "net_metrics_1m": "", "spans": "trace_update_seq", "traces": "update_seq", "service_map_1m": "",
    "llm_requests": "complete", "llm_metrics_1m": "", "llm_usage_hourly": "version", "dead_letters": "",
}


def check_table(args, path):
    raw = open(path, encoding="utf-8").read()
    assert raw.count("CREATE TABLE") == 1, path + ": exactly one CREATE TABLE"
    m = re.search(r"CREATE TABLE IF NOT EXISTS \{\{db\}\}\.(\w+)", raw)
    assert m, path + ": CREATE TABLE IF NOT EXISTS {{db}}.<table>"
    table = m.group(1)
    assert os.path.basename(path)[4:-4] == table, path + ": file name must be NNN_<table>.sql"
    sql = render(raw, args.dialect, args.db)
    client(args, sql.strip().rstrip(";"))
    client(args, sql.strip())  # IF NOT EXISTS: applying twice is harmless
    cols = columns(sql)
    plain = [(n, t) for n, t, mat in cols if not mat]
    row = {n: sample(n, t, k) for k, (n, t) in enumerate(plain)}
    fq = "%s.%s" % (args.db, table)
    client(args, "INSERT INTO %s FORMAT JSONEachRow" % fq, json.dumps(row, ensure_ascii=False) + "\n")
    names = ", ".join(n for n, _ in plain)
    out = client(args, "SELECT %s FROM %s FORMAT JSONEachRow" % (names, fq)).splitlines()
    assert len(out) == 1, "%s: expected 1 row, got %d" % (table, len(out))
    got = json.loads(out[0])
    for n, t in plain:
        assert normalise(t, got[n]) == normalise(t, row[n]), "%s.%s: wrote %r, read %r" % (table, n, row[n], got[n])
    for n, t, mat in cols:
        if mat:
            src = re.search(r"intDiv\((\w+), (\d+)\)", sql[sql.index("    " + n + " "):]).groups()
            expect = int(row[src[0]]) // int(src[1])
            got_ts = int(client(args, "SELECT toUInt64(%s) FROM %s" % (n, fq)).strip())
            assert got_ts == expect, "%s.%s = %d, expected %d" % (table, n, got_ts, expect)

    # idempotency: a replayed twin collapses; a higher version replaces
    engine = VERSION_RE.search(sql)
    assert engine, table + ": ReplacingMergeTree expected"
    version_col = engine.group(1)
    assert version_col == EXPECTED_VERSION[table], "%s: version column %r, contract says %r" % (
        table, version_col, EXPECTED_VERSION[table])
    client(args, "INSERT INTO %s FORMAT JSONEachRow" % fq, json.dumps(row, ensure_ascii=False) + "\n")
    changed = None
    if version_col:
        newer = dict(row)
        vt = dict(plain)[version_col]
        newer[version_col] = 1 if vt == "UInt8" else row[version_col] + 1
        if vt == "UInt8":  # version is a flag: an older row with 0 must lose against the 1s
            older = dict(row)
            older[version_col] = 0
            client(args, "INSERT INTO %s FORMAT JSONEachRow" % fq, json.dumps(older, ensure_ascii=False) + "\n")
        derived = set(re.findall(r"MATERIALIZED \w+\(intDiv\((\w+),", sql))
        changed = next(n for n, t in plain if t in ("UInt64", "Nullable(UInt64)") and n != version_col
                       and n not in key_columns(sql) and n not in derived)
        newer[changed] = row[changed] + 1000
        client(args, "INSERT INTO %s FORMAT JSONEachRow" % fq, json.dumps(newer, ensure_ascii=False) + "\n")
    final = client(args, "SELECT %s FROM %s FINAL FORMAT JSONEachRow" % (names, fq)).splitlines()
    assert len(final) == 1, "%s: FINAL returned %d rows" % (table, len(final))
    client(args, "OPTIMIZE TABLE %s FINAL" % fq)
    merged = client(args, "SELECT %s FROM %s FORMAT JSONEachRow" % (names, fq)).splitlines()
    assert len(merged) == 1, "%s: %d rows after OPTIMIZE FINAL" % (table, len(merged))
    if changed:
        val = normalise(dict(plain)[changed], json.loads(merged[0])[changed])
        assert val == row[changed] + 1000, "%s: higher %s did not win (%s = %s)" % (table, version_col, changed, val)
    print("ok  %-18s %2d columns, version column: %s%s" % (
        table, len(cols), version_col or "(none)", ", changed %s won" % changed if changed else ""))


def key_columns(sql):
    m = re.search(r"ORDER BY \(([^)]*)\)", sql)
    return [c.strip() for c in m.group(1).split(",")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=9000)
    ap.add_argument("--db", default="tapflow_verify")
    ap.add_argument("--dialect", choices=["legacy", "modern"], default="legacy")
    ap.add_argument("--render-only", action="store_true")
    args = ap.parse_args()
    files = sorted(glob.glob(os.path.join(DDL_DIR, "[0-9][0-9][0-9]_*.sql")))
    if not files:
        raise SystemExit("no DDL in " + DDL_DIR)
    if args.render_only:
        for f in files:
            print("-- ===== " + os.path.basename(f))
            print(render(open(f, encoding="utf-8").read(), args.dialect, "tapflow"))
        return
    client(args, "DROP DATABASE IF EXISTS " + args.db)
    client(args, "CREATE DATABASE " + args.db)
    for f in files:
        check_table(args, f)
    print("all %d tables ok (%s dialect)" % (len(files), args.dialect))


if __name__ == "__main__":
    main()
