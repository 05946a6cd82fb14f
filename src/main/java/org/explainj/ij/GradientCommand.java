package org.explainj.ij;

import org.scijava.command.Command;
import org.scijava.plugin.Plugin;

/** Plugins > ExplainJ menu entry for the gradient method (declared in plugins.config). */
@Plugin(type = Command.class, name = "explainj.gradient", label = "ExplainJ gradient")
public class GradientCommand extends ExplainCommand {

	@Override
	protected String method() {
		return "gradient";
	}
}
