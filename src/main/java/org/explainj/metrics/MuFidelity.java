package org.explainj.metrics;

import java.util.Arrays;
import java.util.List;

import org.explainj.ExplainException;
import org.explainj.methods.InputBatch;
import org.explainj.model.ClassifierModel;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * MuFidelity (Bhatt et al. 2020; docs/METHODS.md 5.4): for random subsets S of the image's k x k windows
 * (each window in S with probability p, the same subsets for every image and method), the Pearson
 * correlation between the relevance inside S, sum_{i in S} R_i, and the score drop when S is removed,
 * f(x) - f(x with S replaced by the fill). 1 means the map predicts what removing any part costs. The
 * perturbed images are made and scored in graph runs, at most batch-size of them a run.
 */
public final class MuFidelity {

	/** Window side, probability of a window being in a subset, number of subsets, fill, seed. */
	public record Settings(int window, double probability, int subsets, String fill, long seed) {

		public Settings {
			if (window < 1 || subsets < 2) throw new ExplainException("MuFidelity needs a window of 1 pixel or more and " +
				"at least 2 subsets.", "Use e.g. window 4, subsets 100.");
			if (!(probability > 0 && probability < 1)) throw new ExplainException("The MuFidelity subset probability " +
				probability + " is not between 0 and 1.", "Use e.g. 0.25.");
			if (!Selectivity.Settings.FILLS.contains(fill)) throw new ExplainException("Unknown fill '" + fill + "'.",
				"Use one of " + Selectivity.Settings.FILLS + ".");
		}
	}

	/** Per image, the S score drops and the S relevance sums of its subsets. */
	public record Subsets(float[] drops, float[] relevance) {

		/** Their Pearson correlation (0 where either is constant). */
		public double correlation() {
			double[] d = new double[drops.length], r = new double[relevance.length];
			for (int i = 0; i < d.length; i++) {
				d[i] = drops[i];
				r[i] = relevance[i];
			}
			return MapSimilarity.pearson(r, d);
		}
	}

	private record Key(Settings settings, int height, int width, int channels) {}

	private MuFidelity() {}

	/** Each image's subsets; maps [n,h,w,1] in model geometry. */
	public static Subsets[] subsets(ClassifierModel model, InputBatch x, float[] relevance, int[] targets,
		Settings settings, int batchSize)
	{
		int h = x.height(), w = x.width(), c = x.channels(), s = settings.subsets();
		PerturbedScores.Graph ops = model.ops(new Key(settings, h, w, c), tf -> PerturbedScores.Graph.of(tf,
			in -> build(tf, model, in, h, w, c, settings)));
		float[][] rows = PerturbedScores.run(model, ops, x, relevance, targets, s + 1, batchSize);
		Subsets[] out = new Subsets[rows.length];
		for (int i = 0; i < rows.length; i++) {
			float[] drops = new float[s];
			for (int j = 0; j < s; j++) drops[j] = rows[i][0] - rows[i][1 + j];
			out[i] = new Subsets(drops, Arrays.copyOfRange(rows[i], s + 2, 2 * s + 2));
		}
		return out;
	}

	/** The mean over images of the correlation. */
	public static double mean(Subsets[] subsets) {
		return Arrays.stream(subsets).mapToDouble(Subsets::correlation).average().orElse(Double.NaN);
	}

	/**
	 * Per image and column t of the run: f(x without S_t) (S_0 empty: f(x)) and sum R over S_t. The
	 * subsets are drawn all at once from the seed (a few numbers per window), the run's columns picked out.
	 */
	private static List<Operand<TFloat32>> build(Ops tf, ClassifierModel model, PerturbedScores.Inputs in, int h,
		int w, int c, Settings st)
	{
		int k = st.window(), th = (h + k - 1) / k, tw = (w + k - 1) / k, s = st.subsets();
		Operand<TFloat32> chosen = tf.dtypes.cast(tf.math.less(tf.random.statelessRandomUniform(tf.constant(new int[] { s,
			th, tw }), tf.constant(new long[] { st.seed(), 2 }), TFloat32.class), tf.constant((float) st.probability())),
			TFloat32.class);
		Operand<TFloat32> withNone = tf.concat(List.of(tf.zeros(tf.constant(new int[] { 1, th, tw }), TFloat32.class),
			chosen), tf.constant(0)); // [s+1,th,tw]
		Operand<TInt32> count = in.count(tf);
		Operand<TFloat32> masks = PerturbedScores.pixelMask(tf, tf.gather(withNone, in.columns(), tf.constant(0)), th, tw,
			k, h, w); // [P,h,w,1]
		Operand<TFloat32> mask5 = tf.expandDims(masks, tf.constant(0));
		Operand<TFloat32> x5 = tf.expandDims(in.x(), tf.constant(1));
		Operand<TFloat32> fill = tf.expandDims(PerturbedScores.fill(tf, in.x(), st.fill(), k, st.seed()), tf.constant(1));
		Operand<TFloat32> images = tf.reshape(tf.math.add(tf.math.mul(x5, tf.math.sub(tf.constant(1f), mask5)), tf.math
			.mul(fill, mask5)), tf.constant(new int[] { -1, h, w, c }));
		Operand<TFloat32> scores = PerturbedScores.targetLogits(tf, model, images, in.target(), count); // [n,P]
		Operand<TFloat32> sums = tf.linalg.matMul(tf.reshape(in.relevance(), tf.constant(new int[] { -1, h * w })), tf
			.reshape(masks, tf.stack(List.of(count, tf.constant(h * w)))), org.tensorflow.op.linalg.MatMul.transposeB(
				true)); // [n,P]
		return List.of(scores, sums);
	}
}
