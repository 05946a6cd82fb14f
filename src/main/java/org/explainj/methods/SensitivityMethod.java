package org.explainj.methods;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Sensitivity analysis (docs/METHODS.md 2.1): R_i = (df_c/dx_i)^2. */
public final class SensitivityMethod implements AttributionMethod {

	@Override public String name() { return "sensitivity"; }

	@Override public String title() { return "Sensitivity"; }

	@Override public String description() { return "sensitivity analysis, (df_c/dx_i)^2"; }

	@Override public Reduction defaultReduction() { return Reduction.SUM; }

	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		return context.tf().math.square(context.gradient());
	}
}
