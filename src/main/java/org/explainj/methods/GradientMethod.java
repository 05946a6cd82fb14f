package org.explainj.methods;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** The raw gradient d f_c / d x, signed. */
public final class GradientMethod implements AttributionMethod {

	@Override public String name() { return "gradient"; }

	@Override public String title() { return "Gradient"; }

	@Override public String description() { return "raw gradient of the target score, df_c/dx (signed)"; }

	@Override public Reduction defaultReduction() { return Reduction.SUM; }

	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		return context.gradient();
	}
}
