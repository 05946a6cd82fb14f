package org.explainj.ij;

import java.util.Map;

import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Plugins > ExplainJ menu entry for LRP-epsilon (declared in plugins.config). */
@Plugin(type = Command.class, name = "explainj.lrp-epsilon", label = "ExplainJ LRP-epsilon")
public class LrpEpsilonCommand extends ExplainCommand {

	@Parameter(persist = false, label = "Epsilon", description = "stabiliser added to z with its sign")
	public double epsilon = 0.01;

	@Parameter(persist = false, label = "Epsilon is", choices = { "absolute", "relative" }, description =
		"absolute, or relative: times the standard deviation of each layer's z")
	public String stabiliser = "absolute";

	@Parameter(persist = false, label = "Max pooling", choices = { "wta", "proportional" })
	public String maxpool = "wta";

	@Override
	protected String method() {
		return "lrp-epsilon";
	}

	@Override
	protected Map<String, String> parameters() {
		return Map.of("epsilon", "" + epsilon, "maxpool", maxpool, "stabiliser", stabiliser);
	}
}
