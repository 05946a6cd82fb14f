package org.explainj.backward;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** What a ReLU passes back (docs/METHODS.md 3.1-3.3): signal g, forward input x. */
public enum ReluRule {
	/** The true gradient: g where x > 0. */
	GRADIENT,
	/** Guided backpropagation: g where both g > 0 and x > 0. */
	GUIDED,
	/** Deconvnet: max(0, g), whatever the forward input. */
	DECONVNET;

	Operand<TFloat32> relu(Ops tf, Operand<TFloat32> g, Operand<TFloat32> x) {
		Operand<TFloat32> open = tf.dtypes.cast(tf.math.greater(x, tf.constant(0f)), TFloat32.class);
		return switch (this) {
			case GRADIENT -> tf.math.mul(g, open);
			case GUIDED -> tf.math.mul(tf.nn.relu(g), open);
			case DECONVNET -> tf.nn.relu(g);
		};
	}
}
