"""Plain TensorFlow peer of `bin/explainj bench`: the same methods on the same frozen graph, as a user would
write them in Python (tf.function + GradientTape), timed the same way (first call, then interleaved rounds,
medians in ms). Not part of the build: run it with a TensorFlow 2 Python, e.g.

    python tools/peers/tf_peer.py [--repeats 11] [--threads auto|N|INTRA,INTER]

Methods (target: the predicted class, logit score; what ExplainJ's bench runs with its defaults):
forward, gradient, saliency, grad-cam (last conv layer, upsampled bilinearly to the input), integrated
gradients (zeros baseline, 50 right-endpoint steps), SmoothGrad (50 samples, sigma 0.15 of each image's
range, gradient), occlusion (patch 8, stride 4, fill 0). Path points, noisy copies and occluded copies are
evaluated in chunks of --chunk rows (default 32, ExplainJ's default batch size).

The layers are found by structure, as ExplainJ does: the one Placeholder, the Softmax's input (logits), the
4-D input of the last global average pooling (Mean over axes 1, 2) as Grad-CAM's layer.
"""
import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

MODEL = os.path.join(os.path.dirname(__file__), "..", "..", "test-images", "models", "nlm-malaria",
                     "malaria_thinsmear_44.pb")


def set_threads(setting):
    if setting == "auto":
        return
    parts = [int(p) for p in setting.split(",")]
    intra, inter = (parts[0], 1) if len(parts) == 1 else parts
    tf.config.threading.set_intra_op_parallelism_threads(intra)
    tf.config.threading.set_inter_op_parallelism_threads(inter)


def load(path):
    """(net, body, head, input shape): net x -> logits, body x -> A, head A -> logits."""
    graph_def = tf.compat.v1.GraphDef()
    with open(path, "rb") as f:
        graph_def.ParseFromString(f.read())
    nodes = {n.name: n for n in graph_def.node}
    placeholder = next(n for n in graph_def.node if n.op == "Placeholder")
    softmax = [n for n in graph_def.node if n.op == "Softmax"][-1]
    logits = softmax.input[0]
    mean = [n for n in graph_def.node if n.op == "Mean"][-1]
    layer = mean.input[0]
    wrapped = tf.compat.v1.wrap_function(lambda: tf.compat.v1.import_graph_def(graph_def, name=""), [])
    g = wrapped.graph
    x, z, a = (g.get_tensor_by_name(t if ":" in t else t + ":0") for t in (placeholder.name, logits, layer))
    shape = [int(d.size) for d in placeholder.attr["shape"].shape.dim][1:]
    assert nodes[mean.input[1]].op == "Const"
    return wrapped.prune(x, z), wrapped.prune(x, a), wrapped.prune(a, z), shape


def methods(net, body, head, hw, chunk):
    h, w, c = hw
    image = tf.TensorSpec([None, h, w, c], tf.float32)
    classes = tf.TensorSpec([None], tf.int32)

    @tf.function(input_signature=[image])
    def forward(x):
        return net(x)

    @tf.function(input_signature=[image, classes])
    def gradient(x, target):
        with tf.GradientTape() as tape:
            tape.watch(x)
            score = tf.gather(net(x), target, batch_dims=1)
        return tape.gradient(score, x)

    @tf.function(input_signature=[image])
    def gradient_top(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            z = net(x)
            score = tf.gather(z, tf.argmax(z, axis=1, output_type=tf.int32), batch_dims=1)
        return tape.gradient(score, x)

    @tf.function(input_signature=[image, classes])
    def scores(x, target):
        return tf.gather(net(x), target, batch_dims=1)

    def predicted(x):
        return tf.argmax(forward(x), axis=1, output_type=tf.int32)

    def saliency(x):
        return tf.reduce_max(tf.abs(gradient_top(x)), axis=-1)

    @tf.function(input_signature=[image])
    def grad_cam(x):
        a = body(x)
        with tf.GradientTape() as tape:
            tape.watch(a)
            z = head(a)
            score = tf.gather(z, tf.argmax(z, axis=1, output_type=tf.int32), batch_dims=1)
        weights = tf.reduce_mean(tape.gradient(score, a), axis=[1, 2], keepdims=True)
        cam = tf.nn.relu(tf.reduce_sum(weights * a, axis=-1, keepdims=True))
        return tf.image.resize(cam, [h, w])

    def chunked(rows, targets, fn):
        return tf.concat([fn(rows[i:i + chunk], targets[i:i + chunk]) for i in range(0, int(rows.shape[0]), chunk)], 0)

    def integrated_gradients(x, steps=50):
        n = int(x.shape[0])
        target = predicted(x)
        alphas = tf.reshape(tf.range(1, steps + 1, dtype=tf.float32) / steps, [1, steps, 1, 1, 1])
        path = tf.reshape(alphas * x[:, None], [n * steps, h, w, c])
        grads = chunked(path, tf.repeat(target, steps), gradient)
        return x * tf.reduce_mean(tf.reshape(grads, [n, steps, h, w, c]), axis=1)

    def smoothgrad(x, samples=50, noise=0.15, seed=0):
        n = int(x.shape[0])
        target = predicted(x)
        span = tf.reduce_max(x, axis=[1, 2, 3]) - tf.reduce_min(x, axis=[1, 2, 3])
        eps = tf.random.stateless_normal([n, samples, h, w, c], seed=[seed, 0])
        noisy = tf.reshape(x[:, None] + noise * span[:, None, None, None, None] * eps, [n * samples, h, w, c])
        grads = chunked(noisy, tf.repeat(target, samples), gradient)
        return tf.reduce_mean(tf.reshape(grads, [n, samples, h, w, c]), axis=1)

    masks = tf.constant(occlusion_masks(h, w))
    coverage = tf.reduce_sum(masks, axis=0)

    def occlusion(x, fill=0.0):
        n, k = int(x.shape[0]), int(masks.shape[0])
        z = forward(x)
        target = tf.argmax(z, axis=1, output_type=tf.int32)
        m = masks[None, :, :, :, None]
        occluded = tf.reshape(x[:, None] * (1 - m) + fill * m, [n * k, h, w, c])
        drops = tf.gather(z, target, batch_dims=1)[:, None] - tf.reshape(
            chunked(occluded, tf.repeat(target, k), scores), [n, k])
        return tf.tensordot(drops, masks, axes=[[1], [0]]) / coverage

    return named(forward, gradient_top, saliency, grad_cam, integrated_gradients, smoothgrad, occlusion)


def occlusion_masks(h, w, patch=8, stride=4):
    """[windows, h, w]: 1 inside each window, the last window of a row or column flush with the edge."""
    def starts(size):
        s = list(range(0, size - patch + 1, stride))
        return s if s[-1] + patch == size else s + [size - patch]

    ys, xs = starts(h), starts(w)
    masks = np.zeros([len(ys) * len(xs), h, w], np.float32)
    for i, y in enumerate(ys):
        for j, x0 in enumerate(xs):
            masks[i * len(xs) + j, y:y + patch, x0:x0 + patch] = 1
    return masks


def named(forward, gradient, saliency, grad_cam, integrated_gradients, smoothgrad, occlusion):
    """A peer's methods under the names ExplainJ gives them."""
    return {"forward": forward, "gradient": gradient, "saliency": saliency, "grad-cam": grad_cam,
            "integrated-gradients": integrated_gradients, "smoothgrad": smoothgrad, "occlusion": occlusion}


def millis(fn, x):
    t0 = time.perf_counter()
    np.asarray(fn(x))  # the map in host memory, as ExplainJ returns it
    return (time.perf_counter() - t0) * 1e3


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=21)
    p.add_argument("--threads", default="auto")
    p.add_argument("--chunk", type=int, default=32)
    p.add_argument("--budget-s", type=float, default=15)
    p.add_argument("--warmup-s", type=float, default=2,
                   help="seconds of untimed calls a method after its first, before the rounds (as ExplainJ's bench)")
    args = p.parse_args()
    set_threads(args.threads)
    net, body, head, hw = load(MODEL)
    table = methods(net, body, head, hw, args.chunk)
    print(f"TensorFlow {tf.__version__}, threads {args.threads}, chunk {args.chunk} rows, {args.warmup_s:g} s of "
          f"untimed calls a method, then up to {args.repeats} interleaved rounds (at least 3, {args.budget_s:.0f} s "
          f"per method), medians in ms")
    print("batch  method                cold_ms   median_ms  /forward")
    rng = np.random.default_rng(42)
    for n in (1, 32):
        x = tf.constant(rng.random([n] + hw, dtype=np.float32))
        cold = {name: millis(fn, x) for name, fn in table.items()}
        for fn in table.values():
            end = time.perf_counter() + args.warmup_s
            while time.perf_counter() < end:
                np.asarray(fn(x))
        rounds = {name: int(max(3, min(args.repeats, args.budget_s * 1e3 / max(ms, 1e-3)))) for name, ms in cold.items()}
        times = {name: [] for name in table}
        names = list(table)
        for r in range(args.repeats):
            # each round starts one method further on, as ExplainJ's bench does
            for name in names[r % len(names):] + names[:r % len(names)]:
                if r < rounds[name]:
                    times[name].append(millis(table[name], x))
        forward = statistics.median(times["forward"])
        for name in table:
            median = statistics.median(times[name])
            print(f"{n:5d}  {name:<20s} {cold[name]:8.1f}  {median:10.2f}  {median / forward:8.2f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
