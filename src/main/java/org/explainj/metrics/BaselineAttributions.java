package org.explainj.metrics;

import java.util.Arrays;
import java.util.List;

import org.explainj.ExplainException;
import org.explainj.methods.AttributionContext;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.Methods;
import org.explainj.methods.Reduction;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

/**
 * Attributions every explanation must beat in a comparison: seeded uniform noise (random) and the
 * image's own edges (Sobel magnitude), which know nothing of the model.
 */
public final class BaselineAttributions {

	private BaselineAttributions() {}

	/** Uniform noise in [0, 1), seeded. */
	public static final AttributionMethod RANDOM = new AttributionMethod() {
		@Override public String name() { return "random"; }

		@Override public String title() { return "Random"; }

		@Override public String description() { return "baseline: seeded uniform noise"; }

		@Override public Reduction defaultReduction() { return Reduction.SUM; }

		@Override
		public Operand<TFloat32> build(AttributionContext context) {
			Ops tf = context.tf();
			Operand<TFloat32> grey = tf.reduceSum(context.input(), tf.constant(3), ReduceSum.keepDims(true));
			return tf.random.statelessRandomUniform(tf.shape(grey), tf.constant(new long[] { 17, 0 }), TFloat32.class);
		}
	};

	/** The Sobel gradient magnitude of the image (channels summed). */
	public static final AttributionMethod EDGES = new AttributionMethod() {
		@Override public String name() { return "edges"; }

		@Override public String title() { return "Edges"; }

		@Override public String description() { return "baseline: Sobel edge magnitude of the image"; }

		@Override public Reduction defaultReduction() { return Reduction.SUM; }

		@Override
		public Operand<TFloat32> build(AttributionContext context) {
			Ops tf = context.tf();
			Operand<TFloat32> grey = tf.reduceSum(context.input(), tf.constant(3), ReduceSum.keepDims(true));
			float[][][][] sx = { { { { -1 } }, { { 0 } }, { { 1 } } }, { { { -2 } }, { { 0 } }, { { 2 } } }, { { { -1 } }, {
				{ 0 } }, { { 1 } } } };
			float[][][][] sy = { { { { -1 } }, { { -2 } }, { { -1 } } }, { { { 0 } }, { { 0 } }, { { 0 } } }, { { { 1 } }, {
				{ 2 } }, { { 1 } } } };
			List<Long> one = List.of(1L, 1L, 1L, 1L);
			Operand<TFloat32> gx = tf.nn.conv2d(grey, tf.constant(sx), one, "SAME");
			Operand<TFloat32> gy = tf.nn.conv2d(grey, tf.constant(sy), one, "SAME");
			return tf.math.sqrt(tf.math.add(tf.math.square(gx), tf.math.square(gy)));
		}
	};

	/** A method by name, the two baselines included. */
	public static AttributionMethod byName(String name) {
		if (name.trim().equalsIgnoreCase(RANDOM.name())) return RANDOM;
		if (name.trim().equalsIgnoreCase(EDGES.name())) return EDGES;
		return Methods.byName(name);
	}

	/** A comma-separated list of method names (baselines included), in order. */
	public static List<AttributionMethod> list(String names) {
		List<AttributionMethod> methods = Arrays.stream(names.split(",")).map(String::trim).filter(
			n -> !n.isEmpty()).map(BaselineAttributions::byName).toList();
		if (methods.isEmpty()) throw new ExplainException("No method was named.",
			"Give a comma-separated list, e.g. gradient,grad-cam.");
		return methods;
	}
}
