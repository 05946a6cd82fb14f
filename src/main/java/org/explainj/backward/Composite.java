package org.explainj.backward;

/**
 * Which rule each part of the network gets (Zennit's composites): a rule for the first linear layer
 * (the one that sees pixels), one for convolutions and one for dense layers, what a ReLU passes back,
 * and how max pooling is undone. Gradient composites pass signals (ReLU by a {@link ReluRule}); LRP
 * composites pass relevance, which ReLUs leave as it is and poolings and residual additions share out
 * in proportion to their inputs.
 */
public record Composite(LinearRule first, LinearRule conv, LinearRule dense, ReluRule relu,
	boolean proportionalMaxPool)
{
	/** True for relevance (LRP, deep Taylor), false for gradient-like signals. */
	public boolean relevance() {
		return relu == null;
	}

	public LinearRule rule(LinearLayer layer, boolean firstLayer) {
		if (firstLayer) return first;
		return layer.kind() == LinearLayer.Kind.DENSE ? dense : conv;
	}

	/** The same composite with max pooling undone proportionally (as sum pooling) instead of by its winner. */
	public Composite withProportionalMaxPool() {
		return new Composite(first, conv, dense, relu, true);
	}

	/** Gradient, guided backprop or deconvnet. */
	public static Composite gradient(ReluRule relu) {
		GradientRule g = new GradientRule();
		return new Composite(g, g, g, relu, false);
	}

	/** One LRP rule for every linear layer. */
	public static Composite lrp(LinearRule rule) {
		return new Composite(rule, rule, rule, null, false);
	}

	/** Deep Taylor: z+ in hidden layers, z-box at the pixels, every pooling proportional. */
	public static Composite deepTaylor(LinearRule pixels) {
		LinearRule zPlus = LrpAlphaBetaRule.zPlus();
		return new Composite(pixels, zPlus, zPlus, null, true);
	}

	/** Epsilon-plus: epsilon on dense layers, alpha1-beta0 on convolutions, a pixel rule first. */
	public static Composite epsilonPlus(LrpEpsilonRule epsilon, LinearRule pixels) {
		return new Composite(pixels, new LrpAlphaBetaRule(1, 0, true), epsilon, null, false);
	}
}
