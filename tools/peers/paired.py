"""ExplainJ against plain TensorFlow and PyTorch in matched bursts: all three stay loaded (ExplainJ in a Java
process, tools/peers/ExplainJCalls.java; TensorFlow, tf_peer.py's methods, and PyTorch, torch_peer.py's, in
this one), and in each round a burst of ExplainJ calls (back to back for --burst-s, at least one) runs right
beside a burst of each peer's calls of the same method and batch (the order rotates from round to round). A
minute of load from elsewhere then falls on the whole round, where separate bench processes met different
minutes (their forward passes of the same graph differed by up to 19 % between runs). A burst's time is the
median of its calls after the first, which meets the threads another side has just left. Prints per method
and batch each side's median and the medians of the rounds' ratios: to TensorFlow, to PyTorch and to the
round's faster peer, with that ratio's quartiles. Build ExplainJ first (bin/explainj builds on first use);
run with a Python that has TensorFlow 2 and torch:

    python tools/peers/paired.py [--rounds 15] [--burst-s 0.5] [--warmup-s 2] [--budget-s 90]
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
import torch_peer  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import torch  # noqa: E402

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
    p.add_argument("--rounds", type=int, default=15, help="timed rounds a method and batch (fewer for slow ones)")
    p.add_argument("--burst-s", type=float, default=0.5, help="seconds of back-to-back calls a side and round")
    p.add_argument("--warmup-s", type=float, default=2, help="seconds of untimed calls a method and side")
    p.add_argument("--budget-s", type=float, default=90, help="seconds of timed rounds a method and batch")
    p.add_argument("--chunk", type=int, default=32)
    args = p.parse_args()
    explainj = ExplainJ(tf_peer.MODEL)
    net, body, head, hw = tf_peer.load(tf_peer.MODEL)
    tf_methods = tf_peer.methods(net, body, head, hw, args.chunk)
    torch_methods = torch_peer.methods(torch_peer.Port(tf_peer.MODEL), hw, args.chunk)
    names = ["ExplainJ", "TensorFlow", "PyTorch"]
    print(f"ExplainJ, TensorFlow {tf.__version__} and PyTorch {torch.__version__} ({torch.get_num_threads()} threads) "
          f"in matched bursts of {args.burst_s} s: {args.warmup_s} s of untimed calls a method and side, then up to "
          f"{args.rounds} rounds ({args.budget_s:.0f} s a method), ms; ratios are medians of the rounds' ratios")
    print("| method | batch | ExplainJ ms | TensorFlow ms | PyTorch ms | ExplainJ / TensorFlow | ExplainJ / PyTorch | "
          "ExplainJ / faster peer | its quartiles | rounds |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    rng = np.random.default_rng(42)
    for n in (1, 32):
        x = rng.random([n] + hw, dtype=np.float32)
        x_tf, x_torch = tf.constant(x), torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()
        sides = {"ExplainJ": lambda name, seconds: explainj.burst(n, name, seconds),
                 "TensorFlow": lambda name, seconds: burst(lambda: np.asarray(tf_methods[name](x_tf)), seconds),
                 "PyTorch": lambda name, seconds: burst(lambda: torch_methods[name](x_torch), seconds)}
        cold = {name: max(side(name, 0) for side in sides.values()) for name in METHODS}
        for name in METHODS:
            for side in sides.values():
                side(name, args.warmup_s)
        rounds = {name: int(max(3, min(args.rounds, args.budget_s * 1e3 / 3 / max(cold[name], args.burst_s * 1e3))))
                  for name in METHODS}
        times = {name: {side: [] for side in names} for name in METHODS}
        for r in range(args.rounds):
            for name in METHODS[r % len(METHODS):] + METHODS[:r % len(METHODS)]:
                if r < rounds[name]:
                    for side in names[r % 3:] + names[:r % 3]:
                        times[name][side].append(sides[side](name, args.burst_s))
        for name in METHODS:
            t = times[name]
            to_tf = [j / f for j, f in zip(t["ExplainJ"], t["TensorFlow"])]
            to_torch = [j / f for j, f in zip(t["ExplainJ"], t["PyTorch"])]
            to_best = [max(a, b) for a, b in zip(to_tf, to_torch)]
            low, high = quartiles(to_best)
            print(f"| {name} | {n} | {statistics.median(t['ExplainJ']):.2f} | {statistics.median(t['TensorFlow']):.2f} | "
                  f"{statistics.median(t['PyTorch']):.2f} | {statistics.median(to_tf):.2f} | "
                  f"{statistics.median(to_torch):.2f} | {statistics.median(to_best):.2f} | {low:.2f}-{high:.2f} | "
                  f"{len(to_best)} |")
            sys.stdout.flush()
    explainj.process.stdin.close()
    explainj.process.wait()


if __name__ == "__main__":
    main()
