package org.explainj.backward;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A rule's parameter (epsilon, gamma, alpha, a pixel bound) as a tensor: a fed placeholder when a method
 * runs, so that one graph serves every value; a constant where the value is fixed.
 */
@FunctionalInterface
public interface Scalar {

	Operand<TFloat32> in(Ops tf);

	static Scalar of(double value) {
		float v = (float) value;
		return tf -> tf.constant(v);
	}
}
