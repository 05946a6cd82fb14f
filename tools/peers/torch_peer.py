"""PyTorch peer: the demo model ported to PyTorch (its weights read from the frozen graph, logits checked
against TensorFlow's), and the methods of tf_peer.py written with torch.autograd as Captum computes them
(Captum's Saliency, IntegratedGradients, NoiseTunnel, Occlusion and LayerGradCam are this autograd work plus
their own bookkeeping, so these times are a floor for Captum's; Captum itself is not installable here).
Not part of the build: used by paired.py, or run alone with a Python that has torch and TensorFlow:

    python tools/peers/torch_peer.py     # checks the port: its logits and maps against TensorFlow's

Inputs are NCHW, as a PyTorch user holds them; every method returns its map in host memory (NumPy).
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
import tf_peer  # noqa: E402


class Port(torch.nn.Module):
    """The frozen graph's chain (Conv2D + BiasAdd + Relu, MaxPool, Mean over H and W, MatMul + BiasAdd) in
    PyTorch; `body` ends at the last convolution's ReLU (Grad-CAM's layer), `head` is pooling and dense."""

    def __init__(self, path):
        super().__init__()
        graph_def = tf.compat.v1.GraphDef()
        with open(path, "rb") as f:
            graph_def.ParseFromString(f.read())
        nodes = {n.name: n for n in graph_def.node}

        def const(name):
            node = nodes[name]
            while node.op == "Identity":
                node = nodes[node.input[0]]
            return torch.from_numpy(tf.make_ndarray(node.attr["value"].tensor).copy())

        layers, self.dense = [], None
        for n in graph_def.node:
            if n.op == "Conv2D":
                assert list(n.attr["strides"].list.i) == [1, 1, 1, 1] and n.attr["padding"].s == b"SAME"
                kernel = const(n.input[1])  # HWIO
                conv = torch.nn.Conv2d(kernel.shape[2], kernel.shape[3], kernel.shape[:2], padding="same")
                conv.weight.data = kernel.permute(3, 2, 0, 1).contiguous()
                layers.append(conv)
            elif n.op == "BiasAdd" and layers and isinstance(layers[-1], torch.nn.Conv2d) and self.dense is None \
                    and nodes[n.input[0]].op == "Conv2D":
                layers[-1].bias.data = const(n.input[1])
            elif n.op == "Relu":
                layers.append(torch.nn.ReLU())
            elif n.op == "MaxPool":
                assert n.attr["padding"].s == b"VALID"
                layers.append(torch.nn.MaxPool2d(list(n.attr["ksize"].list.i)[1:3], list(n.attr["strides"].list.i)[1:3]))
            elif n.op == "MatMul":
                kernel = const(n.input[1])
                self.dense = torch.nn.Linear(kernel.shape[0], kernel.shape[1])
                self.dense.weight.data = kernel.t().contiguous()
            elif n.op == "BiasAdd" and self.dense is not None:
                self.dense.bias.data = const(n.input[1])
        self.body = torch.nn.Sequential(*layers)
        self.eval()

    def head(self, a):
        return self.dense(a.mean(dim=(2, 3)))

    def forward(self, x):
        return self.head(self.body(x))


def methods(net, hw, chunk):
    h, w, c = hw

    def forward(x):
        with torch.inference_mode():
            return net(x)

    def gradient(x, target):
        x = x.detach().requires_grad_()
        score = net(x).gather(1, target[:, None]).sum()
        return torch.autograd.grad(score, x)[0]

    def gradient_top(x):
        x = x.detach().requires_grad_()
        z = net(x)
        score = z.gather(1, z.argmax(1, keepdim=True)).sum()
        return torch.autograd.grad(score, x)[0]

    def saliency(x):
        return gradient_top(x).abs().amax(1)

    def grad_cam(x):
        with torch.no_grad():
            a = net.body(x)
        a.requires_grad_()
        z = net.head(a)
        score = z.gather(1, z.argmax(1, keepdim=True)).sum()
        weights = torch.autograd.grad(score, a)[0].mean(dim=(2, 3), keepdim=True)
        cam = F.relu((weights * a).sum(1, keepdim=True))
        return F.interpolate(cam.detach(), size=(h, w), mode="bilinear", align_corners=False)

    def predicted(x):
        return forward(x).argmax(1)

    def chunked(rows, targets, fn):
        return torch.cat([fn(rows[i:i + chunk], targets[i:i + chunk]) for i in range(0, rows.shape[0], chunk)])

    def integrated_gradients(x, steps=50):
        n = x.shape[0]
        target = predicted(x)
        alphas = (torch.arange(1, steps + 1, dtype=torch.float32) / steps).reshape(1, steps, 1, 1, 1)
        path = (alphas * x[:, None]).reshape(n * steps, c, h, w)
        grads = chunked(path, target.repeat_interleave(steps), gradient)
        return x * grads.reshape(n, steps, c, h, w).mean(1)

    def smoothgrad(x, samples=50, noise=0.15, seed=0):
        n = x.shape[0]
        target = predicted(x)
        span = x.amax(dim=(1, 2, 3)) - x.amin(dim=(1, 2, 3))
        eps = torch.randn(n, samples, c, h, w, generator=torch.Generator().manual_seed(seed))
        noisy = (x[:, None] + noise * span[:, None, None, None, None] * eps).reshape(n * samples, c, h, w)
        grads = chunked(noisy, target.repeat_interleave(samples), gradient)
        return grads.reshape(n, samples, c, h, w).mean(1)

    masks = torch.from_numpy(tf_peer.occlusion_masks(h, w))
    coverage = masks.sum(0)

    def scores(x, target):
        with torch.inference_mode():
            return net(x).gather(1, target[:, None])[:, 0]

    def occlusion(x, fill=0.0):
        n, k = x.shape[0], masks.shape[0]
        with torch.inference_mode():
            z = net(x)
            target = z.argmax(1)
            m = masks[None, :, None]
            occluded = (x[:, None] * (1 - m) + fill * m).reshape(n * k, c, h, w)
            drops = z.gather(1, target[:, None]) - chunked(occluded, target.repeat_interleave(k), scores).reshape(n, k)
            return torch.tensordot(drops, masks, dims=([1], [0])) / coverage

    table = tf_peer.named(forward, gradient_top, saliency, grad_cam, integrated_gradients, smoothgrad, occlusion)
    # the map in host memory, as ExplainJ returns it
    return {name: (lambda fn: lambda x: fn(x).detach().numpy())(fn) for name, fn in table.items()}


def check(path=tf_peer.MODEL):
    """Per output, the largest difference between the port's and TensorFlow's on random images, over the
    largest TensorFlow value: the logits and every method but SmoothGrad (whose noise differs)."""
    net, body, head, hw = tf_peer.load(path)
    x = np.random.default_rng(1).random([4] + hw, dtype=np.float32)
    tf_methods = tf_peer.methods(net, body, head, hw, 32)
    torch_methods = methods(Port(path), hw, 32)
    nchw = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()
    found = {}
    for name in ["forward", "gradient", "saliency", "grad-cam", "integrated-gradients", "occlusion"]:
        theirs = np.asarray(tf_methods[name](tf.constant(x)))
        ours = torch_methods[name](nchw)
        if ours.ndim == 4:
            ours = ours.transpose(0, 2, 3, 1)
        found[name] = float(np.abs(ours.reshape(theirs.shape) - theirs).max() / np.abs(theirs).max())
    return found


if __name__ == "__main__":
    print(f"PyTorch {torch.__version__} against TensorFlow {tf.__version__}, largest difference / largest value:")
    for name, difference in check().items():
        print(f"  {name:<22s} {difference:.1e}")
