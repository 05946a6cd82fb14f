package org.explainj.backward;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * LRP-epsilon: R_j = a_j sum_k w_jk R_k / (z_k + eps sign(z_k)), sign(0) = +1, bias included in z_k.
 * With eps = 0 it is LRP-0.
 */
public final class LrpEpsilonRule implements LinearRule {

	private final Scalar epsilon;

	public LrpEpsilonRule(Scalar epsilon) {
		this.epsilon = epsilon;
	}

	public LrpEpsilonRule(double epsilon) {
		this(Scalar.of(epsilon));
	}

	@Override
	public Operand<TFloat32> back(Ops tf, LinearLayer layer, Operand<TFloat32> r) {
		Operand<TFloat32> z = tf.math.add(layer.forward(tf, layer.input(), layer.weight()), layer.biasOrZero(tf));
		Operand<TFloat32> sign = tf.select(tf.math.greaterEqual(z, tf.zerosLike(z)), tf.onesLike(z), tf.math.neg(tf
			.onesLike(z)));
		Operand<TFloat32> stabilised = tf.math.add(z, tf.math.mul(sign, epsilon.in(tf)));
		return tf.math.mul(layer.input(), layer.transpose(tf, LinearRule.divide(tf, r, stabilised), layer.weight()));
	}
}
