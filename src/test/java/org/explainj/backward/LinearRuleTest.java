package org.explainj.backward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Every rule on a small dense layer and a small convolution, against relevance computed by hand here
 * (plain Java loops over the weight matrix: an independent path from the TensorFlow ops).
 */
class LinearRuleTest {

	// dense: a [1x3], w [3x2], b [2], relevance at the output [1x2]
	static final float[] A = { 1f, 2f, 0.5f };
	static final float[][] W = { { 1f, -2f }, { 0.5f, 1f }, { -1f, 0.5f } };
	static final float[] B = { 0.1f, -0.2f };
	static final float[] R = { 1f, 0.5f };

	interface Reference {
		double relevance(int j, int k);
	}

	/** R_j = sum_k share(j, k) * R_k. */
	static float[] spread(Reference share) {
		float[] out = new float[A.length];
		for (int j = 0; j < A.length; j++) for (int k = 0; k < R.length; k++) out[j] += share.relevance(j, k) * R[k];
		return out;
	}

	static double z(int k, boolean bias) {
		double z = bias ? B[k] : 0;
		for (int j = 0; j < A.length; j++) z += A[j] * W[j][k];
		return z;
	}

	static float[] dense(LinearRule rule, boolean bias) {
		return dense(rule, A, bias, (tf, a) -> a);
	}

	static float[] dense(LinearRule rule, float[] input, boolean bias) {
		return dense(rule, input, bias, (tf, a) -> a);
	}

	static float[] dense(LinearRule rule, boolean bias, java.util.function.BiFunction<Ops, Operand<TFloat32>,
		Operand<TFloat32>> input)
	{
		return dense(rule, A, bias, input);
	}

	/** The rule on a dense layer whose activations {@code made} makes from the constant input (e.g. through a ReLU). */
	static float[] dense(LinearRule rule, float[] input, boolean bias, java.util.function.BiFunction<Ops,
		Operand<TFloat32>, Operand<TFloat32>> made)
	{
		try (Graph g = new Graph(); Session s = new Session(g)) {
			Ops tf = Ops.create(g);
			var a = made.apply(tf, tf.constant(new float[][] { input }));
			LinearLayer layer = new LinearLayer(LinearLayer.Kind.DENSE, a.asOutput(), tf.constant(W).asOutput(), bias ? tf
				.constant(B) : null, null, null, null, null, false);
			Operand<TFloat32> out = rule.back(tf, layer, tf.constant(new float[][] { R }));
			try (TFloat32 t = (TFloat32) s.runner().fetch(out).run().get(0)) {
				float[] v = new float[A.length];
				t.asRawTensor().data().asFloats().read(v);
				return v;
			}
		}
	}

	@Test
	void epsilonRuleWithAndWithoutEpsilon() {
		assertArrayEquals(spread((j, k) -> A[j] * W[j][k] / z(k, true)), dense(new LrpEpsilonRule(0), true), 1e-6f);
		double eps = 0.25;
		assertArrayEquals(spread((j, k) -> A[j] * W[j][k] / (z(k, true) + eps * (z(k, true) >= 0 ? 1 : -1))), dense(
			new LrpEpsilonRule(eps), true), 1e-6f);
	}

	/**
	 * The stabiliser by hand: z + eps for z >= 0, including 0 and -0 (a zero z must not stay a zero
	 * denominator), z - eps below; a NaN stays NaN; eps may broadcast per row.
	 */
	@Test
	void theStabiliserMovesZeroUpAndKeepsTheSignElsewhere() {
		try (Graph g = new Graph(); Session s = new Session(g)) {
			Ops tf = Ops.create(g);
			float[][] z = { { 0f, -0f, 2f, -3f, 1e-30f, -1e-30f, Float.NaN }, { 0f, -0f, 2f, -3f, 1e-30f, -1e-30f, 4f } };
			Operand<TFloat32> eps = tf.constant(new float[][] { { 0.5f }, { 0.25f } });
			try (TFloat32 out = (TFloat32) s.runner().fetch(LinearRule.stabilise(tf, tf.constant(z), eps)).run().get(0)) {
				float[][] expected = { { 0.5f, 0.5f, 2.5f, -3.5f, 0.5f, -0.5f, Float.NaN }, { 0.25f, 0.25f, 2.25f, -3.25f,
					0.25f, -0.25f, 4.25f } };
				for (int i = 0; i < 2; i++) for (int j = 0; j < 7; j++) assertEquals(expected[i][j], out.getFloat(i, j), "at " +
					i + "," + j);
			}
		}
	}

	@Test
	void gammaRule() {
		double gamma = 0.5;
		Reference share = (j, k) -> {
			double zk = B[k] + gamma * Math.max(0, B[k]);
			for (int i = 0; i < A.length; i++) zk += A[i] * (W[i][k] + gamma * Math.max(0, W[i][k]));
			return A[j] * (W[j][k] + gamma * Math.max(0, W[j][k])) / zk;
		};
		// 1e-5: the rule's stabiliser, 1e-6 times the spread of z, is left out of the hand computation
		assertArrayEquals(spread(share), dense(new LrpGammaRule(gamma), true), 1e-5f);
	}

	/**
	 * Inputs of either sign (a depthwise convolution's output): a unit with z > 0 boosts its positive
	 * contributions a_j w_jk by 1 + gamma, one with z < 0 its negative ones, so that no denominator changes
	 * sign. Here z = (0.6, -4.45).
	 */
	@Test
	void gammaRuleOnSignedInputs() {
		float[] a = { 1f, -2f, -0.5f };
		assertArrayEquals(spread(signAwareGamma(a, 0.5)), dense(new LrpGammaRule(0.5), a, true), 1e-5f);
	}

	/**
	 * Non-negative inputs out of a ReLU, where the rule leaves out the a- terms: the unit with z < 0 (here
	 * z = (0.6, -3.45)) still boosts its negative contributions, through w + gamma w-.
	 */
	@Test
	void gammaRuleOnReluOutputsWithANegativeUnit() {
		float[] a = { 2f, 0f, 1.5f };
		assertArrayEquals(spread(signAwareGamma(a, 0.5)), dense(new LrpGammaRule(0.5), a, true, (tf, x) -> tf.nn.relu(x)),
			1e-5f);
	}

	/** The share of input j in unit k's relevance under the sign-aware gamma rule, by hand. */
	private static Reference signAwareGamma(float[] a, double gamma) {
		return (j, k) -> {
			double zk = B[k];
			for (int i = 0; i < a.length; i++) zk += a[i] * W[i][k];
			java.util.function.DoubleUnaryOperator own = zk > 0 ? v -> Math.max(0, v) : v -> Math.min(0, v);
			double denominator = zk + gamma * own.applyAsDouble(B[k]);
			for (int i = 0; i < a.length; i++) denominator += gamma * own.applyAsDouble(a[i] * W[i][k]);
			double c = a[j] * W[j][k];
			return (c + gamma * own.applyAsDouble(c)) / denominator;
		};
	}

	@Test
	void alphaBetaAndZPlus() {
		double alpha = 2, beta = 1;
		Reference share = (j, k) -> {
			double zp = Math.max(0, B[k]), zn = Math.min(0, B[k]);
			for (int i = 0; i < A.length; i++) {
				zp += Math.max(0, A[i] * W[i][k]);
				zn += Math.min(0, A[i] * W[i][k]);
			}
			double c = A[j] * W[j][k];
			return alpha * (c > 0 ? c / zp : 0) - beta * (c < 0 ? c / zn : 0);
		};
		assertArrayEquals(spread(share), dense(new LrpAlphaBetaRule(alpha, beta, true), true), 1e-6f);
		Reference zPlus = (j, k) -> {
			double zp = 0;
			for (int i = 0; i < A.length; i++) zp += Math.max(0, A[i] * W[i][k]);
			return Math.max(0, A[j] * W[j][k]) / zp;
		};
		assertArrayEquals(spread(zPlus), dense(LrpAlphaBetaRule.zPlus(), true), 1e-6f);
	}

	/**
	 * Activations out of a ReLU (and a max pooling of them) cannot be negative: alpha-beta, z+ and gamma leave out their a-
	 * terms, which are exact zeros, and gives the same numbers bit for bit as on the same values from a
	 * constant (the full form, checked against the hand reference above).
	 */
	@Test
	void alphaBetaOnReluOutputsLeavesOutOnlyZeros() {
		java.util.function.BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> relu = (tf, a) -> tf.nn.relu(a);
		java.util.function.BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> pooled = (tf, a) -> tf.reshape(tf.nn
			.maxPool(tf.reshape(tf.nn.relu(a), tf.constant(new int[] { 1, 1, 3, 1 })), tf.constant(new int[] { 1, 1, 1,
				1 }), tf.constant(new int[] { 1, 1, 1, 1 }), "VALID"), tf.constant(new int[] { 1, 3 }));
		for (LinearRule rule : List.of(new LrpAlphaBetaRule(2, 1, true), LrpAlphaBetaRule.zPlus(), new LrpGammaRule(
			0.5))) {
			float[] full = dense(rule, true);
			assertArrayEquals(full, dense(rule, true, relu), 0f);
			assertArrayEquals(full, dense(rule, true, pooled), 0f);
		}
		// beta given when the graph runs: 0 skips the negative part (a switch), 1 takes it (the hand reference above)
		for (var input : List.of(relu, pooled)) assertArrayEquals(dense(new LrpAlphaBetaRule(1, 0, true), true, input),
			dense(new LrpAlphaBetaRule(Scalar.of(1), Scalar.of(0), true), true, input), 0f);
		assertArrayEquals(dense(new LrpAlphaBetaRule(2, 1, true), true), dense(new LrpAlphaBetaRule(Scalar.of(2), Scalar
			.of(1), true), true, relu), 0f);
		try (Graph g = new Graph()) {
			Ops tf = Ops.create(g);
			var a = tf.constant(new float[][] { A });
			assertTrue(NonNegative.holds(pooled.apply(tf, a).asOutput()), "a max pooling of a ReLU is non-negative");
			assertFalse(NonNegative.holds(a.asOutput()), "a constant is not known to be non-negative");
		}
	}

	@Test
	void zBoxWSquareAndFlat() {
		double l = -1, h = 2;
		Reference box = (j, k) -> {
			double zk = 0;
			for (int i = 0; i < A.length; i++) zk += A[i] * W[i][k] - l * Math.max(0, W[i][k]) - h * Math.min(0, W[i][k]);
			return (A[j] * W[j][k] - l * Math.max(0, W[j][k]) - h * Math.min(0, W[j][k])) / zk;
		};
		assertArrayEquals(spread(box), dense(new ZBoxRule(l, h), true), 1e-6f);
		Reference w2 = (j, k) -> {
			double zk = 0;
			for (int i = 0; i < A.length; i++) zk += W[i][k] * W[i][k];
			return W[j][k] * W[j][k] / zk;
		};
		assertArrayEquals(spread(w2), dense(new WSquareRule(false), true), 1e-6f);
		assertArrayEquals(spread((j, k) -> 1.0 / A.length), dense(new WSquareRule(true), true), 1e-6f);
	}

	/** R_j = sum over units k seeing j of c(j, k) / sum_i c(i, k) * R_k, for a contribution function c. */
	static float[] normalised(float[] a, int[][] field, float[] r, java.util.function.BiFunction<Integer, Integer, Double> c,
		java.util.function.Function<Integer, Double> extra)
	{
		float[] out = new float[a.length];
		for (int k = 0; k < field.length; k++) {
			double z = extra.apply(k);
			for (int i = 0; i < field[k].length; i++) z += c.apply(i, k);
			for (int i = 0; i < field[k].length; i++) if (z != 0) out[field[k][i]] += (float) (c.apply(i, k) / z * r[k]);
		}
		return out;
	}

	/**
	 * A 3x3 one-channel image, a 2x2 kernel, VALID, with a bias: every rule by hand over the four
	 * receptive fields (unit k at (oy, ox) sees pixels (oy+dy, ox+dx) with weight kernel[dy][dx]).
	 */
	@Test
	void everyRuleOnAConvolutionOverReceptiveFields() {
		float[] x = { 1, 2, 0, 0.5f, 1, 3, 2, 0, 1 };
		float[][] kernel = { { 1, -1 }, { 0.5f, 2 } };
		float bias = 0.3f;
		float[] r = { 1, -0.5f, 0.25f, 2 };
		int[][] field = new int[4][4];
		float[][] w = new float[4][4];
		for (int k = 0; k < 4; k++) for (int d = 0; d < 4; d++) {
			field[k][d] = (k / 2 + d / 2) * 3 + (k % 2 + d % 2);
			w[k][d] = kernel[d / 2][d % 2];
		}
		double eps = 0.1, gamma = 0.5, low = -1, high = 3;
		java.util.Map<LinearRule, float[]> expected = new java.util.LinkedHashMap<>();
		expected.put(new LrpEpsilonRule(0), normalised(x, field, r, (i, k) -> (double) x[field[k][i]] * w[k][i], k -> (double) bias));
		float[] z = new float[4];
		for (int k = 0; k < 4; k++) {
			z[k] = bias;
			for (int i = 0; i < 4; i++) z[k] += x[field[k][i]] * w[k][i];
		}
		expected.put(new LrpEpsilonRule(eps), normalised(x, field, r, (i, k) -> (double) x[field[k][i]] * w[k][i],
			k -> bias + eps * (z[k] >= 0 ? 1 : -1)));
		expected.put(new LrpGammaRule(gamma), normalised(x, field, r, (i, k) -> x[field[k][i]] * (w[k][i] + gamma * Math
			.max(0, w[k][i])), k -> bias + gamma * Math.max(0, bias)));
		float[] plus = normalised(x, field, r, (i, k) -> Math.max(0, (double) x[field[k][i]] * w[k][i]), k -> (double) Math
			.max(0, bias));
		float[] minus = normalised(x, field, r, (i, k) -> Math.min(0, (double) x[field[k][i]] * w[k][i]), k -> (double) Math
			.min(0, bias));
		float[] ab = new float[9];
		for (int j = 0; j < 9; j++) ab[j] = 2 * plus[j] - minus[j];
		expected.put(new LrpAlphaBetaRule(2, 1, true), ab);
		expected.put(LrpAlphaBetaRule.zPlus(), normalised(x, field, r, (i, k) -> Math.max(0, (double) x[field[k][i]] *
			w[k][i]), k -> 0.0));
		expected.put(new ZBoxRule(low, high), normalised(x, field, r, (i, k) -> x[field[k][i]] * w[k][i] - low * Math.max(
			0, w[k][i]) - high * Math.min(0, w[k][i]), k -> 0.0));
		expected.put(new WSquareRule(false), normalised(x, field, r, (i, k) -> (double) w[k][i] * w[k][i], k -> 0.0));
		expected.put(new WSquareRule(true), normalised(x, field, r, (i, k) -> 1.0, k -> 0.0));
		for (var e : expected.entrySet()) {
			try (Graph g = new Graph(); Session s = new Session(g)) {
				Ops tf = Ops.create(g);
				var input = tf.reshape(tf.constant(x), tf.constant(new int[] { 1, 3, 3, 1 }));
				var k4 = tf.reshape(tf.constant(kernel), tf.constant(new int[] { 2, 2, 1, 1 }));
				LinearLayer layer = new LinearLayer(LinearLayer.Kind.CONV, input.asOutput(), k4.asOutput(), tf.constant(
					new float[] { bias }), List.of(1L, 1L, 1L, 1L), "VALID", List.of(1L, 1L, 1L, 1L), List.of(), false);
				var out = e.getKey().back(tf, layer, tf.reshape(tf.constant(r), tf.constant(new int[] { 1, 2, 2, 1 })));
				try (TFloat32 t = (TFloat32) s.runner().fetch(out).run().get(0)) {
					float[] v = new float[9];
					t.asRawTensor().data().asFloats().read(v);
					assertArrayEquals(e.getValue(), v, 1e-5f, e.getKey().getClass().getSimpleName());
				}
			}
		}
	}
}
