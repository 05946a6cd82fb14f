package org.explainj.maximize;

import java.nio.file.Path;

import org.explainj.ExplainException;

/**
 * Settings of activation maximisation (docs/METHODS.md 1.1 and 1.3). Defaults: 500 Adam steps, learning rate
 * 0.05, lambda 0.01, seed 0, no jitter, no total variation, no blur, input range 0..1, input space (no
 * generator), xbar = zeros.
 *
 * @param steps gradient-ascent steps
 * @param learningRate Adam's step size
 * @param lambda weight of the penalty ||x - xbar||^2 (of ||z - zbar||^2 in code space)
 * @param seed seeds the start point's noise and the jitter
 * @param jitter shift the image by up to this many pixels (random, per step) before the classifier sees it
 * @param tv weight of the total variation sum |x(i+1,j) - x(i,j)| + |x(i,j+1) - x(i,j)| subtracted from the
 *            objective
 * @param blurEvery blur x with a 3x3 binomial kernel every this many steps (0 = never; input space only)
 * @param low lower end of the model's input range (x is clipped to [low, high] after each step)
 * @param high upper end of the input range
 * @param generator a generator SavedModel g: z -> x for code space, or null for input space
 * @param reference xbar (input space: one image in model geometry NHWC; code space: one code), or null for
 *            zeros
 * @param trustGenerator run a generator that the model audit refuses (it reads or writes files ...)
 */
public record MaximizeOptions(int steps, float learningRate, float lambda, long seed, int jitter, float tv,
	int blurEvery, float low, float high, Path generator, float[] reference, boolean trustGenerator)
{

	public static final int DEFAULT_STEPS = 500;
	public static final float DEFAULT_LEARNING_RATE = 0.05f;
	public static final float DEFAULT_LAMBDA = 0.01f;

	public static MaximizeOptions defaults() {
		return new MaximizeOptions(DEFAULT_STEPS, DEFAULT_LEARNING_RATE, DEFAULT_LAMBDA, 0, 0, 0, 0, 0, 1, null, null, false);
	}

	public MaximizeOptions withSteps(int n) {
		return new MaximizeOptions(n, learningRate, lambda, seed, jitter, tv, blurEvery, low, high, generator, reference, trustGenerator);
	}

	public MaximizeOptions withLearningRate(float lr) {
		return new MaximizeOptions(steps, lr, lambda, seed, jitter, tv, blurEvery, low, high, generator, reference, trustGenerator);
	}

	public MaximizeOptions withLambda(float l) {
		return new MaximizeOptions(steps, learningRate, l, seed, jitter, tv, blurEvery, low, high, generator, reference, trustGenerator);
	}

	public MaximizeOptions withSeed(long s) {
		return new MaximizeOptions(steps, learningRate, lambda, s, jitter, tv, blurEvery, low, high, generator, reference, trustGenerator);
	}

	public MaximizeOptions withJitter(int j) {
		return new MaximizeOptions(steps, learningRate, lambda, seed, j, tv, blurEvery, low, high, generator, reference, trustGenerator);
	}

	public MaximizeOptions withTv(float t) {
		return new MaximizeOptions(steps, learningRate, lambda, seed, jitter, t, blurEvery, low, high, generator, reference, trustGenerator);
	}

	public MaximizeOptions withBlurEvery(int k) {
		return new MaximizeOptions(steps, learningRate, lambda, seed, jitter, tv, k, low, high, generator, reference, trustGenerator);
	}

	public MaximizeOptions withRange(float lo, float hi) {
		return new MaximizeOptions(steps, learningRate, lambda, seed, jitter, tv, blurEvery, lo, hi, generator, reference, trustGenerator);
	}

	public MaximizeOptions withGenerator(Path g) {
		return new MaximizeOptions(steps, learningRate, lambda, seed, jitter, tv, blurEvery, low, high, g, reference, trustGenerator);
	}

	public MaximizeOptions withReference(float[] xbar) {
		return new MaximizeOptions(steps, learningRate, lambda, seed, jitter, tv, blurEvery, low, high, generator, xbar, trustGenerator);
	}

	public MaximizeOptions withTrustedGenerator(boolean trust) {
		return new MaximizeOptions(steps, learningRate, lambda, seed, jitter, tv, blurEvery, low, high, generator, reference,
			trust);
	}

	/** Checks the values; throws a message naming the bad one. */
	public void check() {
		if (steps < 1) throw new ExplainException("Steps " + steps + " is not positive.", "Use 1 or more (default 500).");
		if (!(learningRate > 0) || Float.isInfinite(learningRate)) throw new ExplainException("Learning rate " +
			learningRate + " is not a positive number.", "Use e.g. 0.05.");
		if (!(lambda >= 0) || Float.isInfinite(lambda)) throw new ExplainException("Lambda " + lambda +
			" is not a number >= 0.", "Use e.g. 0.01 (0 switches the penalty off).");
		if (jitter < 0) throw new ExplainException("Jitter " + jitter + " is negative.", "Use 0 (off) or a few pixels.");
		if (!(tv >= 0) || Float.isInfinite(tv)) throw new ExplainException("Total variation weight " + tv +
			" is not a number >= 0.", "Use 0 (off) or a small weight such as 0.01.");
		if (blurEvery < 0) throw new ExplainException("Blur interval " + blurEvery + " is negative.",
			"Use 0 (off) or blur every K steps, e.g. 4.");
		if (!(low < high)) throw new ExplainException("The input range [" + low + ", " + high + "] is empty.",
			"Give low < high, e.g. 0 and 1 for images scaled to unit range.");
		if (generator != null && blurEvery > 0) throw new ExplainException("Blur works on the image in input space; " +
			"with a generator the code z is optimised.", "Set blur to 0 when using a generator.");
	}
}
