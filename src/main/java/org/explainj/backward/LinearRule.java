package org.explainj.backward;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * What a linear layer sends back to its input given the signal at its output: the gradient's transpose,
 * or one of the LRP rules (docs/METHODS.md 2.3). Most LRP rules are "modify the parameters, run forward,
 * divide, run the transpose, multiply", after Zennit's design.
 */
public interface LinearRule {

	Operand<TFloat32> back(Ops tf, LinearLayer layer, Operand<TFloat32> signal);

	/** The sum over every axis but the batch axis, [N]. */
	static Operand<TFloat32> perImage(Ops tf, Operand<TFloat32> v) {
		return tf.reduceSum(v, tf.range(tf.constant(1), Transposes.rank(tf, v), tf.constant(1)));
	}

	/** z + eps sign(z) with sign(0) = +1: a denominator kept away from 0. */
	static Operand<TFloat32> stabilise(Ops tf, Operand<TFloat32> z, Operand<TFloat32> eps) {
		// sign(sign(z) + 1/2) is that sign, +1 at z = 0 (and -0), in float kernels: a compare and select of eps
		// gave the same numbers bit for bit, but TensorFlow's compare, which writes bools, is not vectorised
		// (its six compares were 17 % of LRP-epsilon's op time at batch 1)
		return tf.math.add(z, tf.math.mul(eps, tf.math.sign(tf.math.add(tf.math.sign(z), tf.constant(0.5f)))));
	}

	/** Per image, the standard deviation of a layer's z over its units, shaped to broadcast against z. */
	static Operand<TFloat32> spread(Ops tf, Operand<TFloat32> z) {
		Operand<org.tensorflow.types.TInt32> axes = tf.range(tf.constant(1), Transposes.rank(tf, z), tf.constant(1));
		Operand<TFloat32> mean = tf.math.mean(z, axes, org.tensorflow.op.math.Mean.keepDims(true));
		return tf.math.sqrt(tf.math.mean(tf.math.square(tf.math.sub(z, mean)), axes, org.tensorflow.op.math.Mean.keepDims(
			true)));
	}

	/** R / z with 0/0 := 0 (and anything/0 := 0: a unit with z = 0 passes nothing back). */
	static Operand<TFloat32> divide(Ops tf, Operand<TFloat32> r, Operand<TFloat32> z) {
		return tf.math.divNoNan(r, z);
	}

	static Operand<TFloat32> positive(Ops tf, Operand<TFloat32> v) {
		return tf.math.maximum(v, tf.constant(0f));
	}

	static Operand<TFloat32> negative(Ops tf, Operand<TFloat32> v) {
		return tf.math.minimum(v, tf.constant(0f));
	}
}
