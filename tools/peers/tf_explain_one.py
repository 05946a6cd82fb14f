"""The Python equivalent of `bin/explainj explain --method gradient` on one image: load the frozen graph,
read the PNG, resize it to the model's input (antialiased, values / 255), take the gradient of the
predicted class's logit with tf.function + GradientTape and write the map (.npy). Used by cold_start.py.

    python tools/peers/tf_explain_one.py MODEL.pb IMAGE.png OUT.npy
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def main(model, image, out):
    graph_def = tf.compat.v1.GraphDef()
    with open(model, "rb") as f:
        graph_def.ParseFromString(f.read())
    placeholder = next(n for n in graph_def.node if n.op == "Placeholder")
    logits = [n for n in graph_def.node if n.op == "Softmax"][-1].input[0]
    wrapped = tf.compat.v1.wrap_function(lambda: tf.compat.v1.import_graph_def(graph_def, name=""), [])
    net = wrapped.prune(wrapped.graph.get_tensor_by_name(placeholder.name + ":0"),
                        wrapped.graph.get_tensor_by_name(logits + ":0"))
    h, w, c = [int(d.size) for d in placeholder.attr["shape"].shape.dim][1:]
    pixels = tf.io.decode_png(tf.io.read_file(image), channels=c)
    x = tf.image.resize(tf.cast(pixels, tf.float32)[None] / 255.0, [h, w], antialias=True)

    @tf.function
    def gradient(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            z = net(x)
            score = tf.gather(z, tf.argmax(z, axis=1, output_type=tf.int32), batch_dims=1)
        return tape.gradient(score, x)

    np.save(out, gradient(x).numpy()[0])


if __name__ == "__main__":
    main(*sys.argv[1:4])
