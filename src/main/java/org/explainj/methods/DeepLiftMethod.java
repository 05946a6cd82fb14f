package org.explainj.methods;

import java.util.List;

import org.explainj.backward.BackwardWalk;
import org.explainj.backward.Composite;
import org.explainj.backward.ReluRule;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

/**
 * DeepLIFT (docs/METHODS.md 2.5, Shrikumar et al.) with the rescale rule: multipliers pass linear layers like
 * gradients and nonlinearities as (y - y0) / (x - x0); or with RevealCancel, which treats the positive
 * and negative parts of each difference apart ({@link BackwardWalk#withRevealCancel}); max pooling splits each window's difference
 * between its winners at x and at x0, so that the contributions (x - x0) * m sum to f(x) - f(x0). The
 * reference network runs on the baseline through a network copy, in the same graph: once a run where the
 * baseline is the same for every image (zeros, a constant, an image file), else on every image's own. The summation gap
 * sum(C) - (f(x) - f(x0)) is reported with every map.
 */
public final class DeepLiftMethod implements AttributionMethod {

	public static final String GAP = "summation-gap";

	@Override public String name() { return "deeplift"; }

	@Override public String title() { return "DeepLIFT"; }

	@Override public String description() { return "DeepLIFT (rescale or RevealCancel): contributions relative to a baseline (signed)"; }

	@Override public Reduction defaultReduction() { return Reduction.SUM; }

	@Override
	public List<MethodParameter> parameters() {
		return List.of(Baselines.PARAMETER, new MethodParameter("maxpool", "deeplift",
			"deeplift (keeps summation-to-delta) or gradient (plain routing, as Captum)").among(List.of("deeplift", "gradient")),
			new MethodParameter("rule", "rescale", "nonlinearities by rescale or revealcancel").among(List.of("rescale",
				"revealcancel")));
	}

	@Override
	public int evaluationsPerImage(MethodSettings settings, int height, int width) {
		// a shared baseline is one more row a run, not one an image
		return Baselines.shared(settings) ? 1 : 2;
	}

	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		Ops tf = context.tf();
		Relevance.requireLogit(context, "DeepLIFT's contributions sum to the change of");
		MethodSettings s = context.settings();
		boolean deepLiftMaxPool = s.string("maxpool").equals("deeplift");
		// a baseline shared by every image is one row, whose network broadcasts against the batch's
		Operand<TFloat32> x0 = Baselines.shared(s) ? Baselines.sharedRow(context) : Baselines.of(context);
		AttributionContext reference = context.on(x0, 1, s);
		BackwardWalk walk = new BackwardWalk(tf, context.model(), context::tensor, Composite.gradient(ReluRule.GRADIENT))
			.withReference(reference::tensor, deepLiftMaxPool);
		if (s.string("rule").equals("revealcancel")) walk.withRevealCancel();
		Operand<TFloat32> multipliers = walk.run(context.model().logits(), context.logitSeed());
		Operand<TFloat32> contributions = tf.math.mul(tf.math.sub(context.input(), x0), multipliers);
		Operand<TFloat32> total = tf.reduceSum(contributions, tf.constant(new int[] { 1, 2, 3 }), ReduceSum.keepDims(
			false));
		Operand<TFloat32> delta = tf.math.sub(context.targetScore(), reference.targetScore());
		context.report(GAP, tf.math.sub(total, delta));
		context.report(Relevance.CONSERVATION, tf.math.div(total, delta));
		return contributions;
	}

	/** Summation-to-delta holds for both rules (up to round-off) unless max pooling routes by gradient. */
	@Override
	public List<String> notes(Explanation e, MethodSettings settings) {
		float[] kept = e.diagnostics().get(Relevance.CONSERVATION);
		int missed = 0, first = -1;
		for (int i = 0; i < e.n(); i++) {
			if (!Double.isFinite(kept[i]) || Math.abs(kept[i] - 1) > Relevance.LOST) {
				missed++;
				if (first < 0) first = i;
			}
		}
		if (missed == 0) return List.of();
		return List.of(String.format(java.util.Locale.ROOT, "DeepLIFT's contributions miss f(x) - f(x0) in %d of %d " +
			"images (image %d: they sum to %.4g (f(x) - f(x0)))%s.", missed, e.n(), first + 1, kept[first], settings.string(
				"maxpool").equals("gradient") ? "; maxpool=gradient breaks summation-to-delta" : ""));
	}
}
