package org.explainj.ij;

import java.util.Map;

import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Plugins > ExplainJ menu entry for LRP-alpha-beta (declared in plugins.config). */
@Plugin(type = Command.class, name = "explainj.lrp-alpha-beta", label = "ExplainJ LRP-alpha-beta")
public class LrpAlphaBetaCommand extends ExplainCommand {

	@Parameter(persist = false, label = "Alpha", description = "weight of positive contributions")
	public double alpha = 1;

	@Parameter(persist = false, label = "Beta", description = "weight of negative ones (alpha - beta = 1)")
	public double beta = 0;

	@Parameter(persist = false, label = "Max pooling", choices = { "wta", "proportional" })
	public String maxpool = "wta";

	@Override
	protected String method() {
		return "lrp-alpha-beta";
	}

	@Override
	protected Map<String, String> parameters() {
		return Map.of("alpha", "" + alpha, "beta", "" + beta, "maxpool", maxpool);
	}
}
