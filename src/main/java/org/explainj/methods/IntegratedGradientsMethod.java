package org.explainj.methods;

import java.util.List;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

/**
 * Integrated gradients (docs/METHODS.md 3.4): (x - x0) * sum_k w_k grad f(x0 + a_k (x - x0)), with the
 * right-endpoint Riemann sum a_k = k/m, w_k = 1/m, or Gauss-Legendre nodes. All path points of a batch
 * go through one copy of the network in one run. The completeness gap sum(IG) - (f(x) - f(x0)) is
 * reported with every map.
 */
public final class IntegratedGradientsMethod implements AttributionMethod {

	public static final String GAP = "completeness-gap";

	@Override public String name() { return "integrated-gradients"; }

	@Override public String title() { return "Integrated Gradients"; }

	@Override public String description() { return "path integral of gradients from a baseline (signed)"; }

	@Override public Reduction defaultReduction() { return Reduction.SUM; }

	@Override
	public List<MethodParameter> parameters() {
		return List.of(new MethodParameter("steps", "50", "path points m").within(
			MethodParameter.Range.wholeAtLeast(1)), new MethodParameter("baseline", "zeros",
			Baselines.DESCRIPTION), new MethodParameter("rule", "riemann",
				"riemann (right endpoints k/m) or gauss-legendre"));
	}

	@Override
	public int evaluationsPerImage(MethodSettings settings, int height, int width) {
		return settings.integer("steps") + 1;
	}

	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		Ops tf = context.tf();
		MethodSettings s = context.settings();
		int m = s.integer("steps");
		double[][] rule = s.choice("rule", List.of("riemann", "gauss-legendre")).equals("riemann") ? riemann(m)
			: gaussLegendre(m);
		Operand<TFloat32> x = context.input();
		Operand<TFloat32> x0 = Baselines.of(context, s.string("baseline"));
		Operand<TFloat32> delta = tf.math.sub(x, x0);
		Operand<TFloat32> alphas = tf.constant(toFloat(rule[0]));
		Operand<TFloat32> weights = tf.constant(toFloat(rule[1]));
		Operand<TFloat32> shape5 = tf.reshape(alphas, tf.constant(new int[] { 1, m, 1, 1, 1 }));
		Operand<TFloat32> path = tf.math.add(tf.expandDims(x0, tf.constant(1)), tf.math.mul(shape5, tf.expandDims(delta,
			tf.constant(1))));
		Operand<TFloat32> grads = Shapes.split(tf, context.on(Shapes.merge(tf, path), m, s).gradient(), m);
		Operand<TFloat32> mean = tf.reduceSum(tf.math.mul(grads, tf.reshape(weights, tf.constant(new int[] { 1, m, 1, 1,
			1 }))), tf.constant(1));
		Operand<TFloat32> ig = tf.math.mul(delta, mean);
		Operand<TFloat32> total = tf.reduceSum(ig, tf.constant(new int[] { 1, 2, 3 }), ReduceSum.keepDims(false));
		Operand<TFloat32> difference = tf.math.sub(context.targetScore(), context.targetScoreOn(x0, 1));
		context.report(GAP, tf.math.sub(total, difference));
		return ig;
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
