package org.explainj.ij;

import java.util.Map;

import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Plugins > ExplainJ menu entry for LRP-0 (declared in plugins.config). */
@Plugin(type = Command.class, name = "explainj.lrp-0", label = "ExplainJ LRP-0")
public class LrpZeroCommand extends ExplainCommand {

	@Parameter(persist = false, label = "Max pooling", choices = { "wta", "proportional" }, description = "winner-take-all or proportional (as sum pooling)")
	public String maxpool = "wta";

	@Override
	protected String method() {
		return "lrp-0";
	}

	@Override
	protected Map<String, String> parameters() {
		return Map.of("maxpool", maxpool);
	}
}
