"""Cold start side by side: one explanation (gradient) of one bundled cell by `bin/explainj explain` (a new
JVM) and by tf_explain_one.py (a new Python), in interleaved runs; wall time from start to exit and peak
resident memory (ru_maxrss of the child from os.wait4), medians. Run from anywhere with a TensorFlow 2
Python; build ExplainJ first (bin/explainj builds on first use):

    python tools/peers/cold_start.py [--runs 7] [--python PYTHON]
"""
import argparse
import glob
import os
import statistics
import subprocess
import sys
import tempfile
import time

HOME = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODEL = os.path.join(HOME, "test-images", "models", "nlm-malaria", "malaria_thinsmear_44.pb")


def measure(command, env):
    # stderr to a file, not a pipe: a child that writes more than a pipe holds would block while we wait4
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        seconds = time.perf_counter() - t0
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            sys.exit(f"{command[0]} failed: {err.read().decode()}")
    return seconds, usage.ru_maxrss / 1024  # MB


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--python", default=sys.executable)
    args = p.parse_args()
    image = sorted(glob.glob(os.path.join(HOME, "test-images", "images", "malaria", "*.png")))[0]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    with tempfile.TemporaryDirectory() as out:
        commands = {
            "ExplainJ (bin/explainj explain)": [os.path.join(HOME, "bin", "explainj"), "explain", "--model", MODEL,
                                                "--image", image, "--method", "gradient", "--out",
                                                os.path.join(out, "map.tif")],
            "TensorFlow Python (tf_explain_one.py)": [args.python, os.path.join(HOME, "tools", "peers",
                                                                                "tf_explain_one.py"), MODEL, image,
                                                      os.path.join(out, "map.npy")],
        }
        results = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                results[name].append(measure(command, env))
    print(f"cold start, one gradient explanation of one cell, {args.runs} interleaved runs, medians (min-max)")
    rows = {}
    for name, runs in results.items():
        wall = [r[0] for r in runs]
        rss = [r[1] for r in runs]
        rows[name] = (statistics.median(wall), statistics.median(rss))
        print(f"{name:40s} wall {rows[name][0]:6.2f} s ({min(wall):.2f}-{max(wall):.2f})   peak RSS "
              f"{rows[name][1]:6.0f} MB ({min(rss):.0f}-{max(rss):.0f})")
    (jw, jr), (pw, pr) = rows.values()
    print(f"ratio ExplainJ / TensorFlow Python: wall {jw / pw:.2f}, peak RSS {jr / pr:.2f}")


if __name__ == "__main__":
    main()
