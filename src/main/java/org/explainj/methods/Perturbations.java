package org.explainj.methods;

import java.util.ArrayList;
import java.util.List;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Scores of the network on masked copies of every image, for the perturbation methods that need no
 * gradient (RISE, Sobol): copy = x0 + M (x - x0), so a mask of 1 keeps the pixel and 0 puts the
 * baseline there. The masks go through the network in chunks, one after the other in the same run (each
 * chunk waits for the previous one's scores), so that memory stays bounded: {@link #CHUNK} masks per
 * image, or more when that would take more than {@link #MAX_CHUNKS} network copies (each copy adds the
 * network's ops to the graph once more, and building them grows with the graph).
 */
final class Perturbations {

	/** Masks per image that go through the network at once. */
	static final int CHUNK = 128;
	static final int MAX_CHUNKS = 16;

	private Perturbations() {}

	/** The network evaluations per image that are alive at once for {@code count} masks. */
	static int evaluationsAtOnce(int count) {
		return Math.max(1, Math.min(count, Math.max(CHUNK, (count + MAX_CHUNKS - 1) / MAX_CHUNKS)));
	}

	/**
	 * f_c of every image on every mask, [N, count]; {@code masks} is [count, H, W] (shared by all images,
	 * so an image's result does not depend on its place in the batch), {@code x0} is [N, H, W, C].
	 */
	static Operand<TFloat32> scores(AttributionContext context, Operand<TFloat32> x0, Operand<TFloat32> masks,
		int count)
	{
		Ops tf = context.tf();
		Operand<TFloat32> x5 = tf.expandDims(context.input(), tf.constant(1)), b5 = tf.expandDims(x0, tf.constant(1));
		Operand<TFloat32> difference = tf.math.sub(x5, b5);
		List<Operand<TFloat32>> chunks = new ArrayList<>();
		int chunk = evaluationsAtOnce(count);
		for (int start = 0; start < count; start += chunk) {
			int k = Math.min(chunk, count - start);
			Ops after = chunks.isEmpty() ? tf : tf.withControlDependencies(tf.identity(chunks.get(chunks.size() - 1)));
			Operand<TFloat32> part = after.slice(masks, tf.constant(new int[] { start, 0, 0 }), tf.constant(new int[] { k, -1,
				-1 }));
			Operand<TFloat32> m5 = tf.expandDims(tf.expandDims(part, tf.constant(0)), tf.constant(4)); // [1,k,H,W,1]
			Operand<TFloat32> copies = tf.math.add(b5, tf.math.mul(m5, difference));
			chunks.add(tf.reshape(context.targetScoreOn(Shapes.merge(tf, copies), k), tf.constant(new int[] { -1, k })));
		}
		return chunks.size() == 1 ? chunks.get(0) : tf.concat(chunks, tf.constant(1));
	}

	/** Seed operand of TensorFlow's stateless random ops: the user's seed and a stream number. */
	static Operand<TInt64> seed(Ops tf, long seed, long stream) {
		return tf.constant(new long[] { seed, stream });
	}
}
