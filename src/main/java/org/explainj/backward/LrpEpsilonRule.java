package org.explainj.backward;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * LRP-epsilon: R_j = a_j sum_k w_jk R_k / (z_k + eps sign(z_k)), sign(0) = +1, bias included in z_k.
 * With eps = 0 it is LRP-0. A relative epsilon is eps times the standard deviation of the layer's z over
 * its units, per image (docs/METHODS.md 2.3), so that it means the same on every layer and every scale.
 */
public final class LrpEpsilonRule implements LinearRule {

	private final Scalar epsilon;
	private final boolean relative;

	/** {@code epsilon} null: LRP-0 (no stabiliser at all). */
	public LrpEpsilonRule(Scalar epsilon, boolean relative) {
		this.epsilon = epsilon;
		this.relative = relative;
	}

	public LrpEpsilonRule(Scalar epsilon) {
		this(epsilon, false);
	}

	/** A fixed epsilon; 0 is LRP-0. */
	public LrpEpsilonRule(double epsilon) {
		this(epsilon == 0 ? null : Scalar.of(epsilon));
	}

	@Override
	public Operand<TFloat32> back(Ops tf, LinearLayer layer, Operand<TFloat32> r) {
		Operand<TFloat32> z = layer.z(tf);
		// LRP-0: z + 0 sign(z) is z, and the division already gives 0 where z = 0; the stabiliser's compare and
		// select cost about as much as a ReLU per layer
		Operand<TFloat32> stabilised = epsilon == null ? z : LinearRule.stabilise(tf, z, relative ? tf.math.mul(epsilon
			.in(tf), LinearRule.spread(tf, z)) : epsilon.in(tf));
		return tf.math.mul(layer.input(), layer.transpose(tf, LinearRule.divide(tf, r, stabilised), layer.weight()));
	}
}
