package org.explainj.methods;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Scores of the network on masked copies of every image, for the perturbation methods that need no
 * gradient (RISE, Sobol): copy = x0 + M (x - x0), so a mask of 1 keeps the pixel and 0 puts the
 * baseline there. The masks of a run are the method's parts (or made from them): the explainer feeds
 * them in chunks that fit the batch size, so memory does not grow with the number of masks.
 */
final class Perturbations {

	private Perturbations() {}

	/**
	 * f_c of every image on every mask, [N, count]; {@code masks} is [count, H, W] (shared by all images,
	 * so an image's result does not depend on its place in the batch), {@code x0} is [N, H, W, C].
	 */
	static Operand<TFloat32> scores(AttributionContext context, Operand<TFloat32> x0, Operand<TFloat32> masks,
		Operand<TInt32> count)
	{
		Ops tf = context.tf();
		Operand<TFloat32> x5 = tf.expandDims(context.input(), tf.constant(1)), b5 = tf.expandDims(x0, tf.constant(1));
		Operand<TFloat32> m5 = tf.expandDims(tf.expandDims(masks, tf.constant(0)), tf.constant(4)); // [1,count,H,W,1]
		Operand<TFloat32> copies = tf.math.add(b5, tf.math.mul(m5, tf.math.sub(x5, b5)));
		AttributionContext masked = context.on(Shapes.merge(tf, copies), count, tf.math.reciprocal(tf.dtypes.cast(count,
			TFloat32.class)), context.settings());
		return tf.reshape(masked.targetScore(), tf.stack(java.util.List.of(tf.constant(-1), count)));
	}
}
