package org.explainj.ij;

import org.scijava.command.Command;
import org.scijava.plugin.Plugin;

/**
 * Plugins > ExplainJ menu entry for Grad-CAM++ (declared in plugins.config): the parameters of
 * Grad-CAM, another method.
 */
@Plugin(type = Command.class, name = "explainj.grad-cam-plus-plus", label = "ExplainJ Grad-CAM++")
public class GradCamPlusPlusCommand extends GradCamCommand {

	@Override
	protected String method() {
		return "grad-cam-plus-plus";
	}
}
