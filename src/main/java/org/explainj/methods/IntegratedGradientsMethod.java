package org.explainj.methods;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.explainj.ExplainException;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Integrated gradients (docs/METHODS.md 3.4): (x - x0) * sum_k w_k grad f(x0 + a_k (x - x0)), with the
 * right-endpoint Riemann sum a_k = k/m, w_k = 1/m, or Gauss-Legendre nodes. The path points are the
 * method's parts: the explainer feeds them in chunks that fit the batch size (one graph for any number
 * of steps) and adds the shares up. The completeness gap sum(IG) - (f(x) - f(x0)) is reported with
 * every map. With a gap target the steps double until it is met ({@link AdaptiveSteps}); those levels
 * are built into the graph, so their settings key it.
 */
public final class IntegratedGradientsMethod implements AttributionMethod {

	public static final String GAP = "completeness-gap";
	/** The path points an image needed, reported when the steps adapt to a gap target. */
	public static final String STEPS = "steps";

	@Override public String name() { return "integrated-gradients"; }

	@Override public String title() { return "Integrated Gradients"; }

	@Override public String description() { return "path integral of gradients from a baseline (signed)"; }

	@Override public Reduction defaultReduction() { return Reduction.SUM; }

	private static final List<String> RULES = List.of("riemann", "gauss-legendre");

	@Override
	public List<MethodParameter> parameters() {
		return List.of(MethodParameter.fed("steps", "50", "path points m from the baseline to the image").within(MethodParameter.Range.wholeAtLeast(1)),
			Baselines.PARAMETER, MethodParameter.fed("rule", "riemann", "riemann (right endpoints k/m) or gauss-legendre")
				.among(RULES),
			new MethodParameter("gap", "0", "completeness target: double the steps until |gap| <= gap |f(x) - f(x0)| " +
				"(0 = off; riemann)").within(MethodParameter.Range.atLeast(0)), new MethodParameter("max-steps", "1024",
					"most steps the doubling may reach").within(MethodParameter.Range.wholeAtLeast(1)));
	}

	@Override
	public int evaluationsPerImage(MethodSettings settings, int height, int width) {
		if (adaptive(settings)) return AdaptiveSteps.largestLevel(settings.integer("steps"), settings.integer(
			"max-steps")) + 1;
		return settings.integer("steps") + 1;
	}

	/** Adaptive runs build their levels into the graph: one part, and every value keys the graph. */
	private static boolean adaptive(MethodSettings settings) {
		return settings.number("gap") > 0;
	}

	@Override
	public Map<String, String> structure(MethodSettings settings) {
		return adaptive(settings) ? new TreeMap<>(settings.values()) : AttributionMethod.super.structure(settings);
	}

	@Override
	public int parts(MethodSettings settings, int height, int width) {
		return adaptive(settings) ? 1 : settings.integer("steps");
	}

	@Override
	public void check(MethodSettings settings) {
		if (settings.string("rule").equals("gauss-legendre") && adaptive(settings)) throw new ExplainException(
			"integrated-gradients: adaptive steps (gap > 0) refine the riemann rule.",
			"Use rule=riemann with gap, or gap=0 with gauss-legendre.");
	}

	/** Path positions a_k ("alpha") and weights w_k ("weight") of the quadrature rule. */
	@Override
	public Map<String, float[]> partValues(MethodSettings settings) {
		check(settings);
		if (adaptive(settings)) return Map.of();
		int m = settings.integer("steps");
		double[][] rule = settings.string("rule").equals("riemann") ? riemann(m) : gaussLegendre(m);
		return Map.of("alpha", toFloat(rule[0]), "weight", toFloat(rule[1]));
	}

	/**
	 * The share of the path points of this run: (x - x0) * sum_k w_k grad f(x0 + a_k (x - x0)); the gap's
	 * share is sum(share) - sum_k w_k (f(x) - f(x0)), so that the shares add up to IG and its gap.
	 */
	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		Ops tf = context.tf();
		Operand<TFloat32> x = context.input();
		// a baseline shared by every image is scored as one row; f(x) - f(x0) is computed once per image
		Operand<TFloat32> row = Baselines.sharedRow(context);
		Operand<TFloat32> x0 = Baselines.of(context, row);
		Operand<TFloat32> difference = context.oncePerImage(tf.math.sub(context.targetScore(), context.targetScoreOn(
			row == null ? x0 : row, 1)));
		MethodSettings s = context.settings();
		if (adaptive(s)) return AdaptiveSteps.integrate(context, x0, difference, s.integer("steps"), s.number("gap"), s
			.integer("max-steps"));
		Operand<TFloat32> alphas = context.partValues("alpha");
		Operand<TFloat32> weights = context.partValues("weight");
		Operand<TFloat32> share = tf.math.mul(tf.math.sub(x, x0), weightedGradients(context, x, x0, alphas, weights, tf
			.size(alphas)));
		context.report(GAP, tf.math.sub(total(tf, share), tf.math.mul(difference, tf.reduceSum(weights, tf.constant(0)))));
		return share;
	}

	/** sum_k w_k grad f(x0 + a_k (x - x0)) per image, the m path points through one network copy. */
	static Operand<TFloat32> weightedGradients(AttributionContext context, Operand<TFloat32> x, Operand<TFloat32> x0,
		Operand<TFloat32> alphas, Operand<TFloat32> weights, Operand<TInt32> m)
	{
		Ops tf = context.tf();
		Operand<TInt32> column = tf.constant(new int[] { 1, -1, 1, 1, 1 });
		Operand<TFloat32> path = tf.math.add(tf.expandDims(x0, tf.constant(1)), tf.math.mul(tf.reshape(alphas, column), tf
			.expandDims(tf.math.sub(x, x0), tf.constant(1))));
		AttributionContext points = context.on(Shapes.merge(tf, path), m, tf.math.reciprocal(tf.dtypes.cast(m,
			TFloat32.class)), context.settings());
		Operand<TFloat32> grads = Shapes.split(tf, points.gradient(), m);
		return tf.reduceSum(tf.math.mul(grads, tf.reshape(weights, column)), tf.constant(1));
	}

	/** The same with path positions and weights known when the graph is built. */
	static Operand<TFloat32> weightedGradients(AttributionContext context, Operand<TFloat32> x, Operand<TFloat32> x0,
		double[] alphas, double[] weights)
	{
		Ops tf = context.tf();
		return weightedGradients(context, x, x0, tf.constant(toFloat(alphas)), tf.constant(toFloat(weights)), tf.constant(
			alphas.length));
	}

	/** The sum of each image's map, [N]. */
	static Operand<TFloat32> total(Ops tf, Operand<TFloat32> map) {
		return tf.reduceSum(map, tf.constant(new int[] { 1, 2, 3 }), ReduceSum.keepDims(false));
	}

	static double[][] riemann(int m) {
		double[] a = new double[m], w = new double[m];
		for (int k = 0; k < m; k++) {
			a[k] = (k + 1.0) / m;
			w[k] = 1.0 / m;
		}
		return new double[][] { a, w };
	}

	/** Nodes and weights of m-point Gauss-Legendre quadrature mapped to (0, 1); weights sum to 1. */
	static double[][] gaussLegendre(int m) {
		double[] a = new double[m], w = new double[m];
		for (int i = 0; i < m; i++) {
			double t = Math.cos(Math.PI * (i + 0.75) / (m + 0.5)), dp = 0;
			for (int iter = 0; iter < 100; iter++) {
				double p0 = 1, p1 = t;
				for (int j = 2; j <= m; j++) {
					double p2 = ((2 * j - 1) * t * p1 - (j - 1) * p0) / j;
					p0 = p1;
					p1 = p2;
				}
				double pm = m == 1 ? t : p1, pm1 = m == 1 ? 1 : p0;
				dp = m * (t * pm - pm1) / (t * t - 1);
				double step = pm / dp;
				t -= step;
				if (Math.abs(step) < 1e-15) break;
			}
			a[i] = (1 - t) / 2;
			w[i] = 1 / ((1 - t * t) * dp * dp);
		}
		return new double[][] { a, w };
	}

	private static float[] toFloat(double[] v) {
		float[] f = new float[v.length];
		for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
		return f;
	}
}
