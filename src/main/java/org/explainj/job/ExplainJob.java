package org.explainj.job;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.explainj.ExplainException;
import org.explainj.image.Geometry;
import org.explainj.image.ImageFrames;
import org.explainj.methods.Baselines;
import org.explainj.image.ImageGeometry;
import org.explainj.image.IntensityScaling;
import org.explainj.methods.Explainer;
import org.explainj.methods.Explanation;
import org.explainj.methods.InputBatch;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelCache;
import org.explainj.model.ScoreKind;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.Roi;

/**
 * One explanation of one image or stack: load (or reuse) the model, bring every frame to the model's
 * geometry, run the method batched, and bring the maps back to the image's geometry. The source image
 * is only read.
 */
public final class ExplainJob {

	/** Images at least this many times smaller than the model's input (on a side) get a note. */
	static final double TINY_FACTOR = 4;

	/**
	 * Images more than this many times larger than the model's input (on a side) get a warning under auto.
	 * Not 2: a patch classifier's own training images are often about 3 times its input (the NIH cells,
	 * 110-140 pixels, for the 44-pixel malaria model), and those must pass without a warning.
	 */
	static final double LARGE_FACTOR = 4;

	private ExplainJob() {}

	public static ExplainResult run(ImagePlus image, ExplainOptions options) {
		return run(image, options, (done, total) -> {});
	}

	public static ExplainResult run(ImagePlus image, ExplainOptions options, Explainer.Progress progress) {
		try (ModelCache.Lease lease = ModelCache.shared().acquire(options.model(), options.trustModel())) {
			ClassifierModel model = lease.model();
			if (model.isRegression() && options.score() != ScoreKind.LOGIT) throw new ExplainException("The model has " +
				"one linear output (a regression, not a classifier): it has no " + options.score().cliName() + ".",
				"Use score=logit, which explains the raw output.");
			if (image == null) throw new ExplainException("There is no image.", "Open an image first.");
			ImageFrames frames = ImageFrames.of(image, options.channels());
			IntensityScaling scaling = options.effectiveScaling(model);
			List<String> notes = new ArrayList<>(ImageGeometry.notes(frames, model, scaling));
			notes.addAll(notes(image, model));
			Geometry geometry = options.geometry();
			Roi selection = image.getRoi();
			String where = selection == null ? "" : describe(selection);
			switch (geometry.kind()) {
				case AUTO -> {
					List<Roi> selected = regions(image, geometry);
					if (!selected.isEmpty()) {
						notes.add("The selection " + where + " was explained (geometry roi), not the whole image; choose " +
							"geometry fit to explain the whole image.");
						return RoiRun.run(image, options, model, selected, reference(options, model), notes, progress);
					}
					if (selection != null) notes.add(notUsed(where));
					largeImageWarning(image, model).ifPresent(notes::add);
				}
				case FIT -> {
					if (selection != null) notes.add(notUsed(where));
				}
				case TILE -> {
					if (selection != null) notes.add(notUsed(where));
					return TiledRun.run(image, options, model, reference(options, model), notes, progress);
				}
				case ROI -> {
					return RoiRun.run(image, options, model, regions(image, geometry), reference(options, model), notes,
						progress);
				}
			}
			InputBatch batch = ImageGeometry.shared().toModelInput(frames, model, scaling);
			Explanation explanation = new Explainer(model).explain(options.method(), options.settings(), batch,
				reference(options, model), options.target(), options.score(), options.effectiveReduction(), options
					.batchSize(), progress);
			notes.addAll(options.method().notes(explanation, options.settings()));
			// at the layer's resolution the map keeps its own size (planar, as every map the job returns)
			boolean layer = atLayerResolution(options);
			int width = layer ? explanation.width() : image.getWidth(), height = layer ? explanation.height() : image
				.getHeight();
			float[] maps = ImageGeometry.shared().toSource(explanation, width, height);
			return new ExplainResult(image, model, options, explanation, maps, width, height, notes, frames.channelText());
		}
	}

	/** Whether the method was asked for the map at its layer's own resolution (class activation maps). */
	public static boolean atLayerResolution(ExplainOptions options) {
		return "layer".equalsIgnoreCase(options.settings().values().getOrDefault("resolution", "").trim());
	}

	/**
	 * The ROIs a run explains: geometry roi's own ROIs, else the image's area selection (none: refused);
	 * under auto the area selection, when there is one; empty where the whole image is explained (fit,
	 * tile, auto without a selection).
	 */
	public static List<Roi> regions(ImagePlus image, Geometry geometry) {
		Roi selection = image.getRoi();
		List<Roi> selected = selection != null && selection.isArea() ? List.of(selection) : List.of();
		return switch (geometry.kind()) {
			case AUTO -> selected;
			case FIT, TILE -> List.of();
			case ROI -> {
				List<Roi> rois = geometry.rois().isEmpty() ? selected : geometry.rois();
				if (rois.isEmpty()) throw new ExplainException("Geometry roi needs a selection or ROIs, and " + image
					.getTitle() + " has none.", "Draw a selection, add ROIs to the ROI Manager, or give --roi x,y,w,h or " +
						"--rois FILE.zip.");
				yield rois;
			}
		};
	}

	private static String notUsed(String where) {
		return "The selection " + where + " was not used: the whole image was explained. Choose geometry roi to explain " +
			"the selection (or the ROI Manager's ROIs).";
	}

	/** E.g. "'cell 1' (x 10, y 20, 139 x 139 pixels)". */
	static String describe(Roi roi) {
		return describe(roi.getName(), roi.getBounds());
	}

	/** A box of the image under a ROI's name (null: none), e.g. the part of a ROI inside the image. */
	static String describe(String name, java.awt.Rectangle b) {
		return (name == null ? "" : "'" + name + "' ") + String.format(Locale.ROOT, "(x %d, y %d, %d x %d pixels)", b.x,
			b.y, b.width, b.height);
	}

	/**
	 * A warning for an image fitted whole into a model input more than {@link #LARGE_FACTOR} times smaller
	 * on a side: what it holds shrinks to a few pixels of the input.
	 */
	static java.util.Optional<String> largeImageWarning(ImagePlus image, ClassifierModel model) {
		if (model.width() <= 0 || model.height() <= 0) return java.util.Optional.empty();
		if (image.getWidth() <= LARGE_FACTOR * model.width() && image.getHeight() <= LARGE_FACTOR * model.height())
			return java.util.Optional.empty();
		return java.util.Optional.of(String.format(Locale.ROOT, "Warning: the image (%d x %d pixels) is more than %.0f " +
			"times the model's input (%d x %d) on a side and was squeezed whole into it, so what it shows shrinks to a few " +
			"input pixels. For a field of view choose geometry tile (windows of the objects' size: window=PX, window_stride=PX), " +
			"or geometry roi with a selection or ROIs; geometry fit keeps the whole image without this warning.", image
				.getWidth(), image.getHeight(), LARGE_FACTOR, model.width(), model.height()));
	}

	/** What the user should know about a run that went through: upsampling of tiny images, a regression head. */
	private static List<String> notes(ImagePlus image, ClassifierModel model) {
		List<String> notes = new ArrayList<>();
		upsampled("The image", image.getWidth(), image.getHeight(), model).ifPresent(notes::add);
		if (model.isRegression()) notes.add("The model has one linear output (a regression, not a classifier): the raw " +
			"output is explained; there is no probability.");
		return notes;
	}

	/**
	 * A note when {@code what} (the image, a ROI's box, the tiling window), {@code width x height} pixels,
	 * is at least {@link #TINY_FACTOR} times smaller than the model's input on a side.
	 */
	static java.util.Optional<String> upsampled(String what, int width, int height, ClassifierModel model) {
		double factor = Math.max((double) model.width() / width, (double) model.height() / height);
		if (factor < TINY_FACTOR) return java.util.Optional.empty();
		return java.util.Optional.of(String.format(Locale.ROOT, "%s (%d x %d pixels) was upsampled %.0f-fold to the " +
			"model's input (%d x %d): the map explains an enlarged, blurred copy.", what, width, height, factor, model
				.width(), model.height()));
	}

	/** Class activation maps at their layer's size cannot be pasted into an image-size map of windows or ROIs. */
	static void refuseLayerResolution(ExplainOptions options) {
		if (atLayerResolution(options)) throw new ExplainException("resolution=layer keeps the map at the layer's size, " +
			"which tiles and ROIs cannot paste back into the image.", "Use resolution=input with geometry tile or roi, or " +
				"geometry fit.");
	}

	/**
	 * A baseline given as an image file, brought to the model like the explained image; null when the
	 * method's baseline is not a file (zeros, blur ...).
	 */
	static InputBatch reference(ExplainOptions options, ClassifierModel model) {
		String baseline = options.settings().values().get("baseline");
		boolean isFile = baseline != null && !Baselines.isConstant(baseline) && (baseline.contains(
			"/") || baseline.contains(".") || baseline.contains("\\"));
		if (!isFile) return null;
		Path file = Path.of(baseline);
		ImagePlus imp = Files.isRegularFile(file) ? IJ.openImage(file.toString()) : null;
		if (imp == null) throw new ExplainException("Cannot open the baseline image " + file + ".",
			"Give zeros, blur or an image file ImageJ can open.");
		InputBatch ref = ImageGeometry.shared().toModelInput(ImageFrames.of(imp, options.channels()), model, options
			.effectiveScaling(model));
		if (ref.n() != 1) throw new ExplainException("The baseline image " + file + " has " + ref.n() + " slices.",
			"Give a single image as baseline.");
		return ref;
	}
}
