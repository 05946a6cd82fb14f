package org.explainj.methods;

import java.util.List;

import org.explainj.ExplainException;
import org.explainj.methods.MethodParameter.Range;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceMax;
import org.tensorflow.op.core.ReduceMin;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * SmoothGrad as a noise tunnel (docs/METHODS.md 3.5, Captum's design): any method, run on n noisy copies
 * x + N(0, sigma^2) with sigma = noise * (max(x) - min(x)), then averaged (smoothgrad), averaged as
 * squares (smoothgrad-squared) or their variance (vargrad). The noise is drawn in the graph from a
 * stateless generator, so one seed gives one map.
 */
public final class NoiseTunnelMethod implements AttributionMethod {

	@Override public String name() { return "smoothgrad"; }

	@Override public String title() { return "SmoothGrad"; }

	@Override public String description() { return "noise tunnel: any method averaged over noisy copies"; }

	@Override public Reduction defaultReduction() { return Reduction.MAX_ABS; }

	@Override
	public List<MethodParameter> parameters() {
		return List.of(new MethodParameter("of", "gradient", "the wrapped method"), new MethodParameter("samples", "50",
			"noisy copies n").within(Range.wholeAtLeast(1)), new MethodParameter("noise", "0.15",
				"sigma as a fraction of the image's value range").within(Range.atLeast(0)),
			new MethodParameter("variant", "smoothgrad", "smoothgrad, smoothgrad-squared or vargrad"),
			new MethodParameter("seed", "0", "seed of the noise").within(Range.anyWhole()));
	}

	@Override
	public int evaluationsPerImage(MethodSettings settings, int height, int width) {
		AttributionMethod wrapped = Methods.byName(settings.string("of"));
		return settings.integer("samples") * wrapped.evaluationsPerImage(MethodSettings.defaults(wrapped), height, width);
	}

	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		Ops tf = context.tf();
		MethodSettings s = context.settings();
		AttributionMethod wrapped = Methods.byName(s.string("of"));
		if (wrapped instanceof NoiseTunnelMethod) throw new ExplainException("smoothgrad cannot wrap itself.",
			"Choose another method with of=...");
		int n = s.integer("samples");
		String variant = s.choice("variant", List.of("smoothgrad", "smoothgrad-squared", "vargrad"));
		Operand<TFloat32> x = context.input();
		var axes = tf.constant(new int[] { 1, 2, 3 });
		Operand<TFloat32> range = tf.math.sub(tf.reduceMax(x, axes, ReduceMax.keepDims(true)), tf.reduceMin(x, axes,
			ReduceMin.keepDims(true)));
		Operand<TFloat32> sigma = tf.math.mul(range, tf.constant((float) s.number("noise")));
		// one noise pattern [1, n, H, W, C] for every image: an image's map does not depend on its place in the
		// batch or on the batch size
		Operand<TInt32> shape = tf.concat(List.of(tf.constant(new int[] { 1, n }), tf.gather(tf.shape(x), tf.constant(
			new int[] { 1, 2, 3 }), tf.constant(0))), tf.constant(0));
		Operand<TFloat32> eps = tf.random.statelessRandomNormal(shape, tf.constant(new long[] { s.integer("seed"), 0 }),
			TFloat32.class);
		Operand<TFloat32> noisy = tf.math.add(tf.expandDims(x, tf.constant(1)), tf.math.mul(tf.expandDims(sigma, tf
			.constant(1)), eps));
		AttributionContext inner = context.on(Shapes.merge(tf, noisy), n, MethodSettings.defaults(wrapped));
		Operand<TFloat32> maps = Shapes.split(tf, wrapped.build(inner), n);
		var samples = tf.constant(1);
		return switch (variant) {
			case "smoothgrad" -> tf.math.mean(maps, samples);
			case "smoothgrad-squared" -> tf.math.mean(tf.math.square(maps), samples);
			default -> tf.math.mean(tf.math.squaredDifference(maps, tf.math.mean(maps, samples,
				org.tensorflow.op.math.Mean.keepDims(true))), samples);
		};
	}

}
