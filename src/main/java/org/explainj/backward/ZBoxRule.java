package org.explainj.backward;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The z-box rule for pixel layers with inputs bounded in [low, high] (deep Taylor's input rule):
 * z_k = sum_j x_j w_jk - l_j w+_jk - h_j w-_jk, R_j = x_j c_j - l_j c+_j - h_j c-_j. Zero padding
 * contributes nothing (the bounds are images of the input's size, padded with zeros like it).
 */
public final class ZBoxRule implements LinearRule {

	private final float low;
	private final float high;

	public ZBoxRule(double low, double high) {
		this.low = (float) low;
		this.high = (float) high;
	}

	@Override
	public Operand<TFloat32> back(Ops tf, LinearLayer layer, Operand<TFloat32> r) {
		Operand<TFloat32> x = layer.input(), w = layer.weight();
		Operand<TFloat32> l = tf.math.mul(tf.onesLike(x), tf.constant(low)), h = tf.math.mul(tf.onesLike(x), tf
			.constant(high));
		Operand<TFloat32> wp = LinearRule.positive(tf, w), wn = LinearRule.negative(tf, w);
		Operand<TFloat32> z = tf.math.sub(tf.math.sub(layer.forward(tf, x, w), layer.forward(tf, l, wp)), layer.forward(
			tf, h, wn));
		Operand<TFloat32> s = LinearRule.divide(tf, r, z);
		return tf.math.sub(tf.math.sub(tf.math.mul(x, layer.transpose(tf, s, w)), tf.math.mul(l, layer.transpose(tf, s,
			wp))), tf.math.mul(h, layer.transpose(tf, s, wn)));
	}
}
