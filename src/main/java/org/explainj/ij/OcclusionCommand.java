package org.explainj.ij;

import java.util.Map;

import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Plugins > ExplainJ menu entry for occlusion (declared in plugins.config). */
@Plugin(type = Command.class, name = "explainj.occlusion", label = "ExplainJ Occlusion")
public class OcclusionCommand extends ExplainCommand {

	@Parameter(persist = false, label = "Patch", min = "1", description = "patch side in model pixels")
	public int patch = 8;

	@Parameter(persist = false, label = "Stride", min = "1", description = "step between patches")
	public int stride = 4;

	@Parameter(persist = false, label = "Fill", description = "value inside the patch (model input units)")
	public double fill = 0;

	@Override
	protected String method() {
		return "occlusion";
	}

	@Override
	protected Map<String, String> parameters() {
		return Map.of("patch", "" + patch, "stride", "" + stride, "fill", "" + fill);
	}
}
