package org.explainj.ij;

import java.util.Map;

import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Plugins > ExplainJ menu entry for LRP-gamma (declared in plugins.config). */
@Plugin(type = Command.class, name = "explainj.lrp-gamma", label = "ExplainJ LRP-gamma")
public class LrpGammaCommand extends ExplainCommand {

	@Parameter(persist = false, label = "Gamma", description = "weight of the positive weights added")
	public double gamma = 0.25;

	@Parameter(persist = false, label = "Max pooling", choices = { "wta", "proportional" })
	public String maxpool = "wta";

	@Override
	protected String method() {
		return "lrp-gamma";
	}

	@Override
	protected Map<String, String> parameters() {
		return Map.of("gamma", "" + gamma, "maxpool", maxpool);
	}
}
