package org.explainj.methods;

import java.util.List;
import java.util.Map;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Guided Grad-CAM (docs/METHODS.md 4.2): guided backpropagation times Grad-CAM upsampled to the input, so
 * that the fine detail of the one is kept only where the other sees class evidence.
 */
public final class GuidedGradCamMethod implements AttributionMethod {

	@Override public String name() { return "guided-grad-cam"; }

	@Override public String title() { return "Guided Grad-CAM"; }

	@Override public String description() { return "guided backprop x Grad-CAM (upsampled to the input)"; }

	@Override public Reduction defaultReduction() { return Reduction.MAX_ABS; }

	@Override
	public List<MethodParameter> parameters() {
		return List.of(ClassActivationMaps.LAYER);
	}

	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		GradCamMethod gradCam = new GradCamMethod();
		MethodSettings camSettings = MethodSettings.of(gradCam, Map.of("layer", context.settings().string("layer"),
			"resolution", "input"));
		Operand<TFloat32> cam = gradCam.build(context.withSettings(camSettings));
		return context.tf().math.mul(ModifiedBackpropMethod.guided().build(context), cam);
	}
}
