package org.explainj.backward;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * What a ReLU passes back (docs/METHODS.md 3.1-3.3): signal g, the ReLU's output y (> 0 exactly where its
 * input is; reading the output rather than the input leaves TensorFlow free to fuse the ReLU into the
 * convolution before it).
 */
public enum ReluRule {
	/** The true gradient: g where y > 0. */
	GRADIENT,
	/** Guided backpropagation: g where both g > 0 and y > 0. */
	GUIDED,
	/** Deconvnet: max(0, g), whatever the forward pass did. */
	DECONVNET;

	Operand<TFloat32> relu(Ops tf, Operand<TFloat32> g, Operand<TFloat32> y) {
		return switch (this) {
			case GRADIENT -> tf.nn.reluGrad(g, y);
			case GUIDED -> tf.nn.reluGrad(tf.nn.relu(g), y);
			case DECONVNET -> tf.nn.relu(g);
		};
	}
}
