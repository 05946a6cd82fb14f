package org.explainj.methods;

import java.util.List;

import org.explainj.ExplainException;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * RISE (Petsiuk et al. 2018, docs/METHODS.md 4.5): the score on randomly masked copies, averaged per pixel
 * over the masks that keep it. Needs no gradient, so it explains models the backward walk cannot cross.
 * The masks are the method's parts, run in chunks that fit the batch size: mask i is made in the graph
 * from the seed and i alone ({@link CounterRandom}), the same for every image, so a map does not depend
 * on the chunks or on the image's place in the batch.
 */
public final class RiseMethod implements AttributionMethod {

	@Override public String name() { return "rise"; }

	@Override public String title() { return "RISE"; }

	@Override public String description() { return "score on randomly masked copies, weighted by each mask (signed, no gradient)"; }

	@Override public Reduction defaultReduction() { return Reduction.SUM; }

	@Override
	public List<MethodParameter> parameters() {
		return List.of(MethodParameter.fed("masks", "1000", "number of random masks N").within(MethodParameter.Range
			.wholeAtLeast(1)), new MethodParameter("cells", "7", "mask grid is cells x cells").within(MethodParameter.Range
				.wholeAtLeast(1)), MethodParameter.fed("probability", "0.5", "chance p that a cell is kept")
					.within(new MethodParameter.Range(false, 0, 1, List.of())), MethodParameter.fed("seed", "0",
						"seed of the masks").within(MethodParameter.Range.anyWhole()));
	}

	@Override
	public int evaluationsPerImage(MethodSettings settings, int height, int width) {
		return settings.integer("masks");
	}

	/** The masks. */
	@Override
	public int parts(MethodSettings settings, int height, int width) {
		return settings.integer("masks");
	}

	@Override
	public void check(MethodSettings settings) {
		double p = settings.number("probability");
		// the range admits 0 and 1; a mask that always keeps (or hides) every cell carries no information
		if (!(p > 0 && p < 1)) throw new ExplainException("rise: probability must lie between 0 and 1 (exclusive), not " +
			p + ".", "Use e.g. probability=0.5.");
	}

	/**
	 * The share of this run's masks, in three channels: sum_i f_i M_i, sum_i f_i and sum_i M_i (f_i the
	 * score on the copy masked by M_i), which {@link #finish} turns into the centred estimator.
	 */
	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		Ops tf = context.tf();
		MethodSettings s = context.settings();
		int h = context.model().height(), w = context.model().width();
		if (h <= 0 || w <= 0) throw new ExplainException("rise needs a model with a fixed input size.",
			"Use another method for fully convolutional models.");
		Operand<TInt32> run = context.partIndices();
		Operand<TInt32> count = tf.size(run);
		Operand<TFloat32> masks = masks(tf, run, s.integer("cells"), context.scalar("probability"), context.wholeNumber(
			"seed"), h, w); // [P,h,w]
		Operand<TFloat32> scores = Perturbations.scores(context, tf.zerosLike(context.input()), masks, count); // [N,P]
		Operand<TFloat32> flat = tf.reshape(masks, tf.stack(List.of(count, tf.constant(h * w))));
		Operand<TFloat32> weighted = tf.reshape(tf.linalg.matMul(scores, flat), tf.constant(new int[] { -1, h, w, 1 }));
		Operand<TFloat32> ones = tf.onesLike(weighted);
		Operand<TFloat32> scoreSum = tf.math.mul(ones, tf.reshape(tf.reduceSum(scores, tf.constant(1)), tf.constant(
			new int[] { -1, 1, 1, 1 })));
		Operand<TFloat32> maskSum = tf.math.mul(ones, tf.reshape(tf.reduceSum(masks, tf.constant(0)), tf.constant(
			new int[] { 1, h, w, 1 })));
		return tf.concat(List.of(weighted, scoreSum, maskSum), tf.constant(3));
	}

	/**
	 * (sum f_i M_i - (sum f_i)(sum M_i) / N) / (N p) = sum (f_i - mean f) M_i / (N p): subtracting the mean
	 * masked score (a control variate) leaves E[f | pixel kept] - E[f], positive where keeping the pixel
	 * raises the score; without it every pixel would carry about E[f].
	 */
	@Override
	public Operand<TFloat32> finish(AttributionContext context, Operand<TFloat32> sum) {
		Ops tf = context.tf();
		var parts = tf.split(tf.constant(3), sum, 3L).output();
		Operand<TFloat32> n = context.scalar("masks");
		Operand<TFloat32> centred = tf.math.sub(parts.get(0), tf.math.div(tf.math.mul(parts.get(1), parts.get(2)), n));
		return tf.math.div(centred, tf.math.mul(n, context.scalar("probability")));
	}

	/**
	 * [P, h, w] soft masks number {@code indices} (consecutive): a (cells + 2)^2 grid of cells kept with
	 * probability p, spaced C = ceil(side / cells) pixels apart, sampled bilinearly at pixel (i + s) / C
	 * with a random shift s in [0, C) per mask and axis (the paper upsamples the grid and crops it at a
	 * random offset: the same thing). Mask i's (cells + 2)^2 + 2 numbers depend only on the seed and i.
	 */
	static Operand<TFloat32> masks(Ops tf, Operand<TInt32> indices, int cells, Operand<TFloat32> p,
		Operand<TInt64> seed, int h, int w)
	{
		int g = cells + 2;
		Operand<TFloat32> draws = CounterRandom.uniform(tf, seed, indices, tf.constant((long) g * g + 2)); // [P, g*g+2]
		Operand<TFloat32> cellDraws = tf.slice(draws, tf.constant(new int[] { 0, 0 }), tf.constant(new int[] { -1, g * g }));
		Operand<TFloat32> grid = tf.reshape(tf.dtypes.cast(tf.math.less(cellDraws, p), TFloat32.class), tf.constant(
			new int[] { -1, g, g }));
		Operand<TFloat32> sy = tf.slice(draws, tf.constant(new int[] { 0, g * g }), tf.constant(new int[] { -1, 1 }));
		Operand<TFloat32> sx = tf.slice(draws, tf.constant(new int[] { 0, g * g + 1 }), tf.constant(new int[] { -1, 1 }));
		// bilinear sampling as two products with interpolation weights: rows [P,h,g] x grid [P,g,g] x cols^T
		Operand<TFloat32> rows = bilinear(tf, sy, h, cells, g), cols = bilinear(tf, sx, w, cells, g);
		return tf.train.batchMatMul(tf.train.batchMatMul(rows, grid, TFloat32.class), cols, TFloat32.class,
			BatchMatMul.adjY(true));
	}

	/**
	 * [P, size, g]: the weight max(0, 1 - |u - r|) of grid line r for pixel i at grid coordinate u = s + i /
	 * C, s the mask's shift [P, 1] in [0, 1) (in grid units); u stays within the grid's g = cells + 2 lines.
	 */
	private static Operand<TFloat32> bilinear(Ops tf, Operand<TFloat32> shift, int size, int cells, int g) {
		double spacing = Math.ceil((double) size / cells);
		float[] offsets = new float[size], lines = new float[g];
		for (int i = 0; i < size; i++) offsets[i] = (float) (i / spacing);
		for (int r = 0; r < g; r++) lines[r] = r;
		Operand<TFloat32> u = tf.math.add(tf.expandDims(shift, tf.constant(2)), tf.reshape(tf.constant(offsets), tf
			.constant(new int[] { 1, size, 1 })));
		Operand<TFloat32> distance = tf.math.abs(tf.math.sub(u, tf.reshape(tf.constant(lines), tf.constant(new int[] { 1, 1,
			g }))));
		return tf.nn.relu(tf.math.sub(tf.constant(1f), distance));
	}
}
