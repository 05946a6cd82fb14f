package org.explainj.ij;

import org.scijava.command.Command;
import org.scijava.plugin.Plugin;

/** Plugins > ExplainJ menu entry for the sensitivity method (declared in plugins.config). */
@Plugin(type = Command.class, name = "explainj.sensitivity", label = "ExplainJ sensitivity")
public class SensitivityCommand extends ExplainCommand {

	@Override
	protected String method() {
		return "sensitivity";
	}
}
