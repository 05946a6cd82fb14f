package org.explainj.ij;

import org.scijava.command.Command;
import org.scijava.plugin.Plugin;

/** Plugins > ExplainJ menu entry for the saliency method (declared in plugins.config). */
@Plugin(type = Command.class, name = "explainj.saliency", label = "ExplainJ saliency")
public class SaliencyCommand extends ExplainCommand {

	@Override
	protected String method() {
		return "saliency";
	}
}
