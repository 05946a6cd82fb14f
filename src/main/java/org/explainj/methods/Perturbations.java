package org.explainj.methods;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Scores of the network on masked copies of every image, for the perturbation methods that need no
 * gradient (RISE, Sobol): copy = x0 + M (x - x0), so a mask of 1 keeps the pixel and 0 puts the
 * baseline there. All copies of a batch go through one network copy in one run.
 */
final class Perturbations {

	private Perturbations() {}

	/**
	 * f_c of every image on every mask, [N, count]; {@code masks} is [count, H, W] (shared by all images,
	 * so an image's result does not depend on its place in the batch), {@code x0} is [N, H, W, C].
	 */
	static Operand<TFloat32> scores(AttributionContext context, Operand<TFloat32> x0, Operand<TFloat32> masks,
		int count)
	{
		Ops tf = context.tf();
		Operand<TFloat32> m5 = tf.expandDims(tf.expandDims(masks, tf.constant(0)), tf.constant(4)); // [1,count,H,W,1]
		Operand<TFloat32> x5 = tf.expandDims(context.input(), tf.constant(1)), b5 = tf.expandDims(x0, tf.constant(1));
		Operand<TFloat32> copies = tf.math.add(b5, tf.math.mul(m5, tf.math.sub(x5, b5)));
		return tf.reshape(context.targetScoreOn(Shapes.merge(tf, copies), count), tf.constant(new int[] { -1, count }));
	}

	/** Seed operand of TensorFlow's stateless random ops: the user's seed and a stream number. */
	static Operand<org.tensorflow.types.TInt64> seed(Ops tf, long seed, long stream) {
		return tf.constant(new long[] { seed, stream });
	}
}
