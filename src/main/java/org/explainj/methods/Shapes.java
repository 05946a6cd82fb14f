package org.explainj.methods;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Reshapes between [N*k, ...] (k generated rows per image) and [N, k, ...], for any map size. */
final class Shapes {

	private Shapes() {}

	/** [N, k, d1, d2, d3] from [N*k, d1, d2, d3]. */
	static Operand<TFloat32> split(Ops tf, Operand<TFloat32> rows, Operand<TInt32> k) {
		Operand<TInt32> rest = tf.gather(tf.shape(rows), tf.constant(new int[] { 1, 2, 3 }), tf.constant(0));
		return tf.reshape(rows, tf.concat(java.util.List.of(tf.constant(new int[] { -1 }), tf.reshape(k, tf.constant(
			new int[] { 1 })), rest), tf.constant(0)));
	}

	/** [N*k, d1, d2, d3] from [N, k, d1, d2, d3]. */
	static Operand<TFloat32> merge(Ops tf, Operand<TFloat32> grouped) {
		Operand<TInt32> rest = tf.gather(tf.shape(grouped), tf.constant(new int[] { 2, 3, 4 }), tf.constant(0));
		return tf.reshape(grouped, tf.concat(java.util.List.of(tf.constant(new int[] { -1 }), rest), tf.constant(0)));
	}
}
