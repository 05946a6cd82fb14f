package org.explainj.metrics;


import org.explainj.ExplainException;
import org.explainj.methods.InputBatch;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ScoreKind;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Insertion (Petsiuk et al. 2018; docs/METHODS.md 5.3), the dual of deletion: start from a baseline image
 * (zeros, the image's mean, noise or a blur of it) and put the image's k x k windows back in the order
 * of their relevance (most relevant first), recording the target's probability after each of N steps
 * (as the paper does: bounded, so curves of different images and of images that score below their
 * baseline stay comparable; a regression head, one linear output, has no probability: its raw output is
 * recorded); step t has inserted round(t T / N) of the T windows, so the curve runs from
 * the baseline's score to the full image's. The perturbed images are made and scored in the graph, at
 * most batch-size of them a run.
 */
public final class Insertion {

	/** Window side, number of steps, the baseline (a {@link Selectivity.Settings#FILLS} fill), noise seed. */
	public record Settings(int window, int steps, String fill, long seed) {

		public Settings {
			if (window < 1 || steps < 1) throw new ExplainException("Insertion needs a window of 1 pixel or more and at " +
				"least one step.", "Use e.g. window 4, steps 20.");
			if (!Selectivity.Settings.FILLS.contains(fill)) throw new ExplainException("Unknown insertion baseline '" +
				fill + "'.", "Use one of " + Selectivity.Settings.FILLS + ".");
		}
	}

	private record Key(Settings settings, int height, int width, int channels) {}

	private Insertion() {}

	/**
	 * The target's probability (a regression's output) after 0..N insertion steps, [n][N+1]; maps [n,h,w,1]
	 * in model geometry.
	 */
	public static float[][] curves(ClassifierModel model, InputBatch x, float[] relevance, int[] targets,
		Settings settings, int batchSize)
	{
		int h = x.height(), w = x.width(), c = x.channels();
		PerturbedScores.Graph ops = model.ops(new Key(settings, h, w, c), tf -> PerturbedScores.Graph.of(tf,
			in -> java.util.List.of(build(tf, model, in, h, w, c, settings))));
		return PerturbedScores.run(model, ops, x, relevance, targets, settings.steps() + 1, batchSize);
	}

	private static Operand<TFloat32> build(Ops tf, ClassifierModel model, PerturbedScores.Inputs in, int h, int w,
		int c, Settings s)
	{
		int k = s.window(), th = (h + k - 1) / k, tw = (w + k - 1) / k, tiles = th * tw, steps = s.steps();
		int[] counts = new int[steps + 1];
		for (int t = 0; t <= steps; t++) counts[t] = Math.round((float) t * tiles / steps);
		Operand<TFloat32> mask = PerturbedScores.firstWindows(tf, in.relevance(), k, th, tw, h, w, tiles, tf.gather(tf
			.constant(counts), in.columns(), tf.constant(0))); // [n,P,h,w,1]
		Operand<TFloat32> x5 = tf.expandDims(in.x(), tf.constant(1));
		Operand<TFloat32> base = tf.expandDims(PerturbedScores.fill(tf, in.x(), s.fill(), k, s.seed()), tf.constant(1));
		Operand<TFloat32> images = tf.reshape(tf.math.add(tf.math.mul(x5, mask), tf.math.mul(base, tf.math.sub(tf
			.constant(1f), mask))), tf.constant(new int[] { -1, h, w, c }));
		// a softmax over a regression's one output is always 1: its raw output is the curve
		ScoreKind kind = model.isRegression() ? ScoreKind.LOGIT : ScoreKind.PROBABILITY;
		return PerturbedScores.targetScores(tf, model, images, in.target(), in.count(tf), kind);
	}

	/** The area under the probability curve over t in [0, 1] (trapezoids): higher is better. */
	public static double auc(float[] curve) {
		int n = curve.length - 1;
		if (n == 0) return curve[0];
		double area = 0;
		for (int t = 0; t < n; t++) area += (curve[t] + curve[t + 1]) / 2.0;
		return area / n;
	}
}
