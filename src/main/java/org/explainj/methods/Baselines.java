package org.explainj.methods;

import org.explainj.ExplainException;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Reference inputs x0 for path and difference methods: zeros, the input blurred (a Gaussian of sigma =
 * 1/10 of the image's smaller side, so that fine structure is gone but the colours stay), a constant
 * (a number), or a user image (any other value: a file, fed as the context's reference).
 */
public final class Baselines {

	/** The parameter of every method with a baseline: a constant value is fed, the others shape the graph. */
	static final MethodParameter PARAMETER = MethodParameter.fedWhenNumber("baseline", "zeros", "zeros, blur, a " +
		"constant value or an image FILE (brought to the model like the input)");

	private Baselines() {}

	/** The baseline of every image, [N,H,W,C]. */
	static Operand<TFloat32> of(AttributionContext context) {
		return of(context, sharedRow(context));
	}

	/** The same from the context's {@link #sharedRow} (null: made from each image). */
	static Operand<TFloat32> of(AttributionContext context, Operand<TFloat32> row) {
		return row == null ? blur(context) : context.tf().math.add(context.tf().zerosLike(context.input()), row);
	}

	/**
	 * The baseline as one row [1,H,W,C] that every image shares, or null where it depends on the image (blur):
	 * a method can then run the network on it once a batch instead of once an image.
	 */
	static Operand<TFloat32> sharedRow(AttributionContext context) {
		Ops tf = context.tf();
		String baseline = context.settings().string(PARAMETER.name());
		if (!shared(context.settings())) return null;
		int h = context.model().height(), w = context.model().width(), c = context.model().channels();
		// a constant row of a fixed-size model: TensorFlow folds the network on it into constants once
		if (baseline.equals("zeros") && h > 0 && w > 0 && c > 0) return tf.zeros(tf.constant(new long[] { 1, h, w, c }),
			TFloat32.class);
		Operand<TFloat32> firstRow = tf.slice(context.input(), tf.constant(new int[] { 0, 0, 0, 0 }), tf.constant(new int[] {
			1, -1, -1, -1 }));
		if (baseline.equals("zeros")) return tf.zerosLike(firstRow);
		if (isConstant(baseline)) return tf.math.mul(tf.onesLike(firstRow), context.scalar(PARAMETER.name()));
		if (baseline.isBlank()) throw new ExplainException("The baseline is empty.", "Use " + PARAMETER.description() + ".");
		return context.reference();
	}

	/** Whether the baseline is one image for all ({@link #sharedRow}), not made from each image. */
	static boolean shared(MethodSettings settings) {
		return !settings.string(PARAMETER.name()).equals("blur");
	}

	/** True when the baseline names a constant value (e.g. 0.5, -1, .25, 1e-3) rather than a file. */
	public static boolean isConstant(String baseline) {
		return MethodSettings.isNumber(baseline);
	}

	/** Separable Gaussian blur as two depthwise convolutions with reflected borders. */
	private static Operand<TFloat32> blur(AttributionContext context) {
		Ops tf = context.tf();
		int h = context.model().height(), w = context.model().width(), c = context.model().channels();
		if (h <= 0 || w <= 0) throw new ExplainException("The blur baseline needs a model with a fixed input size.",
			"Use zeros, a constant or an image file as baseline.");
		double sigma = Math.max(1, Math.min(h, w) / 10.0);
		int radius = (int) Math.ceil(3 * sigma);
		radius = Math.min(radius, Math.min(h, w) - 1);
		float[] k = new float[2 * radius + 1];
		double sum = 0;
		for (int i = -radius; i <= radius; i++) sum += k[i + radius] = (float) Math.exp(-i * i / (2 * sigma * sigma));
		for (int i = 0; i < k.length; i++) k[i] /= sum;
		float[][][][] rows = new float[k.length][1][c][1], cols = new float[1][k.length][c][1];
		for (int i = 0; i < k.length; i++) for (int ch = 0; ch < c; ch++) {
			rows[i][0][ch][0] = k[i];
			cols[0][i][ch][0] = k[i];
		}
		Operand<TFloat32> padded = tf.mirrorPad(context.input(), tf.constant(new int[][] { { 0, 0 }, { radius, radius }, { radius, radius },
			{ 0, 0 } }), "REFLECT");
		Operand<TFloat32> y = tf.nn.depthwiseConv2dNative(padded, tf.constant(rows), java.util.List.of(1L, 1L, 1L, 1L),
			"VALID");
		return tf.nn.depthwiseConv2dNative(y, tf.constant(cols), java.util.List.of(1L, 1L, 1L, 1L), "VALID");
	}
}
