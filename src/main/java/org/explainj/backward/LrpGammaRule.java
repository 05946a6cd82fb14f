package org.explainj.backward;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * LRP-gamma: LRP-0 with the weights (and bias) w + gamma w+, favouring positive contributions. The
 * denominator is stabilised by 1e-6 times the standard deviation of the layer's z (per image): where the
 * boosted positive part nearly cancels a negative z, an unstabilised rule divides by almost 0.
 */
public final class LrpGammaRule implements LinearRule {

	private final Scalar gamma;

	public LrpGammaRule(Scalar gamma) {
		this.gamma = gamma;
	}

	public LrpGammaRule(double gamma) {
		this(Scalar.of(gamma));
	}

	static final float STABILISER = 1e-6f;

	@Override
	public Operand<TFloat32> back(Ops tf, LinearLayer layer, Operand<TFloat32> r) {
		Operand<TFloat32> w = weights(tf, layer);
		Operand<TFloat32> z = boosted(tf, layer, w);
		Operand<TFloat32> stabilised = LinearRule.stabilise(tf, z, tf.math.mul(tf.constant(STABILISER), LinearRule.spread(
			tf, z)));
		return tf.math.mul(layer.input(), layer.transpose(tf, LinearRule.divide(tf, r, stabilised), w));
	}

	@Override
	public Operand<TFloat32> signFlips(Ops tf, LinearLayer layer) {
		Operand<TFloat32> z = tf.math.add(layer.forward(tf, layer.input(), layer.weight()), layer.biasOrZero(tf));
		Operand<TFloat32> boosted = boosted(tf, layer, weights(tf, layer));
		return tf.dtypes.cast(tf.math.less(tf.math.mul(tf.math.sign(z), tf.math.sign(boosted)), tf.constant(0f)),
			TFloat32.class);
	}

	private Operand<TFloat32> weights(Ops tf, LinearLayer layer) {
		return tf.math.add(layer.weight(), tf.math.mul(gamma.in(tf), LinearRule.positive(tf, layer.weight())));
	}

	/** z with the weights w + gamma w+ and bias b + gamma b+. */
	private Operand<TFloat32> boosted(Ops tf, LinearLayer layer, Operand<TFloat32> w) {
		Operand<TFloat32> b = tf.math.add(layer.biasOrZero(tf), tf.math.mul(gamma.in(tf), LinearRule.positive(tf, layer
			.biasOrZero(tf))));
		return tf.math.add(layer.forward(tf, layer.input(), w), b);
	}
}
