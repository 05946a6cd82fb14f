"""ExplainJ against plain TensorFlow on the same machine at the same time: alternates `bin/explainj bench`
and tf_peer.py (each its own process, interleaved rounds inside) --alternations times, so that the load of
other processes falls on both alike, and prints per method and batch the median of each side's medians, their
ratio and each side's time per forward pass. Build ExplainJ first (bin/explainj builds on first use).

    python tools/peers/side_by_side.py [--alternations 2] [--repeats 7] [--warmup-s 2]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

HOME = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
METHODS = ["gradient", "saliency", "grad-cam", "integrated-gradients", "smoothgrad", "occlusion"]
ROW = re.compile(r"\s*(\d+)\s+(\S+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)")


def rows(output):
    found = {}
    for line in output.splitlines():
        m = ROW.match(line)
        if m:
            found[(int(m.group(1)), m.group(2))] = float(m.group(4))
    return found


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--alternations", type=int, default=2)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--warmup-s", default="2", help="seconds of untimed calls a method before each bench's rounds")
    args = p.parse_args()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    sides = {
        "ExplainJ": [os.path.join(HOME, "bin", "explainj"), "bench", "--repeats", str(args.repeats), "--methods",
                     ",".join(METHODS), "--warmup-s", args.warmup_s],
        "TensorFlow": [sys.executable, os.path.join(HOME, "tools", "peers", "tf_peer.py"), "--repeats",
                       str(args.repeats), "--warmup-s", args.warmup_s],
    }
    runs = {side: [] for side in sides}
    outputs = []
    for _ in range(args.alternations):
        for side, command in sides.items():
            out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
            runs[side].append(rows(out))
            outputs.append(out)
    print(f"{args.alternations} alternations of both benches ({args.warmup_s} s of untimed calls a method, then "
          f"{args.repeats} interleaved rounds each), medians in ms")
    print("| method | batch | ExplainJ ms | TensorFlow ms | ExplainJ / TensorFlow | ExplainJ / its forward | "
          "TensorFlow / its forward |")
    print("|---|---|---|---|---|---|---|")
    for name in ["forward"] + METHODS:
        for n in (1, 32):
            j = statistics.median(r[(n, name)] for r in runs["ExplainJ"])
            t = statistics.median(r[(n, name)] for r in runs["TensorFlow"])
            jf = statistics.median(r[(n, name)] / r[(n, "forward")] for r in runs["ExplainJ"])
            tf = statistics.median(r[(n, name)] / r[(n, "forward")] for r in runs["TensorFlow"])
            print(f"| {name} | {n} | {j:.2f} | {t:.2f} | {j / t:.2f} | {jf:.2f} | {tf:.2f} |")
    print("\nThe runs' own tables:")
    for out in outputs:
        print(out)


if __name__ == "__main__":
    main()
