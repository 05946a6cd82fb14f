package org.explainj.methods;

import org.explainj.backward.Composite;
import org.explainj.backward.ReluRule;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The backward passes that differ from the gradient only at ReLUs (docs/METHODS.md 3.1, 3.3): guided
 * backpropagation (Springenberg et al.) lets the signal through where both the signal and the forward
 * input are positive; deconvnet (Zeiler and Fergus) passes max(0, signal) whatever the forward input,
 * max-pool switches kept. Both explain classes and internal units.
 */
public final class ModifiedBackpropMethod implements AttributionMethod {

	private final ReluRule rule;

	private ModifiedBackpropMethod(ReluRule rule) {
		this.rule = rule;
	}

	public static ModifiedBackpropMethod guided() {
		return new ModifiedBackpropMethod(ReluRule.GUIDED);
	}

	public static ModifiedBackpropMethod deconvnet() {
		return new ModifiedBackpropMethod(ReluRule.DECONVNET);
	}

	@Override
	public String name() {
		return rule == ReluRule.GUIDED ? "guided-backprop" : "deconvnet";
	}

	@Override
	public String title() {
		return rule == ReluRule.GUIDED ? "Guided Backprop" : "Deconvnet";
	}

	@Override
	public String description() {
		return rule == ReluRule.GUIDED ? "backward pass keeping positive signals through active ReLUs"
			: "backward pass with ReLUs applied to the signal (switches kept)";
	}

	@Override
	public Reduction defaultReduction() {
		return Reduction.MAX_ABS;
	}

	@Override
	public boolean explainsUnits() {
		return true;
	}

	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		return Relevance.walk(context, Composite.gradient(rule));
	}
}
