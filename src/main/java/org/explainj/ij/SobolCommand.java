package org.explainj.ij;

import java.util.Map;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Plugins > ExplainJ menu entry for Sobol attribution (declared in plugins.config). */
@Plugin(type = Command.class, name = "explainj.sobol", label = "ExplainJ Sobol Attribution")
public class SobolCommand extends ExplainCommand {

	@Parameter(persist = false, label = "Masks", min = "2", description = "design size N (N (cells^2 + 2) evaluations)")
	public int masks = 32;

	@Parameter(persist = false, label = "Cells", min = "1", max = "16", description = "mask grid is cells x cells")
	public int cells = 8;

	@Parameter(persist = false, label = "Baseline",
		description = "what a masked pixel becomes: zeros, blur, a constant value or the path of an image file")
	public String baseline = "zeros";

	@Parameter(persist = false, label = "Seed", description = "seed of the design's random shift")
	public int seed = 0;

	@Override
	protected String method() {
		return "sobol";
	}

	@Override
	protected Map<String, String> parameters() {
		return Map.of("masks", "" + masks, "cells", "" + cells, "baseline", baseline, "seed", "" + seed);
	}
}
