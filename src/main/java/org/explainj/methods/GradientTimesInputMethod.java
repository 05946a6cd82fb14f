package org.explainj.methods;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Simple Taylor decomposition (docs/METHODS.md 2.2): R_i = x_i df_c/dx_i. For a bias-free ReLU network the
 * map sums to f_c(x).
 */
public final class GradientTimesInputMethod implements AttributionMethod {

	@Override public String name() { return "gradient-x-input"; }

	@Override public String title() { return "Gradient x Input"; }

	@Override public String description() { return "simple Taylor decomposition, x_i * df_c/dx_i (signed)"; }

	@Override public Reduction defaultReduction() { return Reduction.SUM; }

	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		return context.tf().math.mul(context.input(), context.gradient());
	}
}
