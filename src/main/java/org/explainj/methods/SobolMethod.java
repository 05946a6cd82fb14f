package org.explainj.methods;

import java.util.List;

import org.explainj.ExplainException;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Sobol attribution (Fel et al. 2021, docs/METHODS.md 4.6): the total-order Sobol index of every cell of a
 * cells x cells grid for the score on copies x0 + M (x - x0), M a quasi-Monte-Carlo design of real
 * masks in [0, 1]; Jansen's estimator on Saltelli's design (A, B and A with cell i taken from B). Needs
 * no gradient. The design is a Sobol sequence ({@link SobolSequence}, one number per mask and cell) with a
 * seeded random shift mod 1 added in the graph; the graph upsamples it to pixel masks. The design's rows
 * are the method's parts (each costs cells^2 + 2 evaluations), run in chunks that fit the batch size.
 */
public final class SobolMethod implements AttributionMethod {

	@Override public String name() { return "sobol"; }

	@Override public String title() { return "Sobol Attribution"; }

	@Override public String description() { return "total-order Sobol indices of grid cells under QMC masks (unsigned, no gradient)"; }

	@Override public Reduction defaultReduction() { return Reduction.SUM; }

	@Override
	public List<MethodParameter> parameters() {
		return List.of(new MethodParameter("masks", "32", "design size N (evaluations: N (cells^2 + 2))").within(
			MethodParameter.Range.wholeAtLeast(2)), new MethodParameter("cells", "8", "mask grid is cells x cells").within(
				new MethodParameter.Range(true, 1, Math.floor(Math.sqrt(SobolSequence.maxDimensions() / 2)), List.of())),
			Baselines.PARAMETER,
			MethodParameter.fed("seed", "0", "seed of the random shift of the design").within(MethodParameter.Range
				.anyWhole()));
	}

	/** The design's rows, cells^2 + 2 masks each, and the image itself (the shift of the sums). */
	@Override
	public int evaluationsPerImage(MethodSettings settings, int height, int width) {
		int cells = settings.integer("cells");
		return settings.integer("masks") * (cells * cells + 2) + 1;
	}

	/** The rows of the design. */
	@Override
	public int parts(MethodSettings settings, int height, int width) {
		return settings.integer("masks");
	}

	/**
	 * The share of this run's design rows k, per image [N, d + 2]: sum_k (f(A_k) - f(C_ik))^2 for every
	 * cell i, then sum_k (g(A_k) + g(B_k)) and sum_k (g(A_k)^2 + g(B_k)^2) with g = f - f(x) (the shift
	 * keeps the variance's difference of sums from cancelling in float).
	 */
	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		Ops tf = context.tf();
		MethodSettings s = context.settings();
		int h = context.model().height(), w = context.model().width();
		if (h <= 0 || w <= 0) throw new ExplainException("sobol needs a model with a fixed input size.",
			"Use another method for fully convolutional models.");
		int n = s.integer("masks"), cells = s.integer("cells");
		int d = cells * cells;
		Operand<TInt32> rows = context.partIndices();
		Operand<TInt32> count = tf.math.mul(tf.size(rows), tf.constant(d + 2));
		Operand<TFloat32> design = design(tf, rows, n, d, context.wholeNumber("seed")); // [P, d+2, d]
		Operand<TFloat32> masks = upsample(tf, tf.reshape(design, tf.constant(new int[] { -1, cells, cells, 1 })), h, w);
		Operand<TFloat32> f = Perturbations.scores(context, Baselines.of(context), tf.reshape(masks, tf.constant(new int[] {
			-1, h, w })), count);
		Operand<TFloat32> g = tf.reshape(tf.math.sub(f, tf.expandDims(context.targetScore(), tf.constant(1))), tf.stack(List
			.of(tf.constant(-1), tf.size(rows), tf.constant(d + 2)))); // [N, P, d+2]
		Operand<TFloat32> ga = slice(tf, g, 0, 1), gb = slice(tf, g, 1, 1), gc = slice(tf, g, 2, d); // [N,P,1|d]
		var rowsAxis = tf.constant(1);
		Operand<TFloat32> jumps = tf.reduceSum(tf.math.squaredDifference(ga, gc), rowsAxis); // [N, d]
		Operand<TFloat32> ab = tf.concat(List.of(ga, gb), tf.constant(2)); // [N, P, 2]
		Operand<TFloat32> sum = tf.reduceSum(ab, tf.constant(new int[] { 1, 2 }));
		Operand<TFloat32> sumOfSquares = tf.reduceSum(tf.math.square(ab), tf.constant(new int[] { 1, 2 }));
		return tf.concat(List.of(jumps, tf.expandDims(sum, tf.constant(1)), tf.expandDims(sumOfSquares, tf.constant(1))), tf
			.constant(1));
	}

	/**
	 * Jansen's total-order estimator from the summed shares: ST_i = (1/n) sum_k (f(A_k) - f(C_ik))^2 /
	 * (2 Var f), Var over the 2n scores of A and B (unbiased), upsampled to the cells' pixels.
	 */
	@Override
	public Operand<TFloat32> finish(AttributionContext context, Operand<TFloat32> sum) {
		Ops tf = context.tf();
		int n = context.settings().integer("masks"), cells = context.settings().integer("cells"), d = cells * cells;
		Operand<TFloat32> jumps = tf.slice(sum, tf.constant(new int[] { 0, 0 }), tf.constant(new int[] { -1, d }));
		Operand<TFloat32> total = tf.gather(sum, tf.constant(d), tf.constant(1));
		Operand<TFloat32> squares = tf.gather(sum, tf.constant(d + 1), tf.constant(1));
		Operand<TFloat32> variance = tf.math.div(tf.math.sub(squares, tf.math.div(tf.math.square(total), tf.constant(2f *
			n))), tf.constant(2f * n - 1));
		Operand<TFloat32> indices = tf.math.divNoNan(tf.math.div(jumps, tf.constant((float) n)), tf.expandDims(tf.math.mul(
			tf.constant(2f), variance), tf.constant(1)));
		return upsample(tf, tf.reshape(indices, tf.constant(new int[] { -1, cells, cells, 1 })), context.model().height(),
			context.model().width());
	}

	/** [N, P, count] from [N, P, d+2]: the columns first .. first + count - 1. */
	private static Operand<TFloat32> slice(Ops tf, Operand<TFloat32> g, int first, int count) {
		return tf.slice(g, tf.constant(new int[] { 0, 0, first }), tf.constant(new int[] { -1, -1, count }));
	}

	/**
	 * Saltelli's design for the rows {@code rows} ([P]) of n: per row k, A_k, B_k, then for every cell i
	 * A_k with column i from B_k, [P, d + 2, d]; A and B are the two halves of a 2d-dimensional Sobol
	 * sequence shifted by a seeded uniform vector mod 1.
	 */
	static Operand<TFloat32> design(Ops tf, Operand<TInt32> rows, int n, int d, Operand<TInt64> seed) {
		Operand<TFloat32> sobol = tf.gather(tf.constant(SobolSequence.points(n, 2 * d)), rows, tf.constant(0));
		Operand<TFloat32> shift = CounterRandom.uniform(tf, seed, tf.constant(new int[] { 0 }), tf.constant(2L * d));
		Operand<TFloat32> u = tf.math.floorMod(tf.math.add(sobol, shift), tf.constant(1f)); // [P, 2d]
		Operand<TFloat32> a = tf.expandDims(tf.slice(u, tf.constant(new int[] { 0, 0 }), tf.constant(new int[] { -1, d })),
			tf.constant(1));
		Operand<TFloat32> b = tf.expandDims(tf.slice(u, tf.constant(new int[] { 0, d }), tf.constant(new int[] { -1, d })),
			tf.constant(1)); // [P, 1, d]
		Operand<TFloat32> e = tf.expandDims(tf.oneHot(tf.range(tf.constant(0), tf.constant(d), tf.constant(1)), tf.constant(
			d), tf.constant(1f), tf.constant(0f)), tf.constant(0)); // [1, d, d]: row i of the identity
		Operand<TFloat32> c = tf.math.add(tf.math.mul(a, tf.math.sub(tf.constant(1f), e)), tf.math.mul(b, e)); // [P, d, d]
		return tf.concat(List.of(a, b, c), tf.constant(1));
	}

	/** Cells to pixels by nearest neighbour: a cell's value covers exactly the pixels its mask value covers. */
	private static Operand<TFloat32> upsample(Ops tf, Operand<TFloat32> grid, int h, int w) {
		return tf.image.resizeNearestNeighbor(grid, tf.constant(new int[] { h, w }));
	}
}
