package org.explainj.backward;

import java.util.List;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * LRP-alpha-beta (alpha - beta = 1): the positive contributions (a_j w_jk)^+ plus b_k^+ and the negative
 * ones (a_j w_jk)^- plus b_k^- are each normalised on their own (0/0 := 0), R_j = alpha R+_j - beta R-_j.
 * With biases ignored and beta = 0 it is LRP-z+.
 */
public final class LrpAlphaBetaRule implements LinearRule {

	private final Scalar alpha;
	// null: no negative part (beta = 0 known when the graph is built)
	private final Scalar beta;
	private final boolean biases;

	public LrpAlphaBetaRule(Scalar alpha, Scalar beta, boolean biases) {
		this.alpha = alpha;
		this.beta = beta;
		this.biases = biases;
	}

	public LrpAlphaBetaRule(double alpha, double beta, boolean biases) {
		this(Scalar.of(alpha), beta == 0 ? null : Scalar.of(beta), biases);
	}

	/** LRP-z+: positive contributions only, biases ignored (alpha 1, beta 0). */
	public static LrpAlphaBetaRule zPlus() {
		return new LrpAlphaBetaRule(1, 0, false);
	}

	@Override
	public Operand<TFloat32> back(Ops tf, LinearLayer layer, Operand<TFloat32> r) {
		Operand<TFloat32> a = layer.input(), w = layer.weight();
		NonNegative.Parts parts = NonNegative.split(tf, layer.input());
		Operand<TFloat32> ap = parts.positive(), an = parts.negative();
		Operand<TFloat32> wp = LinearRule.positive(tf, w), wn = LinearRule.negative(tf, w);
		Operand<TFloat32> b = biases ? layer.biasOrZero(tf) : tf.constant(0f);
		Operand<TFloat32> positive = part(tf, layer, ap, wp, an, wn, LinearRule.positive(tf, b), r);
		if (beta == null) return tf.math.mul(alpha.in(tf), positive);
		// beta is known only when the graph runs: a run with beta 0 (the default) skips the negative part, whose
		// ops hang off the false side of a switch, and takes zeros in its place (beta * 0 = beta * R-: the same)
		Operand<TFloat32> b0 = beta.in(tf);
		Operand<TBool> none = tf.math.equal(b0, tf.constant(0f));
		Operand<TFloat32> negative = part(tf, layer, tf.switchCond(ap, none).outputFalse(), wn, an == null ? null : tf
			.switchCond(an, none).outputFalse(), wp, LinearRule.negative(tf, b), tf.switchCond(r, none).outputFalse());
		Operand<TFloat32> skipped = tf.zerosLike(tf.switchCond(a, none).outputTrue());
		Operand<TFloat32> taken = tf.merge(List.of(negative, skipped)).output();
		return tf.math.sub(tf.math.mul(alpha.in(tf), positive), tf.math.mul(b0, taken));
	}

	/**
	 * Relevance through the contributions a1*w1 + a2*w2 (+ bias), normalised by their sum; a2 null: no
	 * a2*w2 term.
	 */
	private static Operand<TFloat32> part(Ops tf, LinearLayer layer, Operand<TFloat32> a1, Operand<TFloat32> w1,
		Operand<TFloat32> a2, Operand<TFloat32> w2, Operand<TFloat32> bias, Operand<TFloat32> r)
	{
		Operand<TFloat32> z = tf.math.add(layer.forward(tf, a1, w1, a2, w2), bias);
		Operand<TFloat32> s = LinearRule.divide(tf, r, z);
		Operand<TFloat32> r1 = tf.math.mul(a1, layer.transpose(tf, s, w1));
		return a2 == null ? r1 : tf.math.add(r1, tf.math.mul(a2, layer.transpose(tf, s, w2)));
	}
}
