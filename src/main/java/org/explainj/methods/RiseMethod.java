package org.explainj.methods;

import java.util.List;

import org.explainj.ExplainException;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * RISE (Petsiuk et al. 2018, docs/METHODS.md): the score on randomly masked copies, averaged per pixel
 * over the masks that keep it. Needs no gradient, so it explains models the backward walk cannot cross.
 * The masks are made in the graph from the seed (stateless random ops), the same for every image of a
 * batch, so a map does not depend on the image's place in the batch.
 */
public final class RiseMethod implements AttributionMethod {

	@Override public String name() { return "rise"; }

	@Override public String title() { return "RISE"; }

	@Override public String description() { return "score on randomly masked copies, weighted by each mask (signed, no gradient)"; }

	@Override public Reduction defaultReduction() { return Reduction.SUM; }

	@Override
	public List<MethodParameter> parameters() {
		return List.of(new MethodParameter("masks", "1000", "number of random masks N").within(MethodParameter.Range
			.wholeAtLeast(1)), new MethodParameter("cells", "7", "mask grid is cells x cells").within(MethodParameter.Range
				.wholeAtLeast(1)), new MethodParameter("probability", "0.5", "chance p that a cell is kept (0 < p < 1)")
					.within(new MethodParameter.Range(false, 0, 1, List.of())), new MethodParameter("seed", "0",
						"seed of the masks").within(MethodParameter.Range.anyWhole()));
	}

	@Override
	public int evaluationsPerImage(MethodSettings settings, int height, int width) {
		return Perturbations.evaluationsAtOnce(settings.integer("masks"));
	}

	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		Ops tf = context.tf();
		MethodSettings s = context.settings();
		int h = context.model().height(), w = context.model().width();
		if (h <= 0 || w <= 0) throw new ExplainException("rise needs a model with a fixed input size.",
			"Use another method for fully convolutional models.");
		int n = s.integer("masks"), cells = s.integer("cells");
		double p = s.number("probability");
		// the range admits 0 and 1; a mask that always keeps (or hides) every cell carries no information
		if (!(p > 0 && p < 1)) throw new ExplainException("rise: probability must lie between 0 and 1 (exclusive), not " +
			p + ".", "Use e.g. probability=0.5.");
		Operand<TFloat32> masks = masks(tf, n, cells, (float) p, s.integer("seed"), h, w);
		Operand<TFloat32> scores = Perturbations.scores(context, tf.zerosLike(context.input()), masks, n); // [N, n]
		// subtracting the mean masked score (a control variate) leaves E[f | pixel kept] - E[f]: positive where
		// keeping the pixel raises the score; without it every pixel would carry about E[f]
		Operand<TFloat32> centred = tf.math.sub(scores, tf.math.mean(scores, tf.constant(1), Mean.keepDims(true)));
		Operand<TFloat32> flat = tf.reshape(masks, tf.constant(new int[] { n, h * w }));
		Operand<TFloat32> saliency = tf.math.div(tf.linalg.matMul(centred, flat), tf.constant((float) (n * p)));
		return tf.reshape(saliency, tf.constant(new int[] { -1, h, w, 1 }));
	}

	/**
	 * [n, h, w] soft masks: a (cells + 2)^2 grid of cells kept with probability p, spaced C = ceil(side /
	 * cells) pixels apart, sampled bilinearly at pixel (i + s) / C with a random shift s in [0, C) per
	 * mask and axis (the paper upsamples the grid and crops it at a random offset: the same thing).
	 */
	static Operand<TFloat32> masks(Ops tf, int n, int cells, float p, long seed, int h, int w) {
		int g = cells + 2;
		float cy = (float) Math.ceil((double) h / cells), cx = (float) Math.ceil((double) w / cells);
		Operand<TFloat32> grid = tf.dtypes.cast(tf.math.less(tf.random.statelessRandomUniform(tf.constant(new int[] { n,
			g, g, 1 }), Perturbations.seed(tf, seed, 0), TFloat32.class), tf.constant(p)), TFloat32.class);
		Operand<TFloat32> shift = tf.random.statelessRandomUniform(tf.constant(new int[] { n, 2 }), Perturbations.seed(
			tf, seed, 1), TFloat32.class);
		// cropAndResize samples pixel i of a box [y1, y2] at grid coordinate y1 (g-1) + i (y2-y1) (g-1) / (h-1)
		Operand<TFloat32> sy = tf.gather(shift, tf.constant(0), tf.constant(1)), sx = tf.gather(shift, tf.constant(1),
			tf.constant(1));
		Operand<TFloat32> y1 = tf.math.div(sy, tf.constant((float) (g - 1))), x1 = tf.math.div(sx, tf.constant(
			(float) (g - 1)));
		Operand<TFloat32> y2 = tf.math.add(y1, tf.constant((h - 1) / cy / (g - 1))), x2 = tf.math.add(x1, tf.constant(
			(w - 1) / cx / (g - 1)));
		Operand<TFloat32> boxes = tf.stack(List.of(y1, x1, y2, x2), Stack.axis(1L));
		Operand<TInt32> index = tf.range(tf.constant(0), tf.constant(n), tf.constant(1));
		Operand<TFloat32> up = tf.image.cropAndResize(grid, boxes, index, tf.constant(new int[] { h, w }));
		return tf.reshape(up, tf.constant(new int[] { n, h, w }));
	}
}
