package org.explainj.ij;

import java.util.Map;

import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Plugins > ExplainJ menu entry for LRP-epsilon-plus (declared in plugins.config). */
@Plugin(type = Command.class, name = "explainj.lrp-epsilon-plus", label = "ExplainJ LRP-epsilon-plus")
public class LrpEpsilonPlusCommand extends ExplainCommand {

	@Parameter(persist = false, label = "Epsilon", description = "stabiliser of the dense layers")
	public double epsilon = 0.01;

	@Parameter(persist = false, label = "Epsilon is", choices = { "absolute", "relative" }, description =
		"absolute, or relative: times the standard deviation of each layer's z")
	public String stabiliser = "absolute";

	@Parameter(persist = false, label = "Low", description = "lowest pixel value for z-box (auto = the image's minimum)")
	public String low = "auto";

	@Parameter(persist = false, label = "High", description = "highest pixel value for z-box (auto = the image's maximum)")
	public String high = "auto";

	@Parameter(persist = false, label = "Max pooling", choices = { "wta", "proportional" })
	public String maxpool = "wta";

	@Override
	protected String method() {
		return "lrp-epsilon-plus";
	}

	@Override
	protected Map<String, String> parameters() {
		return Map.of("epsilon", "" + epsilon, "low", low, "high", high, "maxpool", maxpool, "stabiliser", stabiliser);
	}
}
