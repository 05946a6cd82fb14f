"""ExplainJ against plain TensorFlow in paired bursts: both sides stay loaded (ExplainJ in a Java process,
tools/peers/ExplainJCalls.java; TensorFlow in this one, tf_peer.py's methods), and each burst of ExplainJ calls
(back to back for --burst-s, at least one) is paired with a burst of TensorFlow calls of the same method and
batch right before or after it (the order alternates). A minute of load from elsewhere then falls on both
bursts of a pair, where separate bench processes met different minutes (their forward passes of the same
graph differed by up to 19 % between runs). A burst's time is the median of its calls after the first, which
meets the threads the other side has just left. Prints per method and batch each side's median, the median of
the pairs' ratios and the ratios' quartiles. Build ExplainJ first (bin/explainj builds on first use); run with
a TensorFlow 2 Python:

    python tools/peers/paired.py [--pairs 15] [--burst-s 0.5] [--warmup-s 2] [--budget-s 60]
"""
import argparse
import glob
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import tf_peer  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

HOME = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
METHODS = ["forward", "gradient", "saliency", "grad-cam", "integrated-gradients", "smoothgrad", "occlusion"]


class ExplainJ:
    def __init__(self, model):
        jar = [j for j in glob.glob(os.path.join(HOME, "target", "ExplainJ_-*.jar"))
               if not j.endswith(("-sources.jar", "-tests.jar", "-javadoc.jar"))][0]
        classpath = jar + os.pathsep + os.path.join(HOME, "target", "lib", "*")
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
        self.process = subprocess.Popen(["java", "-Djava.awt.headless=true", "-cp", classpath,
                                         os.path.join(HOME, "tools", "peers", "ExplainJCalls.java"), model],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)

    def burst(self, n, method, seconds):
        self.process.stdin.write(f"{n} {method} {seconds}\n")
        self.process.stdin.flush()
        return float(self.process.stdout.readline())


def burst(fn, seconds):
    """Calls fn back to back for seconds, at least once; the median ms of the calls after the first."""
    ms = []
    end = time.perf_counter() + seconds
    while True:
        t0 = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t0) * 1e3)
        if time.perf_counter() >= end:
            break
    return statistics.median(ms[1:] or ms)


def quartiles(values):
    q = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
    return q[0], q[2]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pairs", type=int, default=15, help="timed pairs a method and batch (fewer for slow ones)")
    p.add_argument("--warmup-s", type=float, default=2, help="seconds of untimed calls a method and side")
    p.add_argument("--budget-s", type=float, default=60, help="seconds of timed pairs a method and batch")
    p.add_argument("--chunk", type=int, default=32)
    p.add_argument("--burst-s", type=float, default=0.5, help="seconds of back-to-back calls a side and pair")
    args = p.parse_args()
    explainj = ExplainJ(tf_peer.MODEL)
    net, body, head, hw = tf_peer.load(tf_peer.MODEL)
    table = tf_peer.methods(net, body, head, hw, args.chunk)
    print(f"TensorFlow {tf.__version__} against ExplainJ, paired bursts of {args.burst_s} s: {args.warmup_s} s of "
          f"untimed calls a method and side, then up to {args.pairs} pairs ({args.budget_s:.0f} s a method), ms")
    print("| method | batch | ExplainJ ms | TensorFlow ms | ExplainJ / TensorFlow, median of pairs | quartiles | pairs |")
    print("|---|---|---|---|---|---|---|")
    rng = np.random.default_rng(42)
    for n in (1, 32):
        x = tf.constant(rng.random([n] + hw, dtype=np.float32))
        sides = {"ExplainJ": lambda name, seconds: explainj.burst(n, name, seconds),
                 "TensorFlow": lambda name, seconds: burst(lambda: np.asarray(table[name](x)), seconds)}
        cold = {name: max(side(name, 0) for side in sides.values()) for name in METHODS}
        for name in METHODS:
            for side in sides.values():
                side(name, args.warmup_s)
        pairs = {name: int(max(3, min(args.pairs, args.budget_s * 1e3 / 2 / max(cold[name], args.burst_s * 1e3))))
                 for name in METHODS}
        times = {name: ([], []) for name in METHODS}
        for r in range(args.pairs):
            for name in METHODS[r % len(METHODS):] + METHODS[:r % len(METHODS)]:
                if r >= pairs[name]:
                    continue
                order = ["ExplainJ", "TensorFlow"] if r % 2 == 0 else ["TensorFlow", "ExplainJ"]
                ms = {side: sides[side](name, args.burst_s) for side in order}
                times[name][0].append(ms["ExplainJ"])
                times[name][1].append(ms["TensorFlow"])
        for name in METHODS:
            j, t = times[name]
            ratios = [a / b for a, b in zip(j, t)]
            low, high = quartiles(ratios)
            print(f"| {name} | {n} | {statistics.median(j):.2f} | {statistics.median(t):.2f} | "
                  f"{statistics.median(ratios):.2f} | {low:.2f}-{high:.2f} | {len(ratios)} |")
            sys.stdout.flush()
    explainj.process.stdin.close()
    explainj.process.wait()


if __name__ == "__main__":
    main()
