package org.explainj.ij;

import java.util.Map;

import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Plugins > ExplainJ menu entry for LRP-z+ (declared in plugins.config). */
@Plugin(type = Command.class, name = "explainj.lrp-zplus", label = "ExplainJ LRP-z+")
public class LrpZPlusCommand extends ExplainCommand {

	@Parameter(persist = false, label = "Max pooling", choices = { "wta", "proportional" })
	public String maxpool = "wta";

	@Override
	protected String method() {
		return "lrp-zplus";
	}

	@Override
	protected Map<String, String> parameters() {
		return Map.of("maxpool", maxpool);
	}
}
