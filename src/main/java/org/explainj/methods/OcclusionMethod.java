package org.explainj.methods;

import java.util.ArrayList;
import java.util.List;

import org.explainj.ExplainException;
import org.explainj.methods.MethodParameter.Range;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Occlusion (Zeiler and Fergus): slide a patch of a fill value over the image and record how much the
 * target score drops; each pixel gets the mean drop of the windows that cover it. The occluded copies of
 * every image are made and scored in the graph; the windows are the method's parts, run in chunks that
 * fit the batch size.
 */
public final class OcclusionMethod implements AttributionMethod {

	@Override public String name() { return "occlusion"; }

	@Override public String title() { return "Occlusion"; }

	@Override public String description() { return "score drop when a sliding patch hides the pixel (signed)"; }

	@Override public Reduction defaultReduction() { return Reduction.SUM; }

	@Override
	public List<MethodParameter> parameters() {
		return List.of(new MethodParameter("patch", "8", "patch side in model pixels").within(Range.wholeAtLeast(1)),
			new MethodParameter("stride", "4", "step between patches").within(Range.wholeAtLeast(1)), MethodParameter.fed(
				"fill", "0", "value the patch holds (model input units)").within(Range.anyNumber()));
	}

	@Override
	public int evaluationsPerImage(MethodSettings settings, int height, int width) {
		return parts(settings, height, width) + 1;
	}

	/** The windows. */
	@Override
	public int parts(MethodSettings settings, int height, int width) {
		if (height <= 0 || width <= 0) return 1;
		// a caller may ask before build() refuses a patch larger than the image: count it clipped
		int patch = Math.min(settings.integer("patch"), Math.min(height, width));
		int stride = settings.integer("stride");
		return starts(height, patch, stride).length * starts(width, patch, stride).length;
	}

	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		Ops tf = context.tf();
		MethodSettings s = context.settings();
		int h = context.model().height(), w = context.model().width();
		if (h <= 0 || w <= 0) throw new ExplainException("occlusion needs a model with a fixed input size.",
			"Use another method for fully convolutional models.");
		int patch = s.integer("patch"), stride = s.integer("stride");
		if (patch > Math.min(h, w)) throw new ExplainException("occlusion: patch " + patch + " is larger than the " +
			"model's input (" + w + " x " + h + " pixels).", "Use patch=" + Math.min(h, w) + " or less.");
		int[] ys = starts(h, patch, stride), xs = starts(w, patch, stride);
		int windows = ys.length * xs.length;
		int[] wy = new int[windows], wx = new int[windows];
		for (int i = 0; i < ys.length; i++) for (int j = 0; j < xs.length; j++) {
			wy[i * xs.length + j] = ys[i];
			wx[i * xs.length + j] = xs[j];
		}
		// every window's mask gives the coverage; the windows of this run (its parts) give the drops
		Operand<TFloat32> coverage = tf.reduceSum(tf.reshape(masks(tf, tf.constant(wy), tf.constant(wx), patch, h, w), tf
			.constant(new int[] { windows, h * w })), tf.constant(0));
		Operand<TInt32> run = context.partIndices();
		Operand<TInt32> count = tf.size(run);
		Operand<TFloat32> masks = masks(tf, tf.gather(tf.constant(wy), run, tf.constant(0)), tf.gather(tf.constant(wx),
			run, tf.constant(0)), patch, h, w); // [P,h,w]
		Operand<TFloat32> mask5 = tf.expandDims(tf.expandDims(masks, tf.constant(0)), tf.constant(4)); // [1,P,h,w,1]
		Operand<TFloat32> x5 = tf.expandDims(context.input(), tf.constant(1));
		Operand<TFloat32> occluded = tf.math.add(tf.math.mul(x5, tf.math.sub(tf.constant(1f), mask5)), tf.math.mul(mask5,
			context.scalar("fill")));
		AttributionContext copies = context.on(Shapes.merge(tf, occluded), count, tf.math.reciprocal(tf.dtypes.cast(count,
			TFloat32.class)), s);
		Operand<TFloat32> scores = tf.reshape(copies.targetScore(), tf.stack(java.util.List.of(tf.constant(-1), count)));
		Operand<TFloat32> drop = tf.math.sub(tf.expandDims(context.targetScore(), tf.constant(1)), scores); // [N,P]
		Operand<TFloat32> flatMasks = tf.reshape(masks, tf.stack(java.util.List.of(count, tf.constant(h * w))));
		Operand<TFloat32> summed = tf.linalg.matMul(drop, flatMasks); // [N, h*w]
		return tf.reshape(tf.math.div(summed, coverage), tf.constant(new int[] { -1, h, w, 1 }));
	}

	/** Window starts that cover the whole side, the last one flush with the border. */
	static int[] starts(int size, int patch, int stride) {
		List<Integer> s = new ArrayList<>();
		for (int p = 0; p + patch <= size; p += stride) s.add(p);
		if (s.get(s.size() - 1) + patch < size) s.add(size - patch);
		return s.stream().mapToInt(Integer::intValue).toArray();
	}

	/** [windows, h, w]: 1 inside the patch of each window starting at (ys, xs). */
	private static Operand<TFloat32> masks(Ops tf, Operand<TInt32> ys, Operand<TInt32> xs, int patch, int h, int w) {
		Operand<TFloat32> rows = inside(tf, ys, patch, h), cols = inside(tf, xs, patch, w); // [W,h], [W,w]
		return tf.math.mul(tf.expandDims(rows, tf.constant(2)), tf.expandDims(cols, tf.constant(1)));
	}

	/** [windows, size]: 1 where position p lies in [start, start + patch). */
	private static Operand<TFloat32> inside(Ops tf, Operand<TInt32> starts, int patch, int size) {
		Operand<TInt32> p = tf.expandDims(tf.range(tf.constant(0), tf.constant(size), tf.constant(1)), tf.constant(0));
		Operand<TInt32> lo = tf.expandDims(starts, tf.constant(1));
		Operand<TInt32> hi = tf.math.add(lo, tf.constant(patch));
		return tf.dtypes.cast(tf.math.logicalAnd(tf.math.greaterEqual(p, lo), tf.math.less(p, hi)), TFloat32.class);
	}
}
