#!/usr/bin/python3
"""Turns bench/run's raw measurements into bench/RESULTS.md and the charts.

  report.py OUT_DIR BENCH_DIR

OUT_DIR holds raw.txt (one measurement a line: a kind, positional words,
then key=value fields) and meta.txt; BENCH_DIR receives RESULTS.md and the
PNG charts (drawn by gnuplot from .dat files written to OUT_DIR). Every
table shows the median over the repetitions; the raw lines follow at the end.
The hand-written analysis in BENCH_DIR/analysis.md is included as it is.

A run of some sections only (BENCH_ONLY) keeps the other sections' numbers:
the raw lines of kinds this run did not measure are taken over from the
raw measurements of the RESULTS.md it replaces, and the header says from
which run they come.
"""
import os
import statistics
import subprocess
import sys

OPS = [("put", "PutItem"), ("get", "GetItem"), ("query", "Query (20, reverse)"),
       ("gsi", "GSI Query (20)"), ("pqget", "PartiQL SELECT by key")]
MODES = [("memory", "in-memory"), ("durable", "durable")]


def parse(path):
    rows = []
    with open(path) as f:
        for line in f:
            words = line.split()
            if not words:
                continue
            pos, kv = [], {}
            for w in words[1:]:
                if "=" in w:
                    k, v = w.split("=", 1)
                    try:
                        kv[k] = float(v)
                    except ValueError:
                        kv[k] = v
                else:
                    pos.append(w)
            rows.append((words[0], pos, kv))
    return rows


def med(rows, kind, pos, field):
    vals = [kv[field] for k, p, kv in rows if k == kind and p == pos and field in kv]
    return statistics.median(vals) if vals else None


def total(rows, kind, pos, field):
    return sum(kv.get(field, 0) for k, p, kv in rows if k == kind and p == pos)


def fmt(v, unit=""):
    if v is None:
        return "-"
    if v >= 100:
        return "%d%s" % (round(v), unit)
    if v >= 10:
        return "%.1f%s" % (v, unit)
    return "%.2f%s" % (v, unit)


def ms(us):
    return None if us is None else us / 1000.0


def ratio(a, b):
    return None if a is None or not b else a / b


def rfmt(r):
    return "-" if r is None else ("%.1fx" % r if r >= 1 else "%.2fx" % r)


def meta(out):
    m = {}
    with open(os.path.join(out, "meta.txt")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition(" ")
            m[k] = v
    return m


class Report:
    def __init__(self, rows, out, bench):
        self.rows, self.out, self.bench = rows, out, bench
        # The DynamoDB Local release compared with, named in every table that
        # shows it: bench/run records the one it started (tests/lib/
        # ddblocal.sh's self.peer_RELEASE) as the raw line "peer ddblocal
        # release=R", kept with the other raw lines of its section.
        releases = sorted({str(kv["release"]) for k, p, kv in rows
                           if k == "peer" and p == ["ddblocal"] and "release" in kv})
        self.peer = "DynamoDB Local " + (" / ".join(releases) or "(release not recorded)")
        self.servers = [("cruddur", "cruddur dynamodb"), ("ddblocal", self.peer),
                        ("dynalite", "dynalite")]
        self.lines = []
        self.targets = []
        self.charts = []

    def w(self, s=""):
        self.lines.append(s)

    def target(self, name, measured, met):
        self.targets.append((name, measured, "yes" if met else ("no" if met is not None else "-")))

    def ddb(self):
        r = self.rows
        if not any(k == "ddb" for k, _, _ in r):
            return
        self.w("## DynamoDB protocol: cruddur dynamodb vs %s vs dynalite" % self.peer)
        self.w()
        self.w("wrk (bench/ddb.lua) against each server in turn. The three servers of a mode run "
               "side by side, each with a table of 64 partitions of 40 items and one GSI "
               "(bench/benchtool.py prep); GetItem and both Queries read those, PutItem writes new "
               "keys. Every server first gets the same unrecorded warm-up (each operation at "
               "concurrency 64; the JVM needs it), then each repetition measures every operation "
               "on the three in turn (the order rotates), waiting after each run until the server "
               "is idle again so that no one pays for another's queued requests. ops/s, then p50 / "
               "p99 latency in ms; medians of the repetitions; `err` counts non-2xx answers and "
               "socket errors over all repetitions.")
        self.w()
        for mode, mode_name in MODES:
            self.w("### %s" % mode_name)
            self.w()
            self.w("| operation | conc. | cruddur | %s | dynalite | vs %s | vs dynalite |"
                   % (self.peer, self.peer))
            self.w("|---|---:|---:|---:|---:|---:|---:|")
            dat = []
            for op, op_name in OPS:
                for conc in ("1", "64"):
                    cells, rps = [], {}
                    for s, _ in self.servers:
                        vals = [kv for k, p, kv in r if k == "ddb" and p == [mode, s, op]
                                and kv.get("c") == float(conc)]
                        if not vals:
                            cells.append("-")
                            continue
                        v = statistics.median(x["rps"] for x in vals)
                        p50 = statistics.median(x["p50_us"] for x in vals)
                        p99 = statistics.median(x["p99_us"] for x in vals)
                        err = sum(x.get("errors", 0) for x in vals)
                        rps[s] = v
                        cells.append("%s (%s / %s)%s" % (fmt(v), fmt(ms(p50)), fmt(ms(p99)),
                                                         " err %d" % err if err else ""))
                    self.w("| %s | %s | %s | %s | %s |" % (
                        op_name, conc, " | ".join(cells),
                        rfmt(ratio(rps.get("cruddur"), rps.get("ddblocal"))),
                        rfmt(ratio(rps.get("cruddur"), rps.get("dynalite")))))
                    if conc == "64" and op != "pqget":  # (dynalite has no PartiQL)
                        dat.append((op_name, [rps.get(s, 0) for s, _ in self.servers]))
                        if op in ("put", "query"):
                            rt = ratio(rps.get("cruddur"), rps.get("ddblocal"))
                            self.target("%s %s at concurrency 64 >= 30x %s" % (
                                op_name, mode_name, self.peer), rfmt(rt),
                                None if rt is None else rt >= 30)
            self.w()
            pq = self.partiql_ratio(mode)
            if pq is not None:
                self.w("PartiQL SELECT by key against GetItem on cruddur at concurrency 64: "
                       "%.2fx its ops/s (the median over the repetitions of the two measured "
                       "one after the other)." % pq)
                self.w()
                self.target("PartiQL SELECT by key >= 0.9x GetItem's ops/s (%s, concurrency 64)"
                            % mode_name, "%.2fx" % pq, pq >= 0.9)
            self.bar_chart("ddb-%s" % mode, "DynamoDB protocol, %s, concurrency 64" % mode_name,
                           "operations per second (log scale)", [n for _, n in self.servers], dat,
                           log=True)
        self.w("### Start-up and memory")
        self.w()
        self.w("Start-up: from spawning the process to the first answered request (a ListTables "
               "POST polled every 0.5 ms by bench/benchtool.py), fresh process and data each time, "
               "servers alternating. Peak RSS: VmHWM of the server process at the end of its "
               "mode's whole load run.")
        self.w()
        self.w("| mode | server | start-up ms | peak RSS MiB | RSS vs %s |" % self.peer)
        self.w("|---|---|---:|---:|---:|")
        dat = []
        for mode, mode_name in MODES:
            local_rss = med(r, "rss", [mode, "ddblocal"], "kb")
            for s, s_name in self.servers:
                st = med(r, "startup", [mode, s], "ms")
                rss = med(r, "rss", [mode, s], "kb")
                if st is None:
                    continue
                self.w("| %s | %s | %s | %s | %s |" % (mode_name, s_name, fmt(st),
                                                       fmt(rss / 1024 if rss else None),
                                                       "-" if not local_rss else "%.1f%%" % (
                                                           100.0 * rss / local_rss)))
                if s == "cruddur":
                    self.target("start-up < 50 ms (%s)" % mode_name, fmt(st, " ms"), st < 50)
                    if local_rss:
                        pc = 100.0 * rss / local_rss
                        self.target("RSS < 5%% of %s's (%s)" % (self.peer, mode_name),
                                    "%.1f%%" % pc, pc < 5)
            dat.append(("%s start-up ms" % mode_name,
                        [med(r, "startup", [mode, s], "ms") or 0 for s, _ in self.servers]))
            dat.append(("%s peak RSS MiB" % mode_name,
                        [(med(r, "rss", [mode, s], "kb") or 0) / 1024 for s, _ in self.servers]))
        self.w()
        self.bar_chart("startup-rss", "Start-up time and peak memory", "ms / MiB (log scale)",
                       [n for _, n in self.servers], dat, log=True)

    def partiql_ratio(self, mode):
        """cruddur's pqget ops/s over its get ops/s at concurrency 64, per
        repetition (measured minutes apart at most), then the median."""
        def by_rep(op):
            return {kv["rep"]: kv["rps"] for k, p, kv in self.rows
                    if k == "ddb" and p == [mode, "cruddur", op] and kv.get("c") == 64.0}
        get, pq = by_rep("get"), by_rep("pqget")
        ratios = [pq[rep] / get[rep] for rep in pq if get.get(rep)]
        return statistics.median(ratios) if ratios else None

    def api(self):
        r = self.rows
        if not any(k == "api" for k, _, _ in r):
            return
        self.w("## The API vs the HTTP ceiling")
        self.w()
        self.w("`cruddur serve --quiet` with a real dev token (andrewbrown), wrk at concurrency 64, "
               "against bench_ceiling: libmicrohttpd with the server's daemon settings answering "
               "a fixed small JSON (the most this machine's HTTP stack gives). The ceiling runs "
               "in the same repetition, just before. Users in SQLite (the data folder) or in "
               "PostgreSQL 15 (CONNECTION_URL). ops/s (p50 / p99 ms).")
        self.w()
        self.w("| users | route | ops/s (p50 / p99 ms) | share of the ceiling |")
        self.w("|---|---|---:|---:|")
        names = [("ceiling", "ceiling (bench_ceiling)"), ("groups", "GET /api/message_groups"),
                 ("messages", "GET /api/messages/<uuid>"), ("post", "POST /api/messages")]
        dat = []
        for users in ("sqlite", "postgres"):
            ceil = med(r, "api", [users, "ceiling"], "rps")
            row = []
            for route, name in names:
                v = med(r, "api", [users, route], "rps")
                if v is None:
                    row.append(0)
                    continue
                err = total(r, "api", [users, route], "errors")
                self.w("| %s | %s | %s (%s / %s)%s | %s |" % (
                    users, name, fmt(v), fmt(ms(med(r, "api", [users, route], "p50_us"))),
                    fmt(ms(med(r, "api", [users, route], "p99_us"))),
                    " err %d" % err if err else "", "%.0f%%" % (100 * v / ceil) if ceil else "-"))
                row.append(v)
                if route in ("groups", "messages") and ceil:
                    self.target("%s >= 40%% of the HTTP ceiling (users in %s)" % (name, users),
                                "%.0f%%" % (100 * v / ceil), v / ceil >= 0.4)
            dat.append((users, row))
        self.w()
        self.bar_chart("api", "API at concurrency 64 vs the HTTP ceiling", "requests per second",
                       [n for _, n in names], dat, log=False)
        if any(k == "fanout" for k, _, _ in r):
            p50 = med(r, "fanout", [], "p50_us")
            p99 = med(r, "fanout", [], "p99_us")
            n = total(r, "fanout", [], "n")
            self.w("### Fanout lag")
            self.w()
            self.w("POST /api/messages acknowledged -> the other member's GET /api/message_groups "
                   "shows the message (polled back to back; the in-process stream consumer does "
                   "the fanout). %d probes in all, users in SQLite; medians of the repetitions' "
                   "percentiles." % n)
            self.w()
            self.w("| p50 ms | p99 ms |")
            self.w("|---:|---:|")
            self.w("| %s | %s |" % (fmt(ms(p50)), fmt(ms(p99))))
            self.w()

    def push(self):
        r = self.rows
        if not any(k == "push" for k, _, _ in r):
            return
        self.w("## Server push (GET /api/events)")
        self.w()
        p50, p99 = med(r, "push", ["latency"], "p50_us"), med(r, "push", ["latency"], "p99_us")
        n = total(r, "push", ["latency"], "n")
        self.w("Delivery latency: POST /api/messages acknowledged -> the other member's event "
               "stream carries the message (bench/benchtool.py push: a reader thread stamps "
               "each event as it arrives; embedded store, users in SQLite). %d probes in all; "
               "medians of the repetitions' percentiles." % n)
        self.w()
        self.w("| p50 ms | p99 ms | max ms |")
        self.w("|---:|---:|---:|")
        self.w("| %s | %s | %s |" % (fmt(ms(p50)), fmt(ms(p99)),
                                     fmt(ms(med(r, "push", ["latency"], "max_us")))))
        self.w()
        if p99 is not None:
            self.target("push delivery p99 < 50 ms (embedded store)", "%s ms" % fmt(ms(p99)),
                        p99 < 50000)
        streams = [kv for k, p, kv in r if k == "push" and p == ["streams"]]
        if streams:
            nstr = int(streams[0].get("n", 0))
            per = med(r, "push", ["streams"], "per_stream_kb")
            before = med(r, "push", ["streams"], "rss_before_kb")
            after = med(r, "push", ["streams"], "rss_after_kb")
            def groups_rps(held):
                vals = [kv["rps"] for k, p, kv in r if k == "push" and p == ["groups"]
                        and kv.get("streams") == held and "rps" in kv]
                return statistics.median(vals) if vals else None
            idle, busy = groups_rps(0), groups_rps(nstr)
            alive = min(kv.get("alive", 0) for kv in streams)
            self.w("Idle streams: %d event streams opened on one `cruddur serve` "
                   "(bench/benchtool.py streams, each waited on until ready), the server's "
                   "RSS before and after, then GET /api/message_groups at concurrency 64 (wrk) "
                   "while they stay open, against the same just before they were opened. "
                   "Medians of the repetitions." % nstr)
            self.w()
            self.w("| streams | open in s | RSS before MiB | RSS after MiB | KiB per stream | "
                   "still open after the load | GET /api/message_groups ops/s without / with "
                   "them |")
            self.w("|---:|---:|---:|---:|---:|---:|---:|")
            self.w("| %d | %s | %s | %s | %s | %d | %s / %s (%s) |" % (
                nstr, fmt(med(r, "push", ["streams"], "open_s")), fmt((before or 0) / 1024),
                fmt((after or 0) / 1024), fmt(per), alive, fmt(idle), fmt(busy),
                "%+.0f%%" % (100 * (busy - idle) / idle) if idle and busy else "-"))
            self.w()
            if per is not None:
                self.target("%d idle streams: RSS per stream" % nstr, "%s KiB" % fmt(per), None)

    def scale(self):
        r = self.rows
        sizes = sorted({int(p[0]) for k, p, _ in r if k == "scale"})
        if not sizes:
            return
        self.w("## Scale: the list routes with more stored messages")
        self.w()
        self.w("Data folders loaded by bench/bench_load (straight through the engine): 10^4 users, "
               "andrewbrown's 25 conversations of 30 messages each (what is read, the same at "
               "every size) and up to 10^4 background conversations holding the other messages. "
               "`cruddur serve --no-fanout` (nothing to fan out; the loader wrote the group items). "
               "Latency at concurrency 1 (p50 / p99 ms) and ops/s at concurrency 64.")
        self.w()
        head = " | ".join("%s messages" % f"{n:,}" for n in sizes)
        self.w("| route | %s | p50 change |" % head)
        self.w("|---|%s---:|" % ("---:|" * len(sizes)))
        dat = []
        for route, name in (("groups", "GET /api/message_groups"),
                            ("messages", "GET /api/messages/<uuid>")):
            cells, p50s = [], []
            for n in sizes:
                vals = [kv for k, p, kv in r if k == "scale" and p == [str(n), route]]
                c1 = [x for x in vals if x.get("c") == 1.0]
                c64 = [x for x in vals if x.get("c") == 64.0]
                p50 = statistics.median(x["p50_us"] for x in c1) if c1 else None
                p99 = statistics.median(x["p99_us"] for x in c1) if c1 else None
                rps = statistics.median(x["rps"] for x in c64) if c64 else None
                p50s.append(p50)
                cells.append("%s / %s ms, %s ops/s" % (fmt(ms(p50)), fmt(ms(p99)), fmt(rps)))
            change = None
            if len(p50s) > 1 and p50s[0] and p50s[-1]:
                change = p50s[-1] / p50s[0] - 1
                self.target("%s flat from %s to %s messages (p50 within 20%%)" % (
                    name, f"{sizes[0]:,}", f"{sizes[-1]:,}"), "%+.0f%%" % (100 * change),
                    abs(change) <= 0.2)
            dat.append((name, [ms(x) or 0 for x in p50s]))
            self.w("| %s | %s | %s |" % (name, " | ".join(cells),
                                         "-" if change is None else "%+.0f%%" % (100 * change)))
        self.w()
        self.bar_chart("scale", "List routes by stored messages: p50 latency at concurrency 1",
                       "latency ms", ["%s messages" % f"{n:,}" for n in sizes], dat, log=False)

    def engine(self):
        r = [(p, kv) for k, p, kv in self.rows if k == "engine"]
        if not r:
            return
        self.w("## Embedded engine (bench/bench_engine.c, in-process, no HTTP)")
        self.w()
        self.w("| mode | phase | threads | ops/s | errors |")
        self.w("|---|---|---:|---:|---:|")
        for p, kv in r:
            self.w("| %s | %s | %d | %s | %d |" % (p[0], p[1], kv["threads"], fmt(kv["ops/s"]),
                                                  kv["errors"]))
        self.w()

    def bar_chart(self, name, title, ylabel, series, rows, log):
        """A clustered bar chart: one cluster per row, one bar per series."""
        if not rows:
            return
        dat = os.path.join(self.out, name + ".dat")
        with open(dat, "w") as f:
            f.write("label " + " ".join('"%s"' % s for s in series) + "\n")
            for label, vals in rows:
                f.write('"%s" %s\n' % (label, " ".join("%g" % (v if v else (1e-9 if log else 0))
                                                        for v in vals)))
        png = os.path.join(self.bench, name + ".png")
        plot = ", ".join("'%s' using %d:xtic(1) title columnheader(%d)" % (dat, i + 2, i + 2)
                         for i in range(len(series)))
        script = "\n".join([
            "set terminal pngcairo size 900,420 font 'sans,10' noenhanced",
            "set output '%s.tmp'" % png,
            "set title '%s'" % title,
            "set ylabel '%s'" % ylabel,
            "set style data histograms",
            "set style histogram clustered gap 1",
            "set style fill solid 0.85 border -1",
            "set boxwidth 0.9",
            "set key top right",
            "set grid ytics",
            "set yrange [%s:*]" % ("1" if log else "0"),
            "set logscale y" if log else "unset logscale y",
            "set xtics nomirror",
            "set xrange [-0.6:%g]" % (len(rows) - 0.4),
            "plot " + plot,
        ])
        res = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
        if res.returncode != 0:
            print("report: gnuplot failed for %s: %s" % (name, res.stderr), file=sys.stderr)
            return
        os.replace(png + ".tmp", png)
        self.charts.append((name, title))

    def write(self, m, raw_text):
        body = self.lines
        self.lines = []
        self.w("# Benchmark results")
        self.w()
        self.w("Written by `make bench` (bench/run, then bench/report.py); do not edit by hand: "
               "bench/analysis.md holds the notes.")
        self.w()
        self.w("- date: %s (run took %s s)" % (m.get("date", "?"), m.get("duration_s", "?")))
        self.w("- machine: %s" % m.get("machine", "?"))
        self.w("- cpu: %s" % m.get("cpu", "?"))
        self.w("- commit: %s" % m.get("commit", "?"))
        self.w("- settings: %s" % m.get("settings", "?"))
        self.w("- load generator: wrk 2 threads (1 at concurrency 1), on the same machine as the "
               "servers; commands in bench/run")
        if m.get("kept"):
            self.w("- this run measured only some sections (BENCH_ONLY); the others keep the "
                   "numbers of the run of %s" % m["kept"])
        self.w()
        if self.targets:
            self.w("## Targets")
            self.w()
            self.w("| target | measured | met |")
            self.w("|---|---:|:---:|")
            for t in self.targets:
                self.w("| %s | %s | %s |" % t)
            self.w()
        for name, title in self.charts:
            self.w("![%s](%s.png)" % (title, name))
            self.w()
        self.lines += body
        notes = os.path.join(self.bench, "analysis.md")
        if os.path.exists(notes):
            with open(notes) as f:
                self.lines += [line.rstrip("\n") for line in f]
            self.w()
        self.w("## Raw measurements")
        self.w()
        self.w("One line per measurement (rps = ops/s, latencies in microseconds).")
        self.w()
        self.w("```")
        self.lines += raw_text.rstrip("\n").split("\n")
        self.w("```")
        with open(os.path.join(self.bench, "RESULTS.md"), "w") as f:
            f.write("\n".join(self.lines) + "\n")


def previous_run(bench, kinds):
    """The raw lines of the current RESULTS.md whose kind is not in `kinds`,
    and the date and commit of the run that measured them."""
    path = os.path.join(bench, "RESULTS.md")
    if not os.path.exists(path):
        return [], None
    with open(path) as f:
        text = f.read()
    date = commit = "?"
    for line in text.split("\n"):
        if line.startswith("- date: "):
            date = line[len("- date: "):].split(" (")[0]
        elif line.startswith("- commit: "):
            commit = line[len("- commit: "):]
    raw = text.split("## Raw measurements", 1)
    if len(raw) < 2 or "```" not in raw[1]:
        return [], None
    block = raw[1].split("```")[1]
    kept = [line for line in block.split("\n") if line.split() and line.split()[0] not in kinds]
    return kept, "%s, commit %s" % (date, commit)


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    out, bench = argv[1], argv[2]
    rows = parse(os.path.join(out, "raw.txt"))
    kept, source = previous_run(bench, {k for k, _, _ in rows})
    if kept:
        with open(os.path.join(out, "raw.txt"), "a") as f:
            f.write("\n".join(kept) + "\n")
        with open(os.path.join(out, "meta.txt"), "a") as f:
            f.write("kept %s\n" % source)
        rows = parse(os.path.join(out, "raw.txt"))
    rep = Report(rows, out, bench)
    rep.ddb()
    rep.api()
    rep.push()
    rep.scale()
    rep.engine()
    with open(os.path.join(out, "raw.txt")) as f:
        raw_text = f.read()
    rep.write(meta(out), raw_text)


if __name__ == "__main__":
    main(sys.argv)
