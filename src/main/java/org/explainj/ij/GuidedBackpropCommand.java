package org.explainj.ij;

import org.scijava.command.Command;
import org.scijava.plugin.Plugin;

/** Plugins > ExplainJ menu entry for guided backpropagation (declared in plugins.config). */
@Plugin(type = Command.class, name = "explainj.guided-backprop", label = "ExplainJ Guided Backprop")
public class GuidedBackpropCommand extends ExplainCommand {

	@Override
	protected String method() {
		return "guided-backprop";
	}
}
