package org.explainj.ij;

import java.util.Map;

import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Plugins > ExplainJ menu entry for DeepLIFT (declared in plugins.config). */
@Plugin(type = Command.class, name = "explainj.deeplift", label = "ExplainJ DeepLIFT")
public class DeepLiftCommand extends ExplainCommand {

	@Parameter(persist = false, label = "Baseline", description = "zeros, blur, a constant value or the path of an image file")
	public String baseline = "zeros";

	@Parameter(persist = false, label = "Max pooling", choices = { "deeplift", "gradient" }, description = "deeplift keeps summation-to-delta; gradient routes as Captum")
	public String maxpool = "deeplift";

	@Parameter(persist = false, label = "Rule", choices = { "rescale", "revealcancel" }, description = "rule for nonlinearities")
	public String rule = "rescale";

	@Override
	protected String method() {
		return "deeplift";
	}

	@Override
	protected Map<String, String> parameters() {
		return Map.of("baseline", baseline, "maxpool", maxpool, "rule", rule);
	}
}
