package org.explainj.metrics;

import java.util.List;

import org.explainj.ExplainException;
import org.explainj.methods.InputBatch;
import org.explainj.model.ClassifierModel;
import org.explainj.model.NetworkCopy;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.ReduceMax;
import org.tensorflow.op.core.ReduceMin;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Selectivity by region perturbation (docs/METHODS.md 5.2, pixel flipping): the image is cut into k x k
 * windows, the windows are removed in the order of their summed relevance (most relevant first, so
 * removed windows never overlap), and the target's logit is recorded after each of N removals. All
 * N+1 perturbed images of a batch are made and scored in one graph run, through a network copy.
 */
public final class Selectivity {

	/** Window side, number of removals, what a removed window holds (zeros, mean, noise, blur), noise seed. */
	public record Settings(int window, int steps, String fill, long seed) {

		public static final List<String> FILLS = List.of("zeros", "mean", "noise", "blur");

		/** 4x4 windows for small images, larger ones for large images (a 16th of the shorter side). */
		public static int defaultWindow(int height, int width) {
			return Math.max(4, Math.round(Math.min(height, width) / 16f));
		}

		public Settings {
			if (window < 1 || steps < 1) throw new ExplainException("Selectivity needs a window of 1 pixel or more " +
				"and at least one step.", "Use e.g. window 4, steps 20.");
			if (!FILLS.contains(fill)) throw new ExplainException("Unknown fill '" + fill + "'.", "Use one of " + FILLS +
				".");
		}
	}

	private record Key(Settings settings, int steps, int height, int width, int channels) {}

	private record Ops5(Placeholder<TFloat32> x, Placeholder<TFloat32> relevance, Placeholder<TInt32> target,
		Operand<TFloat32> curves) {}

	private Selectivity() {}

	/**
	 * The target logit after 0..N removals, [n][N+1], for images x (model geometry), their relevance maps
	 * [n,h,w,1] (model geometry) and the explained classes; at most {@code batchSize} perturbed images are
	 * scored per run.
	 */
	public static float[][] curves(ClassifierModel model, InputBatch x, float[] relevance, int[] targets,
		Settings settings, int batchSize)
	{
		int h = x.height(), w = x.width(), c = x.channels(), k = settings.window();
		int th = h / k, tw = w / k, tiles = th * tw;
		if (tiles < 1) throw new ExplainException("The window (" + k + " px) is larger than the image (" + w + "x" + h +
			").", "Use a smaller window.");
		int steps = Math.min(settings.steps(), tiles);
		Ops5 ops = model.ops(new Key(settings, steps, h, w, c), tf -> build(tf, model, h, w, c, k, steps, settings));
		float[][] curves = new float[x.n()][steps + 1];
		int images = Math.max(1, batchSize / (steps + 1));
		for (int start = 0; start < x.n(); start += images) {
			int n = Math.min(images, x.n() - start), size = h * w;
			try (TFloat32 tx = TFloat32.tensorOf(Shape.of(n, h, w, c), DataBuffers.of(x.data(), true, false).slice(
					(long) start * size * c, (long) n * size * c));
				TFloat32 tr = TFloat32.tensorOf(Shape.of(n, h, w, 1), DataBuffers.of(relevance, true, false).slice(
					(long) start * size, (long) n * size));
				TInt32 tt = TInt32.vectorOf(java.util.Arrays.copyOfRange(targets, start, start + n));
				Result r = model.session().runner().feed(ops.x(), tx).feed(ops.relevance(), tr).feed(ops.target(), tt)
					.fetch(ops.curves()).run())
			{
				float[] flat = new float[n * (steps + 1)];
				((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(flat);
				for (int i = 0; i < n; i++) System.arraycopy(flat, i * (steps + 1), curves[start + i], 0, steps + 1);
			}
		}
		return curves;
	}

	private static Ops5 build(Ops tf, ClassifierModel model, int h, int w, int c, int k, int steps, Settings s) {
		Placeholder<TFloat32> x = tf.placeholder(TFloat32.class);
		Placeholder<TFloat32> relevance = tf.placeholder(TFloat32.class);
		Placeholder<TInt32> target = tf.placeholder(TInt32.class);
		int th = h / k, tw = w / k, tiles = th * tw;
		List<Long> window = List.of(1L, (long) k, (long) k, 1L);
		Operand<TFloat32> tileScores = tf.reshape(tf.nn.avgPool(relevance, window, window, "VALID"), tf.constant(
			new int[] { -1, tiles }));
		Operand<TInt32> order = tf.nn.topK(tileScores, tf.constant(steps), new org.tensorflow.op.nn.TopK.Options[0])
			.indices();
		// removed[t] = the first t windows of the order, t = 0..N
		Operand<TFloat32> picked = tf.oneHot(order, tf.constant(tiles), tf.constant(1f), tf.constant(0f)); // [n,N,T]
		Operand<TFloat32> removed = tf.concat(List.of(tf.zerosLike(tf.slice(picked, tf.constant(new int[] { 0, 0, 0 }), tf
			.constant(new int[] { -1, 1, -1 }))), tf.math.cumsum(picked, tf.constant(1))), tf.constant(1)); // [n,N+1,T]
		Operand<TFloat32> tileMask = tf.reshape(removed, tf.constant(new int[] { -1, th, tw, 1 }));
		Operand<TFloat32> pixelMask = tf.image.resizeNearestNeighbor(tileMask, tf.constant(new int[] { th * k, tw * k }));
		pixelMask = tf.pad(pixelMask, tf.constant(new int[][] { { 0, 0 }, { 0, h - th * k }, { 0, w - tw * k }, { 0, 0 } }),
			tf.constant(0f));
		Operand<TFloat32> mask = tf.reshape(pixelMask, tf.constant(new int[] { -1, steps + 1, h, w, 1 }));
		Operand<TFloat32> x5 = tf.expandDims(x, tf.constant(1));
		Operand<TFloat32> fill = tf.expandDims(fill(tf, x, s, h, w, c), tf.constant(1));
		Operand<TFloat32> flipped = tf.reshape(tf.math.add(tf.math.mul(x5, tf.math.sub(tf.constant(1f), mask)), tf.math
			.mul(fill, mask)), tf.constant(new int[] { -1, h, w, c }));
		Operand<TFloat32> logits = NetworkCopy.apply(model, flipped).of(model.logits());
		Operand<TInt32> repeated = tf.reshape(tf.tile(tf.expandDims(target, tf.constant(1)), tf.constant(new int[] { 1,
			steps + 1 })), tf.constant(new int[] { -1 }));
		Operand<TFloat32> oneHot = tf.oneHot(repeated, tf.constant(model.numClasses()), tf.constant(1f), tf.constant(0f));
		Operand<TFloat32> scores = tf.reduceSum(tf.math.mul(logits, oneHot), tf.constant(1));
		return new Ops5(x, relevance, target, tf.reshape(scores, tf.constant(new int[] { -1, steps + 1 })));
	}

	/** What removed windows hold, per image: [n,h,w,c]. */
	private static Operand<TFloat32> fill(Ops tf, Operand<TFloat32> x, Settings s, int h, int w, int c) {
		var axes = tf.constant(new int[] { 1, 2 });
		return switch (s.fill()) {
			case "zeros" -> tf.zerosLike(x);
			case "mean" -> tf.math.mul(tf.onesLike(x), tf.math.mean(x, axes, Mean.keepDims(true)));
			case "noise" -> {
				var all = tf.constant(new int[] { 1, 2, 3 });
				Operand<TFloat32> lo = tf.reduceMin(x, all, ReduceMin.keepDims(true));
				Operand<TFloat32> hi = tf.reduceMax(x, all, ReduceMax.keepDims(true));
				Operand<TFloat32> u = tf.random.statelessRandomUniform(tf.shape(x), tf.constant(new long[] { s.seed(), 1 }),
					TFloat32.class);
				yield tf.math.add(lo, tf.math.mul(u, tf.math.sub(hi, lo)));
			}
			default -> {
				// box blur over a window of (2 * window + 1) pixels: removes the window's detail
				long side = 2L * s.window() + 1;
				yield tf.nn.avgPool(x, List.of(1L, side, side, 1L), List.of(1L, 1L, 1L, 1L), "SAME");
			}
		};
	}

	/**
	 * Area under the curve of f_t / f_0 over t in [0, 1] (trapezoids; N removals): lower means the
	 * explanation found what the decision rests on.
	 */
	public static double auc(float[] curve) {
		int n = curve.length - 1;
		if (n == 0) return 1;
		double area = 0;
		for (int t = 0; t < n; t++) area += (curve[t] + curve[t + 1]) / 2.0;
		return area / n / curve[0];
	}

	/** Area over the perturbation curve: the mean of f_0 - f_t over t = 0..N (Samek et al.). */
	public static double aopc(float[] curve) {
		double sum = 0;
		for (float f : curve) sum += curve[0] - f;
		return sum / curve.length;
	}
}
