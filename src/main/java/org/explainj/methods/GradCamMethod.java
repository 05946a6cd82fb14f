package org.explainj.methods;

import java.util.List;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Grad-CAM (docs/METHODS.md 4.2, Selvaraju et al.): alpha_k = mean_ij dS_c/dA_k(ij) over a convolutional
 * layer's activations A, L = ReLU(sum_k alpha_k A_k). On a conv -> global average pooling -> dense
 * network with the logit as score, sum_k alpha_k A_k = CAM / (h*w) exactly. One non-negative channel:
 * every reduction but l2-sq (which squares it) leaves the map as it is.
 */
public final class GradCamMethod implements AttributionMethod {

	@Override public String name() { return "grad-cam"; }

	@Override public String title() { return "Grad-CAM"; }

	@Override public String description() {
		return "gradient-weighted class activation map, ReLU(sum_k mean_ij(dS_c/dA_k) A_k) of a conv layer";
	}

	@Override public Reduction defaultReduction() { return Reduction.SUM; }

	@Override
	public List<MethodParameter> parameters() {
		return List.of(ClassActivationMaps.LAYER, ClassActivationMaps.RESOLUTION);
	}

	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		return ClassActivationMaps.gradientWeighted(context, (a, g) -> ClassActivationMaps.spatialMean(context.tf(), g));
	}
}
