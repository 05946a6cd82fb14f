package org.explainj.maximize;

import java.util.List;

/**
 * Result of activation maximisation: one prototype per target (row), in model geometry, with its code in
 * code space, the objective after every step and the target's score and probability at the start point
 * and on the prototype.
 *
 * @param targets the targets' labels ("3", "infected", "conv2:5")
 * @param height model input height
 * @param width model input width
 * @param channels model input channels
 * @param images per target the prototype x* (or g(z*)), H*W*C values in NHWC order, raw (model input
 *            scale)
 * @param planes per target the same image as C planes of H*W (for ImageJ hyperstacks)
 * @param codes per target z* in code space, null in input space
 * @param curves per target the objective (score - penalties) at each step, before that step's update
 * @param startScores target score (log p(c|x) or the unit's mean activation) at the start point
 * @param finalScores the same on the prototype
 * @param startProbabilities p(c|x) at the start point (of the predicted class for unit targets)
 * @param finalProbabilities p(c|x*) on the prototype (of the predicted class for unit targets)
 * @param finalLogits per target all classes' logits on the prototype
 * @param classes per target the class index, -1 for a unit
 */
public record Prototypes(List<String> targets, int height, int width, int channels, float[][] images,
	float[][] planes, float[][] codes, float[][] curves, float[] startScores, float[] finalScores,
	float[] startProbabilities, float[] finalProbabilities, float[][] finalLogits, int[] classes)
{

	public int size() {
		return targets.size();
	}

	/** Mean of the objective over the first tenth of the steps (at least one). */
	public double firstTenth(int target) {
		float[] c = curves[target];
		return mean(c, 0, Math.max(1, c.length / 10));
	}

	/** Mean of the objective over the last tenth of the steps (at least one). */
	public double lastTenth(int target) {
		float[] c = curves[target];
		return mean(c, c.length - Math.max(1, c.length / 10), c.length);
	}

	/** The class with the largest logit on a prototype. */
	public int predicted(int target) {
		float[] l = finalLogits[target];
		int best = 0;
		for (int k = 1; k < l.length; k++) if (l[k] > l[best]) best = k;
		return best;
	}

	/** "3: p 0.012 -> 0.998" or "conv2:5: 0.13 -> 2.41". */
	public String label(int target) {
		return classes[target] >= 0 ? String.format(java.util.Locale.ROOT, "%s: log p %.3f -> %.3f, p %.4f -> %.4f",
			targets.get(target), startScores[target], finalScores[target], startProbabilities[target],
			finalProbabilities[target]) : String.format(java.util.Locale.ROOT, "%s: mean activation %.4g -> %.4g",
				targets.get(target), startScores[target], finalScores[target]);
	}

	private static double mean(float[] c, int from, int to) {
		double s = 0;
		for (int i = from; i < to; i++) s += c[i];
		return s / (to - from);
	}
}
