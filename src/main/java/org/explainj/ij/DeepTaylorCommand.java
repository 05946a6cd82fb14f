package org.explainj.ij;

import java.util.Map;

import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Plugins > ExplainJ menu entry for Deep Taylor (declared in plugins.config). */
@Plugin(type = Command.class, name = "explainj.deep-taylor", label = "ExplainJ Deep Taylor")
public class DeepTaylorCommand extends ExplainCommand {

	@Parameter(persist = false, label = "Pixels", choices = { "zbox", "w2", "flat" }, description = "input rule: z-box for bounded inputs, w^2 for unbounded")
	public String pixels = "zbox";

	@Parameter(persist = false, label = "Low", description = "lowest pixel value for z-box (auto = the image's minimum)")
	public String low = "auto";

	@Parameter(persist = false, label = "High", description = "highest pixel value for z-box (auto = the image's maximum)")
	public String high = "auto";

	@Override
	protected String method() {
		return "deep-taylor";
	}

	@Override
	protected Map<String, String> parameters() {
		return Map.of("pixels", pixels, "low", low, "high", high);
	}
}
