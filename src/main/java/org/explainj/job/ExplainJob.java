package org.explainj.job;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.explainj.ExplainException;
import org.explainj.image.ImageFrames;
import org.explainj.methods.Baselines;
import org.explainj.image.ImageGeometry;
import org.explainj.methods.Explainer;
import org.explainj.methods.Explanation;
import org.explainj.methods.InputBatch;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelCache;
import org.explainj.model.ScoreKind;

import ij.IJ;
import ij.ImagePlus;

/**
 * One explanation of one image or stack: load (or reuse) the model, bring every frame to the model's
 * geometry, run the method batched, and bring the maps back to the image's geometry. The source image
 * is only read.
 */
public final class ExplainJob {

	/** Images at least this many times smaller than the model's input (on a side) get a note. */
	static final double TINY_FACTOR = 4;

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
			ImageFrames frames = ImageFrames.of(image);
			InputBatch batch = ImageGeometry.shared().toModelInput(frames, model, options.scaling());
			Explanation explanation = new Explainer(model).explain(options.method(), options.settings(), batch,
				reference(options, model), options.target(), options.score(), options.effectiveReduction(), options
					.batchSize(), progress);
			if (atLayerResolution(options)) return new ExplainResult(image, model, options, explanation, planar(explanation),
				explanation.width(), explanation.height(), notes(image, model));
			float[] maps = ImageGeometry.shared().toSource(explanation, image.getWidth(), image.getHeight());
			return new ExplainResult(image, model, options, explanation, maps, image.getWidth(), image.getHeight(), notes(
				image, model));
		}
	}

	/** Whether the method was asked for the map at its layer's own resolution (class activation maps). */
	public static boolean atLayerResolution(ExplainOptions options) {
		return "layer".equalsIgnoreCase(options.settings().values().getOrDefault("resolution", "").trim());
	}

	/** The maps as they came, NHWC reordered to planar [n, channels, h, w]. */
	private static float[] planar(Explanation e) {
		float[] out = new float[e.maps().length];
		int plane = e.height() * e.width();
		for (int i = 0; i < e.n(); i++) for (int p = 0; p < plane; p++) for (int c = 0; c < e.channels(); c++) out[(i * e
			.channels() + c) * plane + p] = e.maps()[(i * plane + p) * e.channels() + c];
		return out;
	}

	/** What the user should know about a run that went through: upsampling of tiny images, a regression head. */
	private static List<String> notes(ImagePlus image, ClassifierModel model) {
		List<String> notes = new ArrayList<>();
		double factor = Math.max((double) model.width() / image.getWidth(), (double) model.height() / image.getHeight());
		if (factor >= TINY_FACTOR) notes.add(String.format(Locale.ROOT, "The image (%d x %d pixels) was upsampled %.0f-fold " +
			"to the model's input (%d x %d): the map explains an enlarged, blurred copy.", image.getWidth(), image
				.getHeight(), factor, model.width(), model.height()));
		if (model.isRegression()) notes.add("The model has one linear output (a regression, not a classifier): the raw " +
			"output is explained; there is no probability.");
		return notes;
	}

	/**
	 * A baseline given as an image file, brought to the model like the explained image; null when the
	 * method's baseline is not a file (zeros, blur ...).
	 */
	private static InputBatch reference(ExplainOptions options, ClassifierModel model) {
		String baseline = options.settings().values().get("baseline");
		boolean isFile = baseline != null && !Baselines.isConstant(baseline) && (baseline.contains(
			"/") || baseline.contains(".") || baseline.contains("\\"));
		if (!isFile) return null;
		Path file = Path.of(baseline);
		ImagePlus imp = Files.isRegularFile(file) ? IJ.openImage(file.toString()) : null;
		if (imp == null) throw new ExplainException("Cannot open the baseline image " + file + ".",
			"Give zeros, blur or an image file ImageJ can open.");
		InputBatch ref = ImageGeometry.shared().toModelInput(ImageFrames.of(imp), model, options.scaling());
		if (ref.n() != 1) throw new ExplainException("The baseline image " + file + " has " + ref.n() + " slices.",
			"Give a single image as baseline.");
		return ref;
	}
}
