package org.explainj.backward;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * LRP-gamma, generalised to inputs of either sign (Montavon et al. 2019; Andéol et al. 2021, as Zennit's
 * Gamma): each unit boosts the contributions a_j w_jk (and bias) that share its z's sign by 1 + gamma,
 * R_j = sum_k (c_jk + gamma c_jk^s) / (z_k + gamma sum_i c_ik^s) R_k with c^s the positive parts where
 * z_k > 0 and the negative parts where z_k < 0 (docs/METHODS.md 2.3). On non-negative inputs a unit
 * with z_k > 0 gets Montavon's w + gamma w+, one with z_k < 0 w + gamma w-. The denominator therefore keeps z's sign and is never smaller than |z|:
 * boosting w+ alone on signed inputs (a depthwise conv's output, a batch norm's) can cancel z and flip a
 * unit's relevance, which grew without bound on Xception. Units with z = 0 pass nothing; a relative
 * stabiliser (1e-6 times the standard deviation of the layer's z, per image) keeps the boosted sum away
 * from 0 where round-off makes it disagree in sign with the network's z.
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
		Operand<TFloat32> w = layer.weight(), b = layer.biasOrZero(tf);
		Operand<TFloat32> up = boost(tf, w, true), down = boost(tf, w, false);
		NonNegative.Parts a = NonNegative.split(tf, layer.input());
		Operand<TFloat32> aUp = a.positive(), aDown = a.negative();
		Operand<TFloat32> z = layer.z(tf);
		// z > 0: a+ meets w + gamma w+ and a- meets w + gamma w- (every positive contribution boosted); z < 0: the converse
		Operand<TFloat32> rising = tf.math.add(layer.forward(tf, aUp, up, aDown, down), boost(tf, b, true));
		Operand<TFloat32> falling = tf.math.add(layer.forward(tf, aUp, down, aDown, up), boost(tf, b, false));
		Operand<TFloat32> eps = tf.math.mul(tf.constant(STABILISER), LinearRule.spread(tf, z));
		Operand<TFloat32> zero = tf.zerosLike(z);
		Operand<TFloat32> sUp = tf.select(tf.math.greater(z, zero), LinearRule.divide(tf, r, LinearRule.stabilise(tf,
			rising, eps)), zero);
		Operand<TFloat32> sDown = tf.select(tf.math.less(z, zero), LinearRule.divide(tf, r, LinearRule.stabilise(tf,
			falling, eps)), zero);
		Operand<TFloat32> fromUp = tf.math.add(tf.math.mul(aUp, layer.transpose(tf, sUp, up)), tf.math.mul(aUp, layer
			.transpose(tf, sDown, down)));
		if (aDown == null) return fromUp;
		return tf.math.add(fromUp, tf.math.add(tf.math.mul(aDown, layer.transpose(tf, sDown, up)), tf.math.mul(aDown,
			layer.transpose(tf, sUp, down))));
	}

	/** v + gamma v+ ({@code positive}) or v + gamma v-. */
	private Operand<TFloat32> boost(Ops tf, Operand<TFloat32> v, boolean positive) {
		return tf.math.add(v, tf.math.mul(gamma.in(tf), positive ? LinearRule.positive(tf, v) : LinearRule.negative(tf,
			v)));
	}
}
