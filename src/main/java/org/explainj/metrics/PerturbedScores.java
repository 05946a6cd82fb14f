package org.explainj.metrics;

import java.util.Arrays;
import java.util.List;

import org.explainj.methods.InputBatch;
import org.explainj.model.ClassifierModel;
import org.explainj.model.NetworkCopy;
import org.explainj.model.ScoreKind;
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
 * What the perturbation metrics (selectivity, insertion, MuFidelity) share: their graph's inputs (images,
 * relevance maps [n,h,w,1], explained classes, the columns of a run: removal steps or subsets, each one
 * perturbed image per image), the target's logit of perturbed images through a network copy, what a
 * removed region holds, and the chunked run that scores at most batch-size perturbed images at a time.
 */
final class PerturbedScores {

	/** The fed images, maps, classes and columns [P], and the per-image values of the columns [n, v, P]. */
	record Graph(Inputs in, Operand<TFloat32> result) {

		/** {@code body} gives v values per image and column, each [n, P]. */
		static Graph of(Ops tf, java.util.function.Function<Inputs, List<Operand<TFloat32>>> body) {
			Inputs in = new Inputs(tf.placeholder(TFloat32.class), tf.placeholder(TFloat32.class), tf.placeholder(
				TInt32.class), tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1))));
			return new Graph(in, tf.stack(body.apply(in), org.tensorflow.op.core.Stack.axis(1L)));
		}
	}

	record Inputs(Placeholder<TFloat32> x, Placeholder<TFloat32> relevance, Placeholder<TInt32> target,
		Placeholder<TInt32> columns)
	{
		/** How many columns a run has. */
		Operand<TInt32> count(Ops tf) {
			return tf.size(columns);
		}
	}

	private PerturbedScores() {}

	/** The target's logit of k perturbed images per sample ([n*k,h,w,c], k consecutive rows each), as [n,k]. */
	static Operand<TFloat32> targetLogits(Ops tf, ClassifierModel model, Operand<TFloat32> images,
		Operand<TInt32> target, Operand<TInt32> k)
	{
		return targetScores(tf, model, images, target, k, ScoreKind.LOGIT);
	}

	/** The same for another score of the target (its probability for insertion), as [n,k]. */
	static Operand<TFloat32> targetScores(Ops tf, ClassifierModel model, Operand<TFloat32> images,
		Operand<TInt32> target, Operand<TInt32> k, ScoreKind kind)
	{
		Operand<TFloat32> logits = model.scores(tf, kind, NetworkCopy.apply(model, images).of(model.logits()));
		Operand<TInt32> repeated = tf.reshape(tf.tile(tf.expandDims(target, tf.constant(1)), tf.stack(List.of(tf.constant(
			1), k))), tf.constant(new int[] { -1 }));
		Operand<TFloat32> oneHot = tf.oneHot(repeated, tf.constant(model.numClasses()), tf.constant(1f), tf.constant(0f));
		return tf.reshape(tf.reduceSum(tf.math.mul(logits, oneHot), tf.constant(1)), tf.stack(List.of(tf.constant(-1),
			k)));
	}

	/** Per image [n,h,w,c], what a removed region holds: zeros, the image's mean, uniform noise or a box blur. */
	static Operand<TFloat32> fill(Ops tf, Operand<TFloat32> x, String fill, int window, long seed) {
		var axes = tf.constant(new int[] { 1, 2 });
		return switch (fill) {
			case "zeros" -> tf.zerosLike(x);
			case "mean" -> tf.math.mul(tf.onesLike(x), tf.math.mean(x, axes, Mean.keepDims(true)));
			case "noise" -> {
				var all = tf.constant(new int[] { 1, 2, 3 });
				Operand<TFloat32> lo = tf.reduceMin(x, all, ReduceMin.keepDims(true));
				Operand<TFloat32> hi = tf.reduceMax(x, all, ReduceMax.keepDims(true));
				Operand<TFloat32> u = tf.random.statelessRandomUniform(tf.shape(x), tf.constant(new long[] { seed, 1 }),
					TFloat32.class);
				yield tf.math.add(lo, tf.math.mul(u, tf.math.sub(hi, lo)));
			}
			default -> {
				// box blur over (2 * window + 1) pixels: removes the window's detail
				long side = 2L * window + 1;
				yield tf.nn.avgPool(x, List.of(1L, side, side, 1L), List.of(1L, 1L, 1L, 1L), "SAME");
			}
		};
	}

	/**
	 * Per-window masks [n*m,h,w,1] from window values [n*m, th, tw]: th x tw windows of k x k pixels laid
	 * from the top-left corner (see {@link #firstWindows}).
	 */
	static Operand<TFloat32> pixelMask(Ops tf, Operand<TFloat32> windows, int th, int tw, int k, int h, int w) {
		Operand<TFloat32> grid = tf.expandDims(windows, tf.constant(3));
		return fit(tf, tf.image.resizeNearestNeighbor(grid, tf.constant(new int[] { th * k, tw * k })), th * k, tw * k, h, w);
	}

	/**
	 * Masks [n, P, h, w, 1] holding, for each t, the first {@code counts[t]} windows of each image's order
	 * (most relevant first; {@code counts} [P] at most {@code ranked}). The windows are th x tw squares of k
	 * pixels laid from the top-left corner, as {@link #pixelMask} lays them: where they pass the border
	 * (th k > h) the cut windows are ranked by their mean over the pixels they hold, where they fall short
	 * of it the strip left over belongs to no window.
	 */
	static Operand<TFloat32> firstWindows(Ops tf, Operand<TFloat32> relevance, int k, int th, int tw, int h, int w,
		int ranked, Operand<TInt32> counts)
	{
		int tiles = th * tw;
		List<Long> window = List.of(1L, (long) k, (long) k, 1L);
		Operand<TFloat32> pooled = tf.nn.avgPool(fit(tf, relevance, h, w, th * k, tw * k), window, window, "VALID");
		// the zeros padded in count in the pool's mean: scale it to the pixels each window holds
		float[] held = new float[tiles];
		for (int i = 0; i < th; i++) for (int j = 0; j < tw; j++) held[i * tw + j] = (float) k * k / (Math.min(k, h - i *
			k) * Math.min(k, w - j * k));
		Operand<TFloat32> windowMeans = tf.math.mul(tf.reshape(pooled, tf.constant(new int[] { -1, tiles })), tf.constant(
			held));
		Operand<TInt32> order = tf.nn.topK(windowMeans, tf.constant(ranked), new org.tensorflow.op.nn.TopK.Options[0])
			.indices();
		// first[t] = the first t windows of the order, t = 0..ranked
		Operand<TFloat32> picked = tf.oneHot(order, tf.constant(tiles), tf.constant(1f), tf.constant(0f)); // [n,R,T]
		Operand<TFloat32> first = tf.concat(List.of(tf.zerosLike(tf.slice(picked, tf.constant(new int[] { 0, 0, 0 }), tf
			.constant(new int[] { -1, 1, -1 }))), tf.math.cumsum(picked, tf.constant(1))), tf.constant(1)); // [n,R+1,T]
		Operand<TFloat32> chosen = tf.gather(first, counts, tf.constant(1)); // [n,P,T]
		Operand<TFloat32> masks = pixelMask(tf, tf.reshape(chosen, tf.constant(new int[] { -1, th, tw })), th, tw, k, h, w);
		return tf.reshape(masks, tf.stack(List.of(tf.constant(-1), tf.size(counts), tf.constant(h), tf.constant(w), tf
			.constant(1))));
	}

	/** [n,h,w,c] cut or padded with zeros at the bottom and right to [n,toH,toW,c]. */
	private static Operand<TFloat32> fit(Ops tf, Operand<TFloat32> x, int h, int w, int toH, int toW) {
		Operand<TFloat32> cut = tf.slice(x, tf.constant(new int[] { 0, 0, 0, 0 }), tf.constant(new int[] { -1, Math.min(h,
			toH), Math.min(w, toW), -1 }));
		return tf.pad(cut, tf.constant(new int[][] { { 0, 0 }, { 0, Math.max(0, toH - h) }, { 0, Math.max(0, toW - w) }, {
			0, 0 } }), tf.constant(0f));
	}

	/**
	 * Runs the graph for {@code columns} columns per image (each one network evaluation), at most
	 * {@code batchSize} evaluations a run: whole images while they fit, else one image's columns in
	 * chunks; returns [n][v * columns], value j of column t at j * columns + t.
	 */
	static float[][] run(ClassifierModel model, Graph ops, InputBatch x, float[] relevance, int[] targets,
		int columns, int batchSize)
	{
		int h = x.height(), w = x.width(), c = x.channels(), size = h * w;
		float[][] out = new float[x.n()][];
		int images = Math.max(1, batchSize / columns), perRun = images > 1 ? columns : Math.max(1, Math.min(columns,
			batchSize));
		for (int start = 0; start < x.n(); start += images) {
			int n = Math.min(images, x.n() - start);
			try (TFloat32 tx = TFloat32.tensorOf(Shape.of(n, h, w, c), DataBuffers.of(x.data(), true, false).slice(
					(long) start * size * c, (long) n * size * c));
				TFloat32 tr = TFloat32.tensorOf(Shape.of(n, h, w, 1), DataBuffers.of(relevance, true, false).slice(
					(long) start * size, (long) n * size));
				TInt32 tt = TInt32.vectorOf(Arrays.copyOfRange(targets, start, start + n)))
			{
				for (int first = 0; first < columns; first += perRun) {
					int p = Math.min(perRun, columns - first);
					int[] chunk = new int[p];
					for (int t = 0; t < p; t++) chunk[t] = first + t;
					try (TInt32 tc = TInt32.vectorOf(chunk); Result r = model.session().runner().feed(ops.in().x(), tx).feed(ops
						.in().relevance(), tr).feed(ops.in().target(), tt).feed(ops.in().columns(), tc).fetch(ops.result()).run())
					{
						TFloat32 result = (TFloat32) r.get(0);
						int values = (int) result.shape().size(1);
						float[] flat = new float[n * values * p];
						result.asRawTensor().data().asFloats().read(flat);
						for (int i = 0; i < n; i++) {
							if (out[start + i] == null) out[start + i] = new float[values * columns];
							for (int v = 0; v < values; v++) System.arraycopy(flat, (i * values + v) * p, out[start + i], v * columns +
								first, p);
						}
					}
				}
			}
		}
		return out;
	}
}
