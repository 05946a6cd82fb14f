package org.explainj.methods;

import java.util.List;

import org.explainj.ExplainException;
import org.explainj.backward.Composite;
import org.explainj.backward.LrpAlphaBetaRule;
import org.explainj.backward.LrpEpsilonRule;
import org.explainj.backward.LrpGammaRule;
import org.explainj.backward.Scalar;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Layer-wise relevance propagation (docs/METHODS.md 2.3) with one composite per preset: LRP-0, epsilon,
 * gamma, alpha-beta, z+ and epsilon-plus (epsilon on dense layers, alpha1-beta0 on convolutions, z-box on the
 * pixels). Max pooling is winner-take-all (proportional as an option), average and global average
 * pooling proportional.
 */
public final class LrpMethod implements AttributionMethod {

	/** The presets, by method name. */
	public enum Preset { ZERO, EPSILON, GAMMA, ALPHA_BETA, Z_PLUS, EPSILON_PLUS }

	private static final MethodParameter EPSILON = MethodParameter.fed("epsilon", "0.01",
		"stabiliser added to z with z's sign (absolute)").within(MethodParameter.Range.atLeast(0));
	private static final MethodParameter STABILISER = new MethodParameter("stabiliser", "absolute",
		"absolute (epsilon as given) or relative (epsilon times the standard deviation of each layer's z)").among(List.of(
			"absolute", "relative"));
	private static final MethodParameter MAXPOOL = new MethodParameter("maxpool", "wta",
		"wta (winner-take-all, the first maximum) or proportional (as sum pooling)").among(List.of("wta", "proportional"));

	private final Preset preset;

	public LrpMethod(Preset preset) {
		this.preset = preset;
	}

	@Override
	public String name() {
		return switch (preset) {
			case ZERO -> "lrp-0";
			case EPSILON -> "lrp-epsilon";
			case GAMMA -> "lrp-gamma";
			case ALPHA_BETA -> "lrp-alpha-beta";
			case Z_PLUS -> "lrp-zplus";
			case EPSILON_PLUS -> "lrp-epsilon-plus";
		};
	}

	@Override
	public String title() {
		return switch (preset) {
			case ZERO -> "LRP-0";
			case EPSILON -> "LRP-epsilon";
			case GAMMA -> "LRP-gamma";
			case ALPHA_BETA -> "LRP-alpha-beta";
			case Z_PLUS -> "LRP-z+";
			case EPSILON_PLUS -> "LRP-epsilon-plus";
		};
	}

	@Override
	public String description() {
		return switch (preset) {
			case ZERO -> "layer-wise relevance propagation, R_j = a_j sum_k w_jk R_k / z_k";
			case EPSILON -> "LRP with z_k + eps sign(z_k) (absorbs weak, contradictory evidence)";
			case GAMMA -> "LRP boosting each unit's contributions of its own sign by gamma (w + gamma w+ where z > 0 on inputs >= 0)";
			case ALPHA_BETA -> "LRP, positive and negative contributions weighted alpha and beta";
			case Z_PLUS -> "LRP with positive contributions only, biases ignored";
			case EPSILON_PLUS -> "composite: epsilon on dense, alpha1-beta0 on conv, z-box on pixels";
		};
	}

	@Override
	public Reduction defaultReduction() {
		return Reduction.SUM;
	}

	@Override
	public List<MethodParameter> parameters() {
		return switch (preset) {
			case ZERO, Z_PLUS -> List.of(MAXPOOL);
			case EPSILON -> List.of(EPSILON, STABILISER, MAXPOOL);
			case GAMMA -> List.of(MethodParameter.fed("gamma", "0.25", "how much each unit's contributions of its own sign are boosted").within(
				MethodParameter.Range.atLeast(0)), MAXPOOL);
			case ALPHA_BETA -> List.of(MethodParameter.fed("alpha", "1", "weight of positive contributions").within(
				MethodParameter.Range.atLeast(1)), MethodParameter.fed("beta", "0",
					"weight of negative ones; alpha - beta = 1 (presets 1/0, 2/1)").within(MethodParameter.Range.atLeast(0)),
				MAXPOOL);
			case EPSILON_PLUS -> List.of(EPSILON, STABILISER, PixelBounds.LOW, PixelBounds.HIGH, MAXPOOL);
		};
	}

	@Override
	public void check(MethodSettings s) {
		for (MethodParameter p : parameters()) if (p.feed() == MethodParameter.Feed.FED) s.number(p.name());
		if (preset == Preset.ALPHA_BETA) {
			double alpha = s.number("alpha"), beta = s.number("beta");
			if (Math.abs(alpha - beta - 1) > 1e-9 || beta < 0) throw new ExplainException("lrp-alpha-beta needs " +
				"alpha - beta = 1 and beta >= 0, not alpha " + alpha + ", beta " + beta + ".",
				"Use alpha=1 beta=0 or alpha=2 beta=1.");
		}
		if (preset == Preset.EPSILON_PLUS) PixelBounds.check(s);
	}

	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		MethodSettings s = context.settings();
		Composite composite = switch (preset) {
			case ZERO -> Composite.lrp(new LrpEpsilonRule(0));
			case EPSILON -> Composite.lrp(new LrpEpsilonRule(fed(context, "epsilon"), relative(s)));
			case GAMMA -> Composite.lrp(new LrpGammaRule(fed(context, "gamma")));
			case ALPHA_BETA -> Composite.lrp(new LrpAlphaBetaRule(fed(context, "alpha"), fed(context, "beta"), true));
			case Z_PLUS -> Composite.lrp(LrpAlphaBetaRule.zPlus());
			case EPSILON_PLUS -> Composite.epsilonPlus(new LrpEpsilonRule(fed(context, "epsilon"), relative(s)), PixelBounds
				.zBox(context));
		};
		if (s.string("maxpool").equals("proportional")) composite = composite
			.withProportionalMaxPool();
		return Relevance.walk(context, composite);
	}

	@Override
	public List<String> notes(Explanation explanation, MethodSettings s) {
		String hint = switch (preset) {
			case EPSILON, EPSILON_PLUS -> "Epsilon " + s.string("epsilon") + " (" + s.string("stabiliser") + ") and the " +
				"biases take it: a smaller or relative epsilon keeps more; lrp-zplus ignores biases.";
			case GAMMA -> "The biases and the stabiliser take it: a smaller gamma or lrp-zplus keeps more.";
			default -> "The biases take it; lrp-zplus and deep-taylor ignore them.";
		};
		return Relevance.notes(explanation, title(), hint);
	}

	private static boolean relative(MethodSettings s) {
		return s.string("stabiliser").equals("relative");
	}

	private static Scalar fed(AttributionContext context, String name) {
		Operand<TFloat32> value = context.scalar(name);
		return tf -> value;
	}
}
