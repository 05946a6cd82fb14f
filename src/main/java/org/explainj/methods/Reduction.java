package org.explainj.methods;

import java.util.Locale;

import org.explainj.ExplainException;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

/** How a map of [N,H,W,C] becomes one value per pixel (docs/METHODS.md, "Targets and scores"). */
public enum Reduction {
	/** Keep the channels. */
	NONE,
	/** Signed relevance. */
	SUM,
	ABS_SUM,
	/** Saliency. */
	MAX_ABS,
	/** Sum of squares: sensitivity. */
	L2_SQ;

	public String cliName() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

	public static Reduction parse(String s) {
		for (Reduction r : values()) if (r.cliName().equalsIgnoreCase(s.trim())) return r;
		throw new ExplainException("Unknown reduction '" + s + "'.", "Use none, sum, abs-sum, max-abs or l2-sq.");
	}

	/** Reduces the channel axis of an NHWC map, keeping it with size 1. */
	public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> map) {
		var axis = tf.constant(3);
		var keep = ReduceSum.keepDims(true);
		return switch (this) {
			case NONE -> map;
			case SUM -> tf.reduceSum(map, axis, keep);
			case ABS_SUM -> tf.reduceSum(tf.math.abs(map), axis, keep);
			case MAX_ABS -> tf.reduceMax(tf.math.abs(map), axis, org.tensorflow.op.core.ReduceMax.keepDims(true));
			case L2_SQ -> tf.reduceSum(tf.math.square(map), axis, keep);
		};
	}
}
