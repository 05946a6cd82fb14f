package org.explainj.metrics;

import java.util.List;

import org.explainj.ExplainException;
import org.explainj.methods.InputBatch;
import org.explainj.model.ClassifierModel;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Selectivity by region perturbation (docs/METHODS.md 5.2, pixel flipping): the image is cut into k x k
 * windows, the windows are removed in the order of their summed relevance (most relevant first, so
 * removed windows never overlap), and the target's logit is recorded after each of N removals. The
 * N+1 perturbed images of every image are made and scored in the graph, through a network copy, at most
 * batch-size of them a run.
 */
public final class Selectivity {

	/** Window side, number of removals, what a removed window holds (zeros, mean, noise, blur), noise seed. */
	public record Settings(int window, int steps, String fill, long seed) {

		public static final List<String> FILLS = List.of("zeros", "mean", "noise", "blur");

		/** 4x4 windows for small images, larger ones for large images (a 16th of the shorter side). */
		public static int defaultWindow(int height, int width) {
			return Math.max(4, Math.round(Math.min(height, width) / 16f));
		}

		public Settings {
			if (window < 1 || steps < 1) throw new ExplainException("Selectivity needs a window of 1 pixel or more " +
				"and at least one step.", "Use e.g. window 4, steps 20.");
			if (!FILLS.contains(fill)) throw new ExplainException("Unknown fill '" + fill + "'.", "Use one of " + FILLS +
				".");
		}
	}

	private record Key(Settings settings, int steps, int height, int width, int channels) {}

	private Selectivity() {}

	/**
	 * The target logit after 0..N removals, [n][N+1], for images x (model geometry), their relevance maps
	 * [n,h,w,1] (model geometry) and the explained classes; at most {@code batchSize} perturbed images are
	 * scored per run.
	 */
	public static float[][] curves(ClassifierModel model, InputBatch x, float[] relevance, int[] targets,
		Settings settings, int batchSize)
	{
		int h = x.height(), w = x.width(), c = x.channels(), k = settings.window();
		int th = h / k, tw = w / k, tiles = th * tw;
		if (tiles < 1) throw new ExplainException("The window (" + k + " px) is larger than the image (" + w + "x" + h +
			").", "Use a smaller window.");
		int steps = Math.min(settings.steps(), tiles);
		PerturbedScores.Graph ops = model.ops(new Key(settings, steps, h, w, c), tf -> PerturbedScores.Graph.of(tf,
			in -> List.of(build(tf, model, in, h, w, c, k, steps, settings))));
		return PerturbedScores.run(model, ops, x, relevance, targets, steps + 1, batchSize);
	}

	private static Operand<TFloat32> build(Ops tf, ClassifierModel model, PerturbedScores.Inputs in, int h, int w,
		int c, int k, int steps, Settings s)
	{
		// column t removes t windows; only whole windows are removed: the strip past the last whole one stays
		Operand<TFloat32> mask = PerturbedScores.firstWindows(tf, in.relevance(), k, h / k, w / k, h, w, steps, in
			.columns()); // [n,P,h,w,1]
		Operand<TFloat32> x5 = tf.expandDims(in.x(), tf.constant(1));
		Operand<TFloat32> fill = tf.expandDims(PerturbedScores.fill(tf, in.x(), s.fill(), s.window(), s.seed()), tf
			.constant(1));
		Operand<TFloat32> flipped = tf.reshape(tf.math.add(tf.math.mul(x5, tf.math.sub(tf.constant(1f), mask)), tf.math
			.mul(fill, mask)), tf.constant(new int[] { -1, h, w, c }));
		return PerturbedScores.targetLogits(tf, model, flipped, in.target(), in.count(tf));
	}

	/**
	 * Area under the curve of f_t / f_0 over t in [0, 1] (trapezoids; N removals): lower means the
	 * explanation found what the decision rests on.
	 */
	public static double auc(float[] curve) {
		int n = curve.length - 1;
		if (n == 0) return 1;
		double area = 0;
		for (int t = 0; t < n; t++) area += (curve[t] + curve[t + 1]) / 2.0;
		return area / n / curve[0];
	}

	/** Area over the perturbation curve: the mean of f_0 - f_t over t = 0..N (Samek et al.). */
	public static double aopc(float[] curve) {
		double sum = 0;
		for (float f : curve) sum += curve[0] - f;
		return sum / curve.length;
	}
}
