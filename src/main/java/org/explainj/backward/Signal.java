package org.explainj.backward;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The signal at a tensor: one multiplier ({@code negative} null), or RevealCancel's pair, the multipliers
 * of the positive and of the negative part of the tensor's difference (docs/METHODS.md 2.6).
 */
record Signal(Operand<TFloat32> positive, Operand<TFloat32> negative) {

	static Signal of(Operand<TFloat32> single) {
		return new Signal(single, null);
	}

	boolean isPair() {
		return negative != null;
	}

	/** This signal and another arriving at the same tensor, summed: a single multiplier adds to both parts of a pair. */
	Signal plus(Ops tf, Signal other) {
		Operand<TFloat32> sumNegative = other.negative != null ? negative != null ? tf.math.add(negative, other.negative)
			: tf.math.add(positive, other.negative) : negative != null ? tf.math.add(negative, other.positive) : null;
		return new Signal(tf.math.add(positive, other.positive), sumNegative);
	}
}
