package org.explainj.methods;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Saliency (docs/METHODS.md 3.2, Simonyan et al.): |df_c/dx|, shown as the maximum over channels. */
public final class SaliencyMethod implements AttributionMethod {

	@Override public String name() { return "saliency"; }

	@Override public String title() { return "Saliency"; }

	@Override public String description() { return "backpropagation saliency, |df_c/dx| (max over channels)"; }

	@Override public Reduction defaultReduction() { return Reduction.MAX_ABS; }

	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		return context.tf().math.abs(context.gradient());
	}
}
