package org.explainj.metrics;

import java.util.ArrayList;
import java.util.List;

import org.explainj.ExplainException;
import org.explainj.methods.InputBatch;
import org.explainj.model.ClassifierModel;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.ReduceMax;
import org.tensorflow.op.core.ReduceMin;
import org.tensorflow.types.TFloat32;

/**
 * Continuity (docs/METHODS.md 5.1): for inputs x_0..x_n that vary smoothly (the image translated by 1 pixel
 * per step along x, or Gaussian noise of growing size), ||R(x_t) - R(x_t+1)||_1 / ||x_t - x_t+1||_2.
 * Smaller is better; a jump means the explanation changes more than the input.
 */
public final class Continuity {

	/** Steps n, mode (translate or gaussian), noise per step as a fraction of the value range, seed. */
	public record Settings(int steps, String mode, double sigma, long seed) {

		public Settings {
			if (steps < 1) throw new ExplainException("Continuity needs at least one step.", "Use e.g. steps 10.");
			if (!List.of("translate", "gaussian").contains(mode)) throw new ExplainException("Unknown continuity mode '" +
				mode + "'.", "Use translate or gaussian.");
		}
	}

	private record SequenceOps(Placeholder<TFloat32> x, Operand<TFloat32> sequence) {}

	private record RatioOps(Placeholder<TFloat32> maps, Placeholder<TFloat32> images, Operand<TFloat32> ratios) {}

	private Continuity() {}

	/** x_0 .. x_n for one image (model geometry), as a batch of n+1. */
	public static InputBatch sequence(ClassifierModel model, InputBatch one, Settings s) {
		int h = one.height(), w = one.width(), c = one.channels(), n = s.steps();
		SequenceOps ops = model.ops(List.of("continuity sequence", s, h, w, c), tf -> {
			Placeholder<TFloat32> x = tf.placeholder(TFloat32.class);
			List<Operand<TFloat32>> frames = new ArrayList<>();
			Operand<TFloat32> range = s.mode().equals("gaussian") ? tf.math.sub(tf.reduceMax(x, tf.constant(new int[] { 0,
				1, 2, 3 }), ReduceMax.keepDims(false)), tf.reduceMin(x, tf.constant(new int[] { 0, 1, 2, 3 }), ReduceMin
					.keepDims(false))) : null;
			for (int t = 0; t <= n; t++) {
				if (s.mode().equals("translate")) {
					// shift right by t pixels, zeros entering from the left
					Operand<TFloat32> padded = tf.pad(x, tf.constant(new int[][] { { 0, 0 }, { 0, 0 }, { t, 0 }, { 0, 0 } }), tf
						.constant(0f));
					frames.add(tf.slice(padded, tf.constant(new int[] { 0, 0, 0, 0 }), tf.constant(new int[] { -1, h, w, c })));
				}
				else {
					// one noise direction, growing linearly: x_t = x + t sigma eps, a smooth path
					Operand<TFloat32> noise = tf.random.statelessRandomNormal(tf.shape(x), tf.constant(new long[] { s.seed(),
						0 }), TFloat32.class);
					frames.add(tf.math.add(x, tf.math.mul(noise, tf.math.mul(range, tf.constant((float) (t * s.sigma()))))));
				}
			}
			return new SequenceOps(x, tf.concat(frames, tf.constant(0)));
		});
		float[] out = new float[(n + 1) * one.imageSize()];
		try (TFloat32 tx = TFloat32.tensorOf(Shape.of(1, h, w, c), DataBuffers.of(one.data(), true, false));
			Result r = model.session().runner().feed(ops.x(), tx).fetch(ops.sequence()).run())
		{
			((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(out);
		}
		return new InputBatch(out, n + 1, h, w, c);
	}

	/** ||R_t - R_t+1||_1 / ||x_t - x_t+1||_2 for t = 0..n-1, maps [n+1, mh, mw, mc] in model geometry. */
	public static float[] ratios(ClassifierModel model, InputBatch sequence, float[] maps, int mapHeight, int mapWidth,
		int mapChannels)
	{
		RatioOps ops = model.ops("continuity ratios", tf -> {
			Placeholder<TFloat32> m = tf.placeholder(TFloat32.class), x = tf.placeholder(TFloat32.class);
			var all = tf.constant(new int[] { 1, 2, 3 });
			Operand<TFloat32> l1 = tf.reduceSum(tf.math.abs(difference(tf, m)), all);
			Operand<TFloat32> l2 = tf.math.sqrt(tf.reduceSum(tf.math.square(difference(tf, x)), all));
			return new RatioOps(m, x, tf.math.div(l1, l2));
		});
		int n = sequence.n();
		float[] out = new float[n - 1];
		try (TFloat32 tm = TFloat32.tensorOf(Shape.of(n, mapHeight, mapWidth, mapChannels), DataBuffers.of(maps, true,
				false));
			TFloat32 tx = TFloat32.tensorOf(Shape.of(n, sequence.height(), sequence.width(), sequence.channels()),
				DataBuffers.of(sequence.data(), true, false));
			Result r = model.session().runner().feed(ops.maps(), tm).feed(ops.images(), tx).fetch(ops.ratios()).run())
		{
			((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(out);
		}
		return out;
	}

	/** v[t+1] - v[t] along the batch axis. */
	private static Operand<TFloat32> difference(Ops tf, Operand<TFloat32> v) {
		Operand<TFloat32> next = tf.slice(v, tf.constant(new int[] { 1, 0, 0, 0 }), tf.constant(new int[] { -1, -1, -1,
			-1 }));
		Operand<org.tensorflow.types.TInt32> size = tf.concat(List.of(tf.expandDims(tf.math.sub(tf.gather(tf.shape(v), tf
			.constant(0), tf.constant(0)), tf.constant(1)), tf.constant(0)), tf.constant(new int[] { -1, -1, -1 })), tf
				.constant(0));
		Operand<TFloat32> previous = tf.slice(v, tf.constant(new int[] { 0, 0, 0, 0 }), size);
		return tf.math.sub(next, previous);
	}
}
