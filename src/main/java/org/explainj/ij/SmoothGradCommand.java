package org.explainj.ij;

import java.util.Map;

import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Plugins > ExplainJ menu entry for the SmoothGrad noise tunnel (declared in plugins.config). */
@Plugin(type = Command.class, name = "explainj.smoothgrad", label = "ExplainJ SmoothGrad")
public class SmoothGradCommand extends ExplainCommand {

	@Parameter(persist = false, label = "Of", choices = { "gradient", "saliency", "sensitivity", "gradient-x-input",
		"cam", "grad-cam", "grad-cam-plus-plus", "integrated-gradients", "occlusion", "rise", "sobol", "guided-backprop", "guided-grad-cam",
		"deconvnet", "lrp-0", "lrp-epsilon", "lrp-gamma", "lrp-alpha-beta", "lrp-zplus", "lrp-epsilon-plus",
		"deep-taylor", "deeplift" }, description = "the wrapped method (with its default parameters)")
	public String of = "gradient";

	@Parameter(persist = false, label = "Samples", min = "1", description = "noisy copies")
	public int samples = 50;

	@Parameter(persist = false, label = "Noise", min = "0", description = "sigma as a fraction of the value range")
	public double noise = 0.15;

	@Parameter(persist = false, label = "Variant", choices = { "smoothgrad", "smoothgrad-squared", "vargrad" })
	public String variant = "smoothgrad";

	@Parameter(persist = false, label = "Seed", description = "the same seed gives the same map")
	public int seed = 0;

	@Override
	protected String method() {
		return "smoothgrad";
	}

	@Override
	protected Map<String, String> parameters() {
		return Map.of("of", of, "samples", "" + samples, "noise", "" + noise, "variant", variant, "seed", "" + seed);
	}
}
