package org.explainj.methods;

import java.util.List;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Grad-CAM++ (docs/METHODS.md 4.3, Chattopadhay et al.) with g = dS_c/dA_k(ij):
 * a = g^2 / (2 g^2 + sum_ab A_k(ab) g^3), 0 where the denominator is 0; w_k = sum_ij a ReLU(g);
 * L = ReLU(sum_k w_k A_k). The paper's factor exp(S_c) (it weights d exp(S_c)/dA) is left out: it only
 * rescales each image's map and overflows float32 for S_c > 88. One non-negative channel: every
 * reduction but l2-sq leaves it as it is.
 */
public final class GradCamPlusPlusMethod implements AttributionMethod {

	@Override public String name() { return "grad-cam-plus-plus"; }

	@Override public String title() { return "Grad-CAM++"; }

	@Override public String description() {
		return "Grad-CAM++, channel weights sum_ij a_k(ij) ReLU(dS_c/dA_k(ij)) from second and third powers of the gradient";
	}

	@Override public Reduction defaultReduction() { return Reduction.SUM; }

	@Override
	public List<MethodParameter> parameters() {
		return List.of(ClassActivationMaps.LAYER, ClassActivationMaps.RESOLUTION);
	}

	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		Ops tf = context.tf();
		return ClassActivationMaps.gradientWeighted(context, (a, g) -> {
			Operand<TFloat32> g2 = tf.math.square(g);
			Operand<TFloat32> g3 = tf.math.mul(g2, g);
			Operand<TFloat32> denominator = tf.math.add(tf.math.mul(tf.constant(2f), g2), tf.math.mul(
				ClassActivationMaps.spatialSum(tf, a), g3));
			Operand<TFloat32> alpha = tf.math.divNoNan(g2, denominator); // 0 where the denominator is 0
			return ClassActivationMaps.spatialSum(tf, tf.math.mul(alpha, tf.nn.relu(g)));
		});
	}
}
