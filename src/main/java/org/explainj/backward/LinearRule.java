package org.explainj.backward;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * What a linear layer sends back to its input given the signal at its output: the gradient's transpose,
 * or one of the LRP rules (docs/METHODS.md 2.3). Most LRP rules are "modify the parameters, run forward,
 * divide, run the transpose, multiply", after Zennit's design.
 */
public interface LinearRule {

	Operand<TFloat32> back(Ops tf, LinearLayer layer, Operand<TFloat32> signal);

	/** R / z with 0/0 := 0 (and anything/0 := 0: a unit with z = 0 passes nothing back). */
	static Operand<TFloat32> divide(Ops tf, Operand<TFloat32> r, Operand<TFloat32> z) {
		return tf.math.divNoNan(r, z);
	}

	static Operand<TFloat32> positive(Ops tf, Operand<TFloat32> v) {
		return tf.math.maximum(v, tf.constant(0f));
	}

	static Operand<TFloat32> negative(Ops tf, Operand<TFloat32> v) {
		return tf.math.minimum(v, tf.constant(0f));
	}
}
