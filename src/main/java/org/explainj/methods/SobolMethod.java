package org.explainj.methods;

import java.util.List;

import org.explainj.ExplainException;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;

/**
 * Sobol attribution (Fel et al. 2021, docs/METHODS.md): the total-order Sobol index of every cell of a
 * cells x cells grid for the score on copies x0 + M (x - x0), M a quasi-Monte-Carlo design of real
 * masks in [0, 1]; Jansen's estimator on Saltelli's design (A, B and A with cell i taken from B). Needs
 * no gradient. The design is a Sobol sequence ({@link SobolSequence}, one number per mask and cell) with a
 * seeded random shift mod 1 added in the graph; the graph upsamples it to pixel masks.
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
			new MethodParameter("seed", "0", "seed of the random shift of the design").within(MethodParameter.Range
				.anyWhole()));
	}

	@Override
	public int evaluationsPerImage(MethodSettings settings, int height, int width) {
		int cells = settings.integer("cells");
		return Perturbations.evaluationsAtOnce(settings.integer("masks") * (cells * cells + 2));
	}

	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		Ops tf = context.tf();
		MethodSettings s = context.settings();
		int h = context.model().height(), w = context.model().width();
		if (h <= 0 || w <= 0) throw new ExplainException("sobol needs a model with a fixed input size.",
			"Use another method for fully convolutional models.");
		int n = s.integer("masks"), cells = s.integer("cells");
		int d = cells * cells, count = n * (d + 2);
		Operand<TFloat32> design = design(tf, n, d, s.integer("seed")); // [(d+2) n, d]
		Operand<TFloat32> masks = upsample(tf, tf.reshape(design, tf.constant(new int[] { count, cells, cells, 1 })), h, w);
		Operand<TFloat32> f = Perturbations.scores(context, Baselines.of(context), tf.reshape(masks,
			tf.constant(new int[] { count, h, w })), count);
		Operand<TFloat32> total = totalOrder(tf, f, n, d); // [N, d]
		return upsample(tf, tf.reshape(total, tf.constant(new int[] { -1, cells, cells, 1 })), h, w);
	}

	/**
	 * Saltelli's design, n rows each: A, B, then for every cell i the matrix A with column i from B; A and
	 * B are the two halves of a 2d-dimensional Sobol sequence shifted by a seeded uniform vector mod 1.
	 */
	static Operand<TFloat32> design(Ops tf, int n, int d, long seed) {
		Operand<TFloat32> sobol = tf.constant(SobolSequence.points(n, 2 * d));
		Operand<TFloat32> shift = tf.random.statelessRandomUniform(tf.constant(new int[] { 2 * d }), Perturbations.seed(
			tf, seed, 2), TFloat32.class);
		Operand<TFloat32> u = tf.math.floorMod(tf.math.add(sobol, shift), tf.constant(1f));
		Operand<TFloat32> a = tf.slice(u, tf.constant(new int[] { 0, 0 }), tf.constant(new int[] { n, d }));
		Operand<TFloat32> b = tf.slice(u, tf.constant(new int[] { 0, d }), tf.constant(new int[] { n, d }));
		Operand<TFloat32> e = tf.expandDims(tf.oneHot(tf.range(tf.constant(0), tf.constant(d), tf.constant(1)), tf.constant(
			d), tf.constant(1f), tf.constant(0f)), tf.constant(1)); // [d, 1, d]: row i of the identity
		Operand<TFloat32> c = tf.math.add(tf.math.mul(tf.expandDims(a, tf.constant(0)), tf.math.sub(tf.constant(1f), e)),
			tf.math.mul(tf.expandDims(b, tf.constant(0)), e)); // [d, n, d]
		return tf.concat(List.of(a, b, tf.reshape(c, tf.constant(new int[] { d * n, d }))), tf.constant(0));
	}

	/**
	 * Jansen's total-order estimator from the scores [N, (d + 2) n] of the design: ST_i = mean_k (f(A_k) -
	 * f(C_ik))^2 / (2 Var f), Var over the 2n scores of A and B (unbiased).
	 */
	static Operand<TFloat32> totalOrder(Ops tf, Operand<TFloat32> f, int n, int d) {
		Operand<TFloat32> fa = tf.slice(f, tf.constant(new int[] { 0, 0 }), tf.constant(new int[] { -1, n }));
		Operand<TFloat32> fab = tf.slice(f, tf.constant(new int[] { 0, 0 }), tf.constant(new int[] { -1, 2 * n }));
		Operand<TFloat32> fc = tf.reshape(tf.slice(f, tf.constant(new int[] { 0, 2 * n }), tf.constant(new int[] { -1,
			d * n })), tf.constant(new int[] { -1, d, n }));
		Operand<TFloat32> mean = tf.math.mean(fab, tf.constant(1), Mean.keepDims(true));
		Operand<TFloat32> variance = tf.math.div(tf.reduceSum(tf.math.squaredDifference(fab, mean), tf.constant(1)), tf
			.constant(2f * n - 1));
		Operand<TFloat32> jump = tf.math.mean(tf.math.squaredDifference(tf.expandDims(fa, tf.constant(1)), fc), tf
			.constant(2));
		return tf.math.divNoNan(jump, tf.expandDims(tf.math.mul(tf.constant(2f), variance), tf.constant(1)));
	}

	/** Cells to pixels by nearest neighbour: a cell's value covers exactly the pixels its mask value covers. */
	private static Operand<TFloat32> upsample(Ops tf, Operand<TFloat32> grid, int h, int w) {
		return tf.image.resizeNearestNeighbor(grid, tf.constant(new int[] { h, w }));
	}
}
