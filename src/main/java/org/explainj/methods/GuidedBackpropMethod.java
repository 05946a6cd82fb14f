package org.explainj.methods;

import org.explainj.backward.Composite;
import org.explainj.backward.ReluRule;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Guided backpropagation (METHODS.md 3.3, Springenberg et al.): the backward pass in which a ReLU lets
 * the signal through only where both the signal and its forward input are positive.
 */
public final class GuidedBackpropMethod implements AttributionMethod {

	@Override public String name() { return "guided-backprop"; }

	@Override public String title() { return "Guided Backprop"; }

	@Override public String description() { return "backward pass keeping positive signals through active ReLUs"; }

	@Override public Reduction defaultReduction() { return Reduction.MAX_ABS; }

	@Override
	public boolean explainsUnits() {
		return true;
	}

	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		return Relevance.walk(context, Composite.gradient(ReluRule.GUIDED));
	}
}
