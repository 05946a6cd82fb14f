package org.explainj.ij;

import java.util.Map;

import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Plugins > ExplainJ menu entry for Guided Grad-CAM (declared in plugins.config). */
@Plugin(type = Command.class, name = "explainj.guided-grad-cam", label = "ExplainJ Guided Grad-CAM")
public class GuidedGradCamCommand extends ExplainCommand {

	@Parameter(persist = false, label = "Layer",
		description = "auto = the last convolution (its activation), or a layer name (bin/explainj inspect lists them)")
	public String layer = "auto";

	@Override
	protected String method() {
		return "guided-grad-cam";
	}

	@Override
	protected Map<String, String> parameters() {
		return Map.of("layer", layer);
	}
}
