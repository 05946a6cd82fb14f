package org.explainj.methods;

import org.explainj.backward.Composite;
import org.explainj.backward.ReluRule;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Deconvnet (METHODS.md 3.1, Zeiler and Fergus): the backward pass in which every ReLU passes
 * max(0, signal) whatever its forward input; max-pool switches are kept.
 */
public final class DeconvnetMethod implements AttributionMethod {

	@Override public String name() { return "deconvnet"; }

	@Override public String title() { return "Deconvnet"; }

	@Override public String description() { return "backward pass with ReLUs applied to the signal (switches kept)"; }

	@Override public Reduction defaultReduction() { return Reduction.MAX_ABS; }

	@Override
	public boolean explainsUnits() {
		return true;
	}

	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		return Relevance.walk(context, Composite.gradient(ReluRule.DECONVNET));
	}
}
