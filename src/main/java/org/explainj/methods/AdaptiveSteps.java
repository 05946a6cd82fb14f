package org.explainj.methods;

import java.util.Arrays;
import java.util.List;

import org.explainj.ExplainException;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.SwitchCond;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * Integrated gradients with adaptive steps (docs/METHODS.md 3.4): the right-endpoint Riemann sum with m, 2m,
 * 4m ... points until the completeness gap of an image is at most {@code gap} |f(x) - f(x0)| or the steps
 * would pass {@code maxSteps}. The points k/m are among the points of 2m, so each level evaluates only
 * the m new midpoints. Every level is a branch of the graph behind a Switch on "some image of the batch
 * still misses the target", so a level that is not needed is not run; an image keeps the first level
 * that met its target. The steps used are reported per image ({@link IntegratedGradientsMethod#STEPS}).
 */
final class AdaptiveSteps {

	private AdaptiveSteps() {}

	/** The most network evaluations one level takes per image (the baseline not counted). */
	static int largestLevel(int steps, int maxSteps) {
		int m = Math.max(1, steps);
		while (2L * m <= maxSteps) m *= 2;
		return Math.max(steps, m / 2);
	}

	static Operand<TFloat32> integrate(AttributionContext context, Operand<TFloat32> x0, Operand<TFloat32> difference,
		int steps, double gap, int maxSteps)
	{
		if (maxSteps < steps) throw new ExplainException("integrated-gradients: max-steps (" + maxSteps + ") is below " +
			"steps (" + steps + ").", "Give max-steps of at least steps, e.g. max-steps=1024.");
		Ops tf = context.tf();
		Operand<TFloat32> x = context.input();
		Operand<TFloat32> target = tf.math.mul(tf.constant((float) gap), tf.math.abs(difference));
		int m = steps;
		Operand<TFloat32> sum = IntegratedGradientsMethod.weightedGradients(context, x, x0, IntegratedGradientsMethod
			.riemann(m)[0], ones(m));
		Operand<TFloat32> ig = tf.math.mul(tf.math.sub(x, x0), tf.math.div(sum, tf.constant((float) m)));
		Operand<TFloat32> missed = tf.math.sub(IntegratedGradientsMethod.total(tf, ig), difference);
		Operand<TFloat32> used = tf.math.mul(tf.onesLike(difference), tf.constant((float) m));
		while (2L * m <= maxSteps) {
			Operand<TBool> open = tf.math.greater(tf.math.abs(missed), target);
			Operand<TBool> any = tf.reduceAny(open, tf.constant(0));
			SwitchCond<TFloat32> xs = tf.switchCond(x, any), x0s = tf.switchCond(x0, any), sums = tf.switchCond(sum, any);
			SwitchCond<TFloat32> igs = tf.switchCond(ig, any), gaps = tf.switchCond(missed, any), usedSwitch = tf.switchCond(used,
				any);
			double[] midpoints = new double[m];
			for (int j = 0; j < m; j++) midpoints[j] = (2 * j + 1) / (2.0 * m);
			Operand<TFloat32> added = IntegratedGradientsMethod.weightedGradients(context, xs.outputTrue(), x0s.outputTrue(),
				midpoints, ones(m));
			m *= 2;
			Operand<TFloat32> refined = tf.math.add(sums.outputTrue(), added);
			Operand<TFloat32> finer = tf.math.mul(tf.math.sub(xs.outputTrue(), x0s.outputTrue()), tf.math.div(refined, tf
				.constant((float) m)));
			// images that met the target keep their map: refine = 1 only where this level was needed
			Operand<TFloat32> refine = tf.dtypes.cast(tf.switchCond(open, any).outputTrue(), TFloat32.class);
			Operand<TFloat32> perPixel = tf.reshape(refine, tf.constant(new int[] { -1, 1, 1, 1 }));
			Operand<TFloat32> keptIg = blend(tf, perPixel, finer, igs.outputTrue());
			Operand<TFloat32> keptGap = blend(tf, refine, tf.math.sub(IntegratedGradientsMethod.total(tf, finer),
				difference), gaps.outputTrue());
			Operand<TFloat32> keptSteps = blend(tf, refine, tf.math.mul(tf.onesLike(refine), tf.constant((float) m)), usedSwitch
				.outputTrue());
			sum = tf.merge(List.of(refined, sums.outputFalse())).output();
			ig = tf.merge(List.of(keptIg, igs.outputFalse())).output();
			missed = tf.merge(List.of(keptGap, gaps.outputFalse())).output();
			used = tf.merge(List.of(keptSteps, usedSwitch.outputFalse())).output();
		}
		context.report(IntegratedGradientsMethod.GAP, missed);
		context.report(IntegratedGradientsMethod.STEPS, used);
		return ig;
	}

	private static double[] ones(int m) {
		double[] w = new double[m];
		Arrays.fill(w, 1);
		return w;
	}

	/** w a + (1 - w) b for a 0/1 weight w. */
	private static Operand<TFloat32> blend(Ops tf, Operand<TFloat32> w, Operand<TFloat32> a, Operand<TFloat32> b) {
		return tf.math.add(tf.math.mul(w, a), tf.math.mul(tf.math.sub(tf.constant(1f), w), b));
	}
}
