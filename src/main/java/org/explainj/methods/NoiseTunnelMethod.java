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
import org.tensorflow.types.TInt64;

/**
 * SmoothGrad as a noise tunnel (docs/METHODS.md 3.5, Captum's design): any method, run on n noisy copies
 * x + N(0, sigma^2) with sigma = noise * (max(x) - min(x)), then averaged (smoothgrad), averaged as
 * squares (smoothgrad-squared) or their variance (vargrad). The noisy copies are the method's parts,
 * run in chunks that fit the batch size. The noise is drawn in the graph by {@link CounterRandom}: copy
 * i's noise depends only on the seed and i, so one seed gives one map whatever the chunks.
 */
public final class NoiseTunnelMethod implements AttributionMethod {

	private static final List<String> VARIANTS = List.of("smoothgrad", "smoothgrad-squared", "vargrad");

	@Override public String name() { return "smoothgrad"; }

	@Override public String title() { return "SmoothGrad"; }

	@Override public String description() { return "noise tunnel: any method averaged over noisy copies"; }

	@Override public Reduction defaultReduction() { return Reduction.MAX_ABS; }

	@Override
	public List<MethodParameter> parameters() {
		return List.of(new MethodParameter("of", "gradient", "the wrapped method (with its default parameters)").among(
			Methods.all().stream().map(AttributionMethod::name).filter(n -> !n.equals(name())).toList()), MethodParameter.fed("samples", "50",
			"noisy copies n").within(Range.wholeAtLeast(1)), MethodParameter.fed("noise", "0.15",
				"sigma as a fraction of the image's value range").within(Range.atLeast(0)),
			new MethodParameter("variant", "smoothgrad", "smoothgrad, smoothgrad-squared or vargrad").among(VARIANTS),
			MethodParameter.fed("seed", "0", "seed of the noise").within(Range.anyWhole()));
	}

	@Override
	public int evaluationsPerImage(MethodSettings settings, int height, int width) {
		AttributionMethod wrapped = Methods.byName(settings.string("of"));
		return settings.integer("samples") * wrapped.evaluationsPerImage(MethodSettings.defaults(wrapped), height, width);
	}

	@Override
	public int parts(MethodSettings settings, int height, int width) {
		return settings.integer("samples");
	}

	@Override
	public void check(MethodSettings settings) {
		if (settings.integer("samples") < 1) throw new ExplainException("smoothgrad: samples must be at least 1.",
			"Use e.g. samples=50.");
		settings.number("noise");
		settings.integer("seed");
	}

	/** The share of this run's copies: sum_i m_i / n (vargrad: m_i / n and m_i^2 / n side by side in channels). */
	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		Ops tf = context.tf();
		MethodSettings s = context.settings();
		AttributionMethod wrapped = Methods.byName(s.string("of"));
		String variant = s.string("variant");
		Operand<TFloat32> x = context.input();
		var axes = tf.constant(new int[] { 1, 2, 3 });
		Operand<TFloat32> range = tf.math.sub(tf.reduceMax(x, axes, ReduceMax.keepDims(true)), tf.reduceMin(x, axes,
			ReduceMin.keepDims(true)));
		Operand<TFloat32> sigma = tf.math.mul(range, context.scalar("noise"));
		Operand<TInt32> copies = context.partIndices();
		Operand<TInt32> count = tf.size(copies);
		Operand<TFloat32> n = context.scalar("samples");
		// one noise pattern per copy [1, P, H, W, C] for every image: an image's map does not depend on its place
		// in the batch or on the batch size
		Operand<TFloat32> eps = tf.expandDims(noise(tf, context.wholeNumber("seed"), copies, tf.gather(tf.shape(x), tf
			.constant(new int[] { 1, 2, 3 }), tf.constant(0))), tf.constant(0));
		Operand<TFloat32> noisy = tf.math.add(tf.expandDims(x, tf.constant(1)), tf.math.mul(tf.expandDims(sigma, tf
			.constant(1)), eps));
		AttributionContext inner = context.on(Shapes.merge(tf, noisy), count, tf.math.reciprocal(n), MethodSettings
			.defaults(wrapped));
		Operand<TFloat32> maps = Shapes.split(tf, wrapped.finish(inner, wrapped.build(inner)), count);
		var samples = tf.constant(1);
		Operand<TFloat32> mean = tf.math.div(tf.reduceSum(maps, samples), n);
		Operand<TFloat32> meanSquare = tf.math.div(tf.reduceSum(tf.math.square(maps), samples), n);
		return switch (variant) {
			case "smoothgrad" -> mean;
			case "smoothgrad-squared" -> meanSquare;
			default -> tf.concat(List.of(mean, meanSquare), tf.constant(3));
		};
	}

	/** vargrad = E[m^2] - E[m]^2 from the two halves of the summed channels; the others are the sum. */
	@Override
	public Operand<TFloat32> finish(AttributionContext context, Operand<TFloat32> sum) {
		if (!context.settings().string("variant").equals("vargrad")) return sum;
		Ops tf = context.tf();
		var halves = tf.split(tf.constant(3), sum, 2L);
		return tf.math.sub(halves.output().get(1), tf.math.square(halves.output().get(0)));
	}

	/** Standard normal noise [P, H, W, C] for the copies {@code indices}: copy i's depends only on the seed and i. */
	private static Operand<TFloat32> noise(Ops tf, Operand<TInt64> seed, Operand<TInt32> indices, Operand<TInt32> hwc) {
		Operand<TInt64> size = tf.dtypes.cast(tf.reduceProd(hwc, tf.constant(0)), TInt64.class);
		return tf.reshape(CounterRandom.normal(tf, seed, indices, size), tf.concat(List.of(tf.constant(new int[] { -1 }),
			hwc), tf.constant(0)));
	}
}
