package org.explainj.methods;

import java.util.List;

import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.random.StatelessRandomNormalV2;
import org.tensorflow.op.random.StatelessRandomUniformV2;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Random numbers for the parts of a run (noisy copies, masks) from TensorFlow's counter-based Philox
 * generator: part i takes the generator's counter steps from i * ceil(size / 4) (four numbers per step),
 * so its numbers depend only on the seed and i, not on the other parts of its run: one seed gives one
 * result whatever the chunks.
 */
final class CounterRandom {

	private static final int PHILOX = 1, PER_COUNTER = 4;

	private CounterRandom() {}

	/** Standard normal numbers [P, size] for the parts {@code indices} (consecutive, [P]). */
	static Operand<TFloat32> normal(Ops tf, Operand<TInt64> seed, Operand<TInt32> indices, Operand<TInt64> size) {
		return draw(tf, seed, indices, size, true);
	}

	/** Uniform numbers in [0, 1) [P, size] for the parts {@code indices} (consecutive, [P]). */
	static Operand<TFloat32> uniform(Ops tf, Operand<TInt64> seed, Operand<TInt32> indices, Operand<TInt64> size) {
		return draw(tf, seed, indices, size, false);
	}

	private static Operand<TFloat32> draw(Ops tf, Operand<TInt64> seed, Operand<TInt32> indices, Operand<TInt64> size,
		boolean normal)
	{
		Operand<TInt64> steps = tf.math.floorDiv(tf.math.add(size, tf.constant((long) PER_COUNTER - 1)), tf.constant(
			(long) PER_COUNTER));
		Operand<TInt64> first = tf.dtypes.cast(tf.gather(indices, tf.constant(0), tf.constant(0)), TInt64.class);
		Operand<TInt64> counter = tf.concat(List.of(tf.reshape(tf.math.mul(first, steps), tf.constant(new int[] { 1 })), tf
			.constant(new long[] { 0 })), tf.constant(0));
		Operand<TInt64> padded = tf.math.mul(steps, tf.constant((long) PER_COUNTER));
		Operand<TInt64> count = tf.dtypes.cast(tf.size(indices), TInt64.class);
		Operand<TInt64> shape = tf.stack(List.of(count, padded));
		Output<?> key = unsigned(tf, tf.reshape(seed, tf.constant(new int[] { 1 })));
		Operand<TFloat32> flat = normal ? StatelessRandomNormalV2.create(tf.scope(), shape, key, unsigned(tf, counter), tf
			.constant(PHILOX)) : StatelessRandomUniformV2.create(tf.scope(), shape, key, unsigned(tf, counter), tf.constant(
				PHILOX));
		return tf.slice(flat, tf.constant(new long[] { 0, 0 }), tf.stack(List.of(count, size)));
	}

	/** The generator's key and counter are uint64, which TensorFlow Java has no class for: a bitcast op. */
	private static Output<?> unsigned(Ops tf, Operand<TInt64> value) {
		return tf.scope().opBuilder("Bitcast", "Bitcast").addInput(value.asOutput()).setAttr("type", DataType.DT_UINT64)
			.build().output(0);
	}
}
