package org.explainj.ij;

import java.util.Map;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Plugins > ExplainJ menu entry for RISE (declared in plugins.config). */
@Plugin(type = Command.class, name = "explainj.rise", label = "ExplainJ RISE")
public class RiseCommand extends ExplainCommand {

	@Parameter(persist = false, label = "Masks", min = "1", description = "number of random masks")
	public int masks = 1000;

	@Parameter(persist = false, label = "Cells", min = "1", description = "mask grid is cells x cells")
	public int cells = 7;

	@Parameter(persist = false, label = "Probability", min = "0", max = "1", description = "chance that a cell is kept")
	public double probability = 0.5;

	@Parameter(persist = false, label = "Seed", description = "seed of the masks")
	public int seed = 0;

	@Override
	protected String method() {
		return "rise";
	}

	@Override
	protected Map<String, String> parameters() {
		return Map.of("masks", "" + masks, "cells", "" + cells, "probability", "" + probability, "seed", "" + seed);
	}
}
