package org.explainj.ij;

import java.util.Map;

import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Plugins > ExplainJ menu entry for Grad-CAM (declared in plugins.config). */
@Plugin(type = Command.class, name = "explainj.grad-cam", label = "ExplainJ Grad-CAM")
public class GradCamCommand extends ExplainCommand {

	@Parameter(persist = false, label = "Layer",
		description = "auto = the last convolution (its activation), or a layer name (bin/explainj inspect lists them)")
	public String layer = "auto";

	@Parameter(persist = false, label = "Resolution", choices = { "input", "layer" },
		description = "input = upsampled (bilinear) to the model input, layer = the layer's own size")
	public String resolution = "input";

	@Override
	protected String method() {
		return "grad-cam";
	}

	@Override
	protected Map<String, String> parameters() {
		return Map.of("layer", layer, "resolution", resolution);
	}
}
