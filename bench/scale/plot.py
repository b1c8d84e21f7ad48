#!/usr/bin/env python3
"""Draws the scale curves from the result lines of bench/scale/streams.sh and bench/scale/instances.sh.

Reads docs/scale/streams.dat and docs/scale/instances.dat (lines of `scale key=value ...` from bench/FanOut) and
writes SVG line charts into docs/scale/. Python 3 standard library only.
    python3 bench/scale/plot.py [DATA_DIR]
"""
import math
import os
import sys
from xml.sax.saxutils import escape

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
W, H = 560, 340
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 40, 50


def read(path):
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if not parts or parts[0] != "scale":
                continue
            row = {}
            for part in parts[1:]:
                key, _, value = part.partition("=")
                try:
                    row[key] = float(value)
                except ValueError:
                    row[key] = value
            rows.append(row)
    return rows


def nice_max(value):
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        top = step * 10 ** exponent
        if top >= value:
            return top
    return 10 ** (exponent + 1)


def fmt(value):
    if value >= 1000:
        return f"{value:,.0f}"
    if value == int(value):
        return f"{int(value)}"
    return f"{value:g}"


def chart(path, title, x_label, y_label, series, goal=None, goal_label=""):
    """series: [(name, [(x, y), ...])]; x values are placed evenly spaced by their order (categories)."""
    xs = sorted({x for _, points in series for x, _ in points})
    if not xs:
        return
    ys = [y for _, points in series for _, y in points] + ([goal] if goal is not None else [])
    y_max = nice_max(max(ys) * 1.1)
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM

    def px(x):
        i = xs.index(x)
        return LEFT + (plot_w * (i + 0.5) / len(xs))

    def py(y):
        return TOP + plot_h * (1 - y / y_max)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">{escape(title)}</text>']
    for i in range(6):
        y = y_max * i / 5
        out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{py(y):.1f}" y2="{py(y):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{py(y) + 4:.1f}" text-anchor="end">{fmt(y)}</text>')
    for x in xs:
        out.append(f'<text x="{px(x):.1f}" y="{H - BOTTOM + 18}" text-anchor="middle">{fmt(x)}</text>')
    out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="#333"/>')
    out.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#333"/>')
    out.append(f'<text x="{LEFT + plot_w / 2}" y="{H - 10}" text-anchor="middle">{escape(x_label)}</text>')
    out.append(f'<text transform="translate(16,{TOP + plot_h / 2}) rotate(-90)" text-anchor="middle">{escape(y_label)}</text>')
    if goal is not None:
        out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{py(goal):.1f}" y2="{py(goal):.1f}" stroke="#e67e22" stroke-dasharray="6,4"/>')
        out.append(f'<text x="{W - RIGHT - 4}" y="{py(goal) - 5:.1f}" text-anchor="end" fill="#e67e22">{escape(goal_label)}</text>')
    for n, (name, points) in enumerate(series):
        color = COLORS[n % len(COLORS)]
        points = sorted(points)
        path_d = " ".join(f"{'M' if i == 0 else 'L'}{px(x):.1f},{py(y):.1f}" for i, (x, y) in enumerate(points))
        out.append(f'<path d="{path_d}" fill="none" stroke="{color}" stroke-width="2"/>')
        for x, y in points:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3.5" fill="{color}"/>')
            out.append(f'<text x="{px(x) + 6:.1f}" y="{py(y) - 6:.1f}" fill="{color}">{fmt(round(y, 1))}</text>')
        out.append(f'<rect x="{LEFT + 10}" y="{TOP + 6 + 16 * n}" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="{LEFT + 26}" y="{TOP + 15 + 16 * n}">{escape(name)}</text>')
    out.append("</svg>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    print(f"wrote {path}")


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else "docs/scale"
    streams = read(os.path.join(data, "streams.dat"))
    # The same runs with the thread pool's spin-waiting off (streams.sh with HOST_ENV=DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0).
    nospin = read(os.path.join(data, "streams-nospin.dat"))
    nospin_of = lambda key, name: [(name, [(r["streams"], r[key]) for r in nospin])] if nospin else []
    # The same runs with workstation garbage collection (streams.sh with HOST_ENV=DOTNET_gcServer=0).
    workstation = read(os.path.join(data, "streams-workstation.dat"))
    workstation_of = lambda key, name: [(name, [(r["streams"], r[key]) for r in workstation])] if workstation else []
    if streams:
        by_n = lambda key: [(r["streams"], r[key]) for r in streams]
        chart(os.path.join(data, "streams-memory.svg"), "Host resident memory per open GET stream", "open streams (one instance)",
              "KB per stream", [("RSS growth / streams", by_n("kb_per_stream"))]
              + ([("managed heap after GC / streams", by_n("heap_kb_per_stream"))] if all("heap_kb_per_stream" in r for r in streams) else [])
              + workstation_of("kb_per_stream", "RSS growth / streams, workstation GC"),
              goal=20, goal_label="goal 20 KB")
        chart(os.path.join(data, "streams-latency.svg"), "Delivery latency of a broadcast (1/s)", "open streams (one instance)",
              "ms", [("p50", by_n("p50_ms")), ("p99", by_n("p99_ms"))] + nospin_of("p99_ms", "p99, no spin-wait"), goal=50, goal_label="goal p99 50 ms")
        chart(os.path.join(data, "streams-idle-cpu.svg"), "Host CPU with the streams open and idle", "open streams (one instance)",
              "% of one core", [("idle CPU", by_n("idle_cpu_pct"))] + nospin_of("idle_cpu_pct", "idle CPU, no spin-wait"))
    instances = read(os.path.join(data, "instances.dat"))
    if instances:
        runs = lambda kind, key: [(r["instances"], r[key]) for r in instances if str(r["label"]).startswith(kind + "-")]
        chart(os.path.join(data, "instances-throughput.svg"), "Notifications delivered per second through Redis", "instances",
              "notifications/s", [("rate run", runs("rate", "delivered_per_s")), ("1 broadcast/s", runs("steady", "delivered_per_s"))])
        chart(os.path.join(data, "instances-latency.svg"), "p99 delivery latency through Redis", "instances",
              "ms", [("1 broadcast/s", runs("steady", "p99_ms")), ("rate run", runs("rate", "p99_ms"))])
        chart(os.path.join(data, "instances-redis-cpu.svg"), "redis-server CPU while broadcasting", "instances",
              "% of one core", [("1 broadcast/s", runs("steady", "busy_redis_cpu_pct")), ("rate run", runs("rate", "busy_redis_cpu_pct"))])


if __name__ == "__main__":
    main()
