package org.explainj.ij;

import org.scijava.command.Command;
import org.scijava.plugin.Plugin;

/** Plugins > ExplainJ menu entry for the gradient-x-input method (declared in plugins.config). */
@Plugin(type = Command.class, name = "explainj.gradient-x-input", label = "ExplainJ gradient-x-input")
public class GradientTimesInputCommand extends ExplainCommand {

	@Override
	protected String method() {
		return "gradient-x-input";
	}
}
