package org.explainj.methods;

import java.util.List;

import org.explainj.ExplainException;

/** The methods every front end offers, by name. */
public final class Methods {

	private static final List<AttributionMethod> ALL = List.of(
		// the gradient family
		new GradientMethod(), new SensitivityMethod(), new SaliencyMethod(), new GradientTimesInputMethod(),
		// class activation maps
		new CamMethod(), new GradCamMethod(), new GradCamPlusPlusMethod(),
		// path, noise and perturbation
		new IntegratedGradientsMethod(), new NoiseTunnelMethod(), new OcclusionMethod(), new RiseMethod(), new SobolMethod(),
		// the explicit backward pass
		ModifiedBackpropMethod.guided(), new GuidedGradCamMethod(), ModifiedBackpropMethod.deconvnet(),
		new LrpMethod(LrpMethod.Preset.ZERO), new LrpMethod(LrpMethod.Preset.EPSILON),
		new LrpMethod(LrpMethod.Preset.GAMMA), new LrpMethod(LrpMethod.Preset.ALPHA_BETA),
		new LrpMethod(LrpMethod.Preset.Z_PLUS), new LrpMethod(LrpMethod.Preset.EPSILON_PLUS), new DeepTaylorMethod(),
		new DeepLiftMethod());

	private Methods() {}

	public static List<AttributionMethod> all() {
		return ALL;
	}

	public static AttributionMethod byName(String name) {
		for (AttributionMethod m : ALL) if (m.name().equalsIgnoreCase(name.trim())) return m;
		throw new ExplainException("Unknown method '" + name + "'.", "Use one of " + ALL.stream().map(
			AttributionMethod::name).toList() + " (bin/explainj methods lists them).");
	}
}
