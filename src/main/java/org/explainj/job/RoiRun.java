package org.explainj.job;

import java.awt.Rectangle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.explainj.ExplainException;
import org.explainj.image.ImageFrames;
import org.explainj.image.ImageGeometry;
import org.explainj.methods.Explainer;
import org.explainj.methods.Explanation;
import org.explainj.methods.InputBatch;
import org.explainj.model.ClassifierModel;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Roi;

/**
 * Geometry roi: each ROI's bounding box is cropped (every slice), explained as a whole image of its own,
 * and its map pasted back at its place in an image-size map; the map is 0 outside the ROIs (where
 * boxes overlap, the later ROI's map is kept). One results row per ROI and frame.
 */
final class RoiRun {

	private RoiRun() {}

	static ExplainResult run(ImagePlus image, ExplainOptions options, ClassifierModel model, List<Roi> rois,
		InputBatch reference, List<String> notes, Explainer.Progress progress)
	{
		ExplainJob.refuseLayerResolution(options);
		int width = image.getWidth(), height = image.getHeight(), plane = width * height;
		int frames = image.getNSlices() * image.getNFrames();
		Explainer explainer = new Explainer(model);
		float[] maps = null;
		int channels = 0;
		List<ExplainResult.Row> rows = new ArrayList<>();
		for (int i = 0; i < rois.size(); i++) {
			Roi roi = rois.get(i);
			Rectangle box = box(image, roi);
			String region = "ROI " + (i + 1) + " " + ExplainJob.describe(roi.getName(), box);
			if (!box.equals(roi.getBounds())) notes.add("ROI " + (i + 1) + " " + ExplainJob.describe(roi) + " was clipped to " +
				"the image: " + box.width + " x " + box.height + " pixels explained.");
			ExplainJob.upsampled("ROI " + (i + 1) + (roi.getName() == null ? "" : " '" + roi.getName() + "'"), box.width,
				box.height, model).ifPresent(notes::add);
			ImagePlus crop = crop(image, box);
			InputBatch batch = ImageGeometry.shared().toModelInput(ImageFrames.of(crop, options.channels()), model, options
				.effectiveScaling(model));
			int done = i;
			Explanation e = explainer.explain(options.method(), options.settings(), batch, reference, options.target(),
				options.score(), options.effectiveReduction(), options.batchSize(), (d, total) -> progress.update(done * total +
					d, rois.size() * total));
			float[] boxMaps = ImageGeometry.shared().toSource(e, box.width, box.height);
			if (maps == null) {
				channels = e.channels();
				maps = new float[frames * channels * plane];
			}
			// planar [frame, channel, y, x]: each row of the box's map into its place
			for (int p = 0; p < frames * channels; p++) {
				for (int y = 0; y < box.height; y++) System.arraycopy(boxMaps, (p * box.height + y) * box.width, maps, p * plane +
					(box.y + y) * width + box.x, box.width);
			}
			options.method().notes(e, options.settings()).forEach(note -> notes.add(region + ": " + note));
			rows.addAll(ExplainResult.rows(e, f -> f, f -> region));
		}
		rows.sort(Comparator.comparingInt(ExplainResult.Row::frame));
		return new ExplainResult(image, model, options, null, maps, width, height, channels, rows, notes, null, null, ImageFrames.of(image,
			options.channels()).channelText());
	}

	/** The ROI's bounding box within the image; a ROI outside it is refused. */
	static Rectangle box(ImagePlus image, Roi roi) {
		Rectangle box = roi.getBounds().intersection(new Rectangle(image.getWidth(), image.getHeight()));
		if (box.isEmpty()) throw new ExplainException("The ROI " + ExplainJob.describe(roi) + " lies outside the image (" +
			image.getWidth() + " x " + image.getHeight() + " pixels).", "Give ROIs inside the image.");
		return box;
	}

	/** The box of every slice, as a new image with the source's dimensions and calibration. */
	static ImagePlus crop(ImagePlus image, Rectangle box) {
		ImageStack stack = image.getStack().crop(box.x, box.y, 0, box.width, box.height, image.getStackSize());
		ImagePlus crop = new ImagePlus(image.getTitle(), stack);
		crop.setDimensions(image.getNChannels(), image.getNSlices(), image.getNFrames());
		crop.setCalibration(image.getCalibration());
		return crop;
	}
}
