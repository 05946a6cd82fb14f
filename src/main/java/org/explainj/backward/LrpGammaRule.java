package org.explainj.backward;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** LRP-gamma: LRP-0 with the weights (and bias) w + gamma w+, favouring positive contributions. */
public final class LrpGammaRule implements LinearRule {

	private final Scalar gamma;

	public LrpGammaRule(Scalar gamma) {
		this.gamma = gamma;
	}

	public LrpGammaRule(double gamma) {
		this(Scalar.of(gamma));
	}

	@Override
	public Operand<TFloat32> back(Ops tf, LinearLayer layer, Operand<TFloat32> r) {
		Operand<TFloat32> g = gamma.in(tf);
		Operand<TFloat32> w = tf.math.add(layer.weight(), tf.math.mul(g, LinearRule.positive(tf, layer
			.weight())));
		Operand<TFloat32> b = tf.math.add(layer.biasOrZero(tf), tf.math.mul(g, LinearRule.positive(tf,
			layer.biasOrZero(tf))));
		Operand<TFloat32> z = tf.math.add(layer.forward(tf, layer.input(), w), b);
		return tf.math.mul(layer.input(), layer.transpose(tf, LinearRule.divide(tf, r, z), w));
	}
}
