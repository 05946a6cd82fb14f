package org.explainj.backward;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceMax;
import org.tensorflow.op.core.ReduceMin;
import org.tensorflow.types.TFloat32;

/**
 * The z-box rule for pixel layers with inputs bounded in [low, high] (deep Taylor's input rule):
 * z_k = sum_j x_j w_jk - l_j w+_jk - h_j w-_jk, R_j = x_j c_j - l_j c+_j - h_j c-_j. Zero padding
 * contributes nothing (the bounds are images of the input's size, padded with zeros like it). Without
 * given bounds, each image's own value range is taken (the preprocessed data range).
 */
public final class ZBoxRule implements LinearRule {

	private final Scalar low;
	private final Scalar high;

	public ZBoxRule(Scalar low, Scalar high) {
		this.low = low;
		this.high = high;
	}

	public ZBoxRule(double low, double high) {
		this(Scalar.of(low), Scalar.of(high));
	}

	/** Bounds from each image: its minimum and maximum over pixels and channels. */
	public static ZBoxRule dataRange() {
		return new ZBoxRule();
	}

	private ZBoxRule() {
		this.low = null;
		this.high = null;
	}

	@Override
	public Operand<TFloat32> back(Ops tf, LinearLayer layer, Operand<TFloat32> r) {
		Operand<TFloat32> x = layer.input(), w = layer.weight();
		// every axis but the batch: the input may be an image or (dense first layer) a flat vector
		var all = tf.range(tf.constant(1), Transposes.rank(tf, x), tf.constant(1));
		// an explicit zero-padding border is no pixel: its bounds are 0, and it does not set the data range
		Operand<TFloat32> valid = layer.validOrOnes(tf);
		var inside = tf.math.greater(valid, tf.zerosLike(valid));
		Operand<TFloat32> big = tf.math.mul(tf.onesLike(x), tf.constant(Float.MAX_VALUE));
		Operand<TFloat32> lowest = low != null ? low.in(tf) : tf.reduceMin(tf.select(inside, x, big), all, ReduceMin
			.keepDims(true));
		Operand<TFloat32> highest = high != null ? high.in(tf) : tf.reduceMax(tf.select(inside, x, tf.math.neg(big)),
			all, ReduceMax.keepDims(true));
		Operand<TFloat32> l = tf.math.mul(valid, lowest), h = tf.math.mul(valid, highest);
		Operand<TFloat32> wp = LinearRule.positive(tf, w), wn = LinearRule.negative(tf, w);
		Operand<TFloat32> xw = tf.math.sub(layer.z(tf), layer.biasOrZero(tf));
		Operand<TFloat32> z = tf.math.sub(tf.math.sub(xw, layer.forward(tf, l, wp)), layer.forward(tf, h, wn));
		Operand<TFloat32> s = LinearRule.divide(tf, r, z);
		return tf.math.sub(tf.math.sub(tf.math.mul(x, layer.transpose(tf, s, w)), tf.math.mul(l, layer.transpose(tf, s,
			wp))), tf.math.mul(h, layer.transpose(tf, s, wn)));
	}
}
