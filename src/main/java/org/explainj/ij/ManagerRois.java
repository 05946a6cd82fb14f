package org.explainj.ij;

import java.util.List;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.plugin.frame.RoiManager;

/**
 * The ROIs geometry roi explains from ImageJ: every ROI in the ROI Manager when it holds any (those of
 * a stack's other slices too), else the image's selection (empty when there is none; the job says so).
 */
final class ManagerRois {

	private ManagerRois() {}

	static List<Roi> of(ImagePlus image) {
		// in a batch macro the ROI Manager is the hidden batch-mode one
		RoiManager manager = RoiManager.getInstance2();
		if (manager != null && manager.getCount() > 0) return List.of(manager.getRoisAsArray());
		Roi selection = image == null ? null : image.getRoi();
		return selection != null && selection.isArea() ? List.of(selection) : List.of();
	}
}
