package org.explainj.backward;

/**
 * Which rule each part of the network gets (Zennit's composites): a rule for the first linear layer
 * (the one that sees pixels), one for convolutions and one for dense layers, what a ReLU passes back,
 * how max and average pooling are undone, and whether element-wise nonlinearities pass the signal
 * unchanged. Gradient composites pass signals (ReLU by a {@link ReluRule}); LRP composites pass
 * relevance, which activations leave as it is and average poolings and residual additions share out in
 * proportion to their inputs.
 */
public record Composite(LinearRule first, LinearRule conv, LinearRule dense, ReluRule relu, Pooling maxPool)
{
	/** How a pooling (or a resize, a mean) passes a signal back. */
	public enum Pooling {
		/** Its transpose: a gradient (max pooling: to the window's first maximum). */
		TRANSPOSE,
		/** Relevance to the window's first maximum (winner-take-all). */
		WINNER,
		/** Relevance in proportion to the inputs, R_j = a_j T(R / y) (as sum pooling). */
		PROPORTIONAL
	}

	/** True for relevance (LRP, deep Taylor), false for gradient-like signals. */
	public boolean relevance() {
		return relu == null;
	}

	/**
	 * The rule of a layer: the first-layer rule where it sees the pixels, the dense rule for dense layers,
	 * the convolution rule for convolutions and for element-wise affine layers (an unfoldable batch norm).
	 */
	public LinearRule rule(LinearLayer layer, boolean firstLayer) {
		if (firstLayer) return first;
		return layer.kind() == LinearLayer.Kind.DENSE ? dense : conv;
	}

	/** Average pooling, means and bilinear resizing: proportional for relevance, else their transpose. */
	public Pooling averagePool() {
		return relevance() ? Pooling.PROPORTIONAL : Pooling.TRANSPOSE;
	}

	/** Element-wise nonlinearities pass relevance unchanged; a gradient-like signal takes their derivative. */
	public boolean passesActivations() {
		return relevance();
	}

	/** The same composite with max pooling undone proportionally (as sum pooling) instead of by its winner. */
	public Composite withProportionalMaxPool() {
		return new Composite(first, conv, dense, relu, Pooling.PROPORTIONAL);
	}

	/** Gradient, guided backprop or deconvnet. */
	public static Composite gradient(ReluRule relu) {
		GradientRule g = new GradientRule();
		return new Composite(g, g, g, relu, Pooling.TRANSPOSE);
	}

	/** One LRP rule for every linear layer. */
	public static Composite lrp(LinearRule rule) {
		return new Composite(rule, rule, rule, null, Pooling.WINNER);
	}

	/** Deep Taylor: z+ in hidden layers, z-box at the pixels, every pooling proportional. */
	public static Composite deepTaylor(LinearRule pixels) {
		LinearRule zPlus = LrpAlphaBetaRule.zPlus();
		return new Composite(pixels, zPlus, zPlus, null, Pooling.PROPORTIONAL);
	}

	/** Epsilon-plus: epsilon on dense layers, alpha1-beta0 on convolutions, a pixel rule first. */
	public static Composite epsilonPlus(LrpEpsilonRule epsilon, LinearRule pixels) {
		return new Composite(pixels, new LrpAlphaBetaRule(1, 0, true), epsilon, null, Pooling.WINNER);
	}
}
