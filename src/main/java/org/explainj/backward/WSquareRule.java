package org.explainj.backward;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The w^2 rule for unbounded inputs: R_j = sum_k w_jk^2 / (sum_i w_ik^2) R_k; with flat weights it is
 * the flat rule (relevance spread evenly over each unit's receptive field). The input values do not
 * matter, only the geometry (a ones image, so zero padding, implicit or an explicit Pad, takes nothing).
 */
public final class WSquareRule implements LinearRule {

	private final boolean flat;

	public WSquareRule(boolean flat) {
		this.flat = flat;
	}

	@Override
	public Operand<TFloat32> back(Ops tf, LinearLayer layer, Operand<TFloat32> r) {
		Operand<TFloat32> w = flat ? tf.onesLike(layer.weight()) : tf.math.square(layer.weight());
		Operand<TFloat32> z = layer.forward(tf, layer.validOrOnes(tf), w);
		return layer.transpose(tf, LinearRule.divide(tf, r, z), w);
	}
}
