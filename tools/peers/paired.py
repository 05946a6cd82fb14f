"""ExplainJ against plain TensorFlow and PyTorch in matched bursts: each side stays loaded in a process of its
own (ExplainJ: tools/peers/ExplainJCalls.java; TensorFlow: tf_peer.py's methods; PyTorch: torch_peer.py's,
both served by this script with --serve), and in each round a burst of ExplainJ calls (back to back for
--burst-s, at least one) runs right beside a burst of each peer's calls of the same method and batch (the
order rotates from round to round). A minute of load from elsewhere then falls on the whole round, where
separate bench processes met different minutes (their forward passes of the same graph differed by up to
19 % between runs); separate processes keep one side's thread pools out of another's (PyTorch in the same
process as TensorFlow ran up to 2x slower). A burst's time is the median of its calls after the first, which
meets the threads another side has just left. Prints per method and batch each side's median and the medians
of the rounds' ratios: to TensorFlow, to PyTorch and to the round's faster peer, with that ratio's
quartiles. Build ExplainJ first (bin/explainj builds on first use); run with a Python that has TensorFlow 2
and torch:

    python tools/peers/paired.py [--rounds 15] [--burst-s 0.5] [--warmup-s 2] [--budget-s 90]
"""
import argparse
import glob
import os
import statistics
import subprocess
import sys
import time

HOME = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
METHODS = ["forward", "gradient", "saliency", "grad-cam", "integrated-gradients", "smoothgrad", "occlusion"]


class Side:
    """A process that answers "N METHOD S" with the median ms of a burst of calls."""

    def __init__(self, command):
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)

    def burst(self, n, method, seconds):
        self.process.stdin.write(f"{n} {method} {seconds}\n")
        self.process.stdin.flush()
        return float(self.process.stdout.readline())

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def explainj_side():
    jar = [j for j in glob.glob(os.path.join(HOME, "target", "ExplainJ_-*.jar"))
           if not j.endswith(("-sources.jar", "-tests.jar", "-javadoc.jar"))][0]
    classpath = jar + os.pathsep + os.path.join(HOME, "target", "lib", "*")
    model = os.path.join(HOME, "test-images", "models", "nlm-malaria", "malaria_thinsmear_44.pb")
    return Side(["java", "-Djava.awt.headless=true", "-cp", classpath,
                 os.path.join(HOME, "tools", "peers", "ExplainJCalls.java"), model])


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


def serve(peer, chunk):
    """One peer's side: answers "N METHOD S" lines on standard input (random images in [0, 1), seed 42)."""
    sys.path.insert(0, os.path.dirname(__file__))
    import numpy as np
    import tf_peer
    net, body, head, hw = tf_peer.load(tf_peer.MODEL)
    if peer == "tensorflow":
        import tensorflow as tf
        table = tf_peer.methods(net, body, head, hw, chunk)
        inputs = {}

        def call(name, n):
            x = inputs.setdefault(n, tf.constant(np.random.default_rng(42).random([n] + hw, dtype=np.float32)))
            return lambda: np.asarray(table[name](x))
    else:
        import torch
        import torch_peer
        table = torch_peer.methods(torch_peer.Port(tf_peer.MODEL), hw, chunk)
        inputs = {}

        def call(name, n):
            x = inputs.setdefault(n, torch.from_numpy(np.random.default_rng(42).random([n] + hw, dtype=np.float32))
                                  .permute(0, 3, 1, 2).contiguous())
            return lambda: table[name](x)
    for line in sys.stdin:
        n, name, seconds = line.split()
        print(f"{burst(call(name, int(n)), float(seconds)):.4f}", flush=True)


def quartiles(values):
    q = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
    return q[0], q[2]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=15, help="timed rounds a method and batch (fewer for slow ones)")
    p.add_argument("--burst-s", type=float, default=0.5, help="seconds of back-to-back calls a side and round")
    p.add_argument("--warmup-s", type=float, default=2, help="seconds of untimed calls a method and side")
    p.add_argument("--budget-s", type=float, default=90, help="seconds of timed rounds a method and batch")
    p.add_argument("--chunk", type=int, default=32)
    p.add_argument("--serve", choices=["tensorflow", "pytorch"], help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.serve:
        serve(args.serve, args.chunk)
        return
    script = [sys.executable, os.path.abspath(__file__), "--chunk", str(args.chunk), "--serve"]
    sides = {"ExplainJ": explainj_side(), "TensorFlow": Side(script + ["tensorflow"]),
             "PyTorch": Side(script + ["pytorch"])}
    names = list(sides)
    print(f"ExplainJ, TensorFlow and PyTorch (tools/peers), each in its own process, in matched bursts of "
          f"{args.burst_s:g} s: {args.warmup_s:g} s of untimed calls a method and side, then up to {args.rounds} rounds "
          f"({args.budget_s:g} s a method), ms; ratios are medians of the rounds' ratios")
    print("| method | batch | ExplainJ ms | TensorFlow ms | PyTorch ms | ExplainJ / TensorFlow | ExplainJ / PyTorch | "
          "ExplainJ / faster peer | its quartiles | rounds |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n in (1, 32):
        cold = {name: max(side.burst(n, name, 0) for side in sides.values()) for name in METHODS}
        for name in METHODS:
            for side in sides.values():
                side.burst(n, name, args.warmup_s)
        rounds = {name: int(max(3, min(args.rounds, args.budget_s * 1e3 / 3 / max(cold[name], args.burst_s * 1e3))))
                  for name in METHODS}
        times = {name: {side: [] for side in names} for name in METHODS}
        for r in range(args.rounds):
            for name in METHODS[r % len(METHODS):] + METHODS[:r % len(METHODS)]:
                if r < rounds[name]:
                    for side in names[r % 3:] + names[:r % 3]:
                        times[name][side].append(sides[side].burst(n, name, args.burst_s))
        for name in METHODS:
            t = times[name]
            to_tf = [j / f for j, f in zip(t["ExplainJ"], t["TensorFlow"])]
            to_torch = [j / f for j, f in zip(t["ExplainJ"], t["PyTorch"])]
            to_best = [max(a, b) for a, b in zip(to_tf, to_torch)]
            low, high = quartiles(to_best)
            print(f"| {name} | {n} | {statistics.median(t['ExplainJ']):.2f} | {statistics.median(t['TensorFlow']):.2f} | "
                  f"{statistics.median(t['PyTorch']):.2f} | {statistics.median(to_tf):.2f} | "
                  f"{statistics.median(to_torch):.2f} | {statistics.median(to_best):.2f} | {low:.2f}-{high:.2f} | "
                  f"{len(to_best)} |", flush=True)
    for side in sides.values():
        side.close()


if __name__ == "__main__":
    main()
