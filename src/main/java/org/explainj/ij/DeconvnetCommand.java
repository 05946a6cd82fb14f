package org.explainj.ij;

import org.scijava.command.Command;
import org.scijava.plugin.Plugin;

/** Plugins > ExplainJ menu entry for Deconvnet (declared in plugins.config). */
@Plugin(type = Command.class, name = "explainj.deconvnet", label = "ExplainJ Deconvnet")
public class DeconvnetCommand extends ExplainCommand {

	@Override
	protected String method() {
		return "deconvnet";
	}
}
