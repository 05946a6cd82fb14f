package org.explainj.ij;

import java.util.Map;

import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Plugins > ExplainJ menu entry for integrated gradients (declared in plugins.config). */
@Plugin(type = Command.class, name = "explainj.integrated-gradients", label = "ExplainJ Integrated Gradients")
public class IntegratedGradientsCommand extends ExplainCommand {

	@Parameter(persist = false, label = "Steps", min = "1", description = "points along the path from the baseline")
	public int steps = 50;

	@Parameter(persist = false, label = "Baseline",
		description = "zeros, blur, a constant value or the path of an image file (brought to the model like the input)")
	public String baseline = "zeros";

	@Parameter(persist = false, label = "Rule", choices = { "riemann", "gauss-legendre" },
		description = "quadrature along the path")
	public String rule = "riemann";

	@Parameter(persist = false, label = "Gap", min = "0",
		description = "completeness target: double the steps until |gap| <= gap |f(x) - f(x0)| (0 = off)")
	public double gap = 0;

	@Parameter(persist = false, label = "Max steps", min = "1", description = "most steps the doubling may reach")
	public int maxSteps = 1024;

	@Override
	protected String method() {
		return "integrated-gradients";
	}

	@Override
	protected Map<String, String> parameters() {
		return Map.of("steps", "" + steps, "baseline", baseline, "rule", rule, "gap", "" + gap, "max-steps", "" + maxSteps);
	}
}
