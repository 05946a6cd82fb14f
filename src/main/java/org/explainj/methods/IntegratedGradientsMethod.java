package org.explainj.methods;

import java.util.List;

import org.explainj.ExplainException;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

/**
 * Integrated gradients (docs/METHODS.md 3.4): (x - x0) * sum_k w_k grad f(x0 + a_k (x - x0)), with the
 * right-endpoint Riemann sum a_k = k/m, w_k = 1/m, or Gauss-Legendre nodes. All path points of a batch
 * go through one copy of the network in one run. The completeness gap sum(IG) - (f(x) - f(x0)) is
 * reported with every map; with a gap target the steps double until it is met ({@link AdaptiveSteps}).
 */
public final class IntegratedGradientsMethod implements AttributionMethod {

	public static final String GAP = "completeness-gap";
	/** The path points an image needed, reported when the steps adapt to a gap target. */
	public static final String STEPS = "steps";

	@Override public String name() { return "integrated-gradients"; }

	@Override public String title() { return "Integrated Gradients"; }

	@Override public String description() { return "path integral of gradients from a baseline (signed)"; }

	@Override public Reduction defaultReduction() { return Reduction.SUM; }

	@Override
	public List<MethodParameter> parameters() {
		return List.of(new MethodParameter("steps", "50", "path points m").within(
			MethodParameter.Range.wholeAtLeast(1)), new MethodParameter("baseline", "zeros",
			Baselines.DESCRIPTION), new MethodParameter("rule", "riemann",
				"riemann (right endpoints k/m) or gauss-legendre"), new MethodParameter("gap", "0",
					"completeness target: double the steps until |gap| <= gap |f(x) - f(x0)| (0 = off; riemann)").within(
						MethodParameter.Range.atLeast(0)),
			new MethodParameter("max-steps", "1024", "most steps the doubling may reach").within(
				MethodParameter.Range.wholeAtLeast(1)));
	}

	@Override
	public int evaluationsPerImage(MethodSettings settings, int height, int width) {
		if (settings.number("gap") > 0) return AdaptiveSteps.largestLevel(settings.integer("steps"), settings.integer(
			"max-steps")) + 1;
		return settings.integer("steps") + 1;
	}

	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		Ops tf = context.tf();
		MethodSettings s = context.settings();
		int m = s.integer("steps");
		String ruleName = s.choice("rule", List.of("riemann", "gauss-legendre"));
		Operand<TFloat32> x0 = Baselines.of(context, s.string("baseline"));
		Operand<TFloat32> difference = tf.math.sub(context.targetScore(), context.targetScoreOn(x0, 1));
		double gap = s.number("gap");
		if (gap > 0) {
			if (!ruleName.equals("riemann")) throw new ExplainException("integrated-gradients: adaptive steps (gap > 0) " +
				"refine the riemann rule.", "Use rule=riemann with gap, or gap=0 with gauss-legendre.");
			return AdaptiveSteps.integrate(context, x0, difference, m, gap, s.integer("max-steps"));
		}
		double[][] rule = ruleName.equals("riemann") ? riemann(m) : gaussLegendre(m);
		Operand<TFloat32> ig = tf.math.mul(tf.math.sub(context.input(), x0), weightedGradients(context, context.input(),
			x0, rule[0], rule[1]));
		context.report(GAP, tf.math.sub(total(tf, ig), difference));
		return ig;
	}

	/** sum_k w_k grad f(x0 + a_k (x - x0)) per image, all path points through one network copy. */
	static Operand<TFloat32> weightedGradients(AttributionContext context, Operand<TFloat32> x, Operand<TFloat32> x0,
		double[] alphas, double[] weights)
	{
		Ops tf = context.tf();
		int m = alphas.length;
		Operand<TFloat32> delta = tf.math.sub(x, x0);
		Operand<TFloat32> shape5 = tf.reshape(tf.constant(toFloat(alphas)), tf.constant(new int[] { 1, m, 1, 1, 1 }));
		Operand<TFloat32> path = tf.math.add(tf.expandDims(x0, tf.constant(1)), tf.math.mul(shape5, tf.expandDims(delta,
			tf.constant(1))));
		Operand<TFloat32> grads = Shapes.split(tf, context.on(Shapes.merge(tf, path), m, context.settings()).gradient(), m);
		return tf.reduceSum(tf.math.mul(grads, tf.reshape(tf.constant(toFloat(weights)), tf.constant(new int[] { 1, m, 1,
			1, 1 }))), tf.constant(1));
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
