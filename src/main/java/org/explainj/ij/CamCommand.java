package org.explainj.ij;

import java.util.Map;

import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Plugins > ExplainJ menu entry for the class activation map (declared in plugins.config). */
@Plugin(type = Command.class, name = "explainj.cam", label = "ExplainJ CAM")
public class CamCommand extends ExplainCommand {

	@Parameter(persist = false, label = "Layer", description = "auto = the map the global average pooling reads, the " +
		"only one CAM can weight; a layer name is checked to be that map")
	public String layer = "auto";

	@Parameter(persist = false, label = "Resolution", choices = { "input", "layer" },
		description = "input = upsampled (bilinear) to the model input, layer = the feature map's own size")
	public String resolution = "input";

	@Override
	protected String method() {
		return "cam";
	}

	@Override
	protected Map<String, String> parameters() {
		return Map.of("layer", layer, "resolution", resolution);
	}
}
